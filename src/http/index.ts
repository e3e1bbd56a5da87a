export { handleRequest, type HttpInstrumentationOptions, type RequestTelemetry } from './handle-request.js';
export { instrumentFetch, propagationFilter, type FetchFn, type FetchInstrumentationOptions } from './instrument-fetch.js';
export { httpServerMetrics, type HttpServerMetrics } from './server-metrics.js';
export { markUntraced, isUntraced, UNTRACED } from './untraced.js';
export { normalizeMethod, requestAttributes, type CaptureOptions } from './request-attributes.js';
