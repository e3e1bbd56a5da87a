/**
 * @module
 * OpenTelemetry interop for `@lexigram/monitor` (`@opentelemetry/api` is an optional peer
 * dependency, bundled only by apps that import this subpath):
 * - `registerOpenTelemetry(monitor)` serves `@opentelemetry/api` (traces, context, W3C
 *   propagation, metrics) from the monitor, and `@opentelemetry/api-logs` given `{ logs }`, so
 *   instrumentation written against the API lands in the same request scope and export as the
 *   app's own spans and logs;
 * - `OpenTelemetryBackend` hands finished spans to an OpenTelemetry SDK span processor or exporter.
 *
 * @example
 * import { registerOpenTelemetry, OpenTelemetryBackend } from '@lexigram/monitor/otel';
 * registerOpenTelemetry(monitor);
 */
export { registerOpenTelemetry, unregisterOpenTelemetry, registeredMonitor, type RegisterOpenTelemetryOptions, type LogsApiLike } from './register.js';
export { OpenTelemetryBackend, type OpenTelemetryBackendOptions, type SpanExporterLike, type SpanProcessorLike } from './backend.js';
export { toReadableSpan, toReadableResource, type ReadableSpanLike, type ReadableResource } from './readable-span.js';
export { BridgeContextManager } from './context-manager.js';
export { BridgeTracerProvider, BridgeTracer } from './tracer.js';
export { BridgeMeterProvider } from './meter.js';
export { BridgeLoggerProvider, BridgeLogger, type LogRecordLike } from './logger.js';
export { W3CPropagator } from './propagator.js';
export { BridgedSpan } from './span.js';
export { msToHrTime } from './time.js';
