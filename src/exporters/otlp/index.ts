/**
 * @module
 * OTLP/HTTP backend for `@lexigram/monitor`: hand-written protobuf and JSON encoders for
 * traces, metrics and logs, and a `Backend` that posts them with retries, a timeout per
 * signal's request and optional gzip, on Web APIs only.
 *
 * Runtime adapters that trace outgoing `fetch` calls must skip the exporter's own requests.
 * Two marks are provided, neither of them a header:
 * - `isExporterRequest(input, init)`: true when `init[EXPORTER_REQUEST] === true` (set on every
 *   request the exporter makes) or when the URL is one a live `OtlpBackend` posts to;
 * - `backend.ownsUrl(url)` for a specific backend.
 *
 * @example
 * import { OtlpBackend, otlpOptionsFromEnv } from '@lexigram/monitor/otlp';
 * const otlp = new OtlpBackend({ ...otlpOptionsFromEnv(env), compression: 'gzip' });
 */
export { OtlpBackend, MAX_REQUEST_BYTES } from './otlp-backend.js';
export type { OtlpExportResult } from './otlp-backend.js';
export type { OtlpBackendOptions, OtlpProtocol, OtlpCompression, OtlpTemporality, OtlpRetryOptions, FetchLike } from './options.js';
export type { OtlpSignal } from './endpoint.js';
export { DEFAULT_ENDPOINT, signalUrlFromBase, perSignalUrl } from './endpoint.js';
export { otlpOptionsFromEnv, parseOtlpHeaders } from './env.js';
export { isExporterRequest, EXPORTER_REQUEST } from './exporter-urls.js';
export { encodeSignal, contentTypeOf } from './encode.js';
export { encodeTracesProto } from './proto-traces.js';
export { encodeMetricsProto } from './proto-metrics.js';
export { encodeLogsProto } from './proto-logs.js';
export { encodeTracesJson } from './json-traces.js';
export { encodeMetricsJson } from './json-metrics.js';
export { encodeLogsJson } from './json-logs.js';
export { MAX_RESPONSE_BYTES } from './response.js';
export { VERSION as OTLP_EXPORTER_VERSION } from './version.js';
