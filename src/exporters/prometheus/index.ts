/**
 * Prometheus exposition: text 0.0.4 and OpenMetrics 1.0 rendering, a `/metrics` handler with
 * content negotiation and auth, and the pull-side `PrometheusBackend`.
 *
 * @example
 * import { metricsHandler } from '@lexigram/monitor/prometheus';
 * const metrics = metricsHandler(monitor, { auth: { bearerToken: env.METRICS_TOKEN } });
 *
 * @module
 */

export { renderSnapshot, type DroppedMetric, type ExpositionFormat, type RenderOptions } from './render.js';
export { renderPrometheus, type RenderPrometheusOptions } from './render-prometheus.js';
export { metricsHandler, type MetricsHandler, type MetricsHandlerOptions } from './handler.js';
export { negotiateFormat, acceptsGzip, CONTENT_TYPES } from './negotiate.js';
export { timingSafeEqual, type MetricsAuth } from './auth.js';
export { PrometheusBackend, type PrometheusBackendOptions } from './backend.js';
export { describeFamily, type Family, type PrometheusType } from './family.js';
export { sanitizeMetricName, sanitizeLabelName } from './names.js';
export { unitWord } from './units.js';
export type { MetricsSource, ExpositionOptions } from './source.js';
