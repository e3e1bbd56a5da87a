/**
 * @module
 * @lexigram/monitor: metrics, traces, logs, health checks and SLOs for code that runs on
 * Cloudflare Workers, Deno, Bun, Node and serverless functions, on Web APIs only.
 */
export { createMonitor, Monitor } from './monitor.js';
export type { MonitorOptions } from './config/options.js';
export { configFromEnv, parseKeyValueList } from './config/env.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { VERSION } from './version.js';

export { getActiveSpan, getActiveScope, setContextStorage, contextStorage, type ActiveContext } from './context/active.js';
export { SynchronousStorage, createContextStorage, findAsyncLocalStorage, type ContextStorage, type AsyncLocalStorageClass } from './context/storage.js';
export { Scope, type ScopeOptions, type FlushResult } from './scope/scope.js';

export { MetricsCollector, type InstrumentOptions, type GaugeOptions, type CollectCallback, type HistogramOptions, type SummaryInstrumentOptions } from './metrics/collector.js';
export { Counter, UpDownCounter, type BoundCounter } from './metrics/counter.js';
export { Gauge } from './metrics/gauge.js';
export { Histogram, DEFAULT_BUCKETS, type BoundHistogram, type EndTimer } from './metrics/histogram.js';
export { ExponentialHistogram, base2ExponentialBuckets, type ExponentialBucketsOption } from './metrics/exponential-histogram.js';
export { Summary, DEFAULT_QUANTILES } from './metrics/summary.js';
export type { LabelValues } from './metrics/instrument.js';

export { Tracer, type StartSpanOptions } from './trace/tracer.js';
export { RecordingSpan, NonRecordingSpan, type Span, type Link, type TimeInput } from './trace/span.js';
export { extractBaggage, extractContext, injectContext, type RemoteContext, type HeadersInput } from './trace/propagation/propagation.js';
export { parseTraceparent, formatTraceparent } from './trace/propagation/traceparent.js';
export { parseTracestate } from './trace/propagation/tracestate.js';
export { parseBaggage, formatBaggage, type Baggage } from './trace/propagation/baggage.js';
export {
  createSampler,
  alwaysOn,
  alwaysOff,
  traceIdRatio,
  parentBased,
  SamplingDecision,
  type Sampler,
  type SamplerConfig,
  type SamplerName,
} from './trace/sampling/samplers.js';
export { keepErrors, keepSlowerThan, keepRatio, anyOf, type TailPolicy, type TailSamplingOptions } from './trace/sampling/tail.js';

export { Logger } from './logs/logger.js';
export { createRedactor, DEFAULT_REDACT_FIELDS, REDACTED, type Redactor } from './attributes/redact.js';

export { MemoryBackend, type MemoryBackendOptions, type RecordedSpan, type RecordedLog } from './exporters/memory/memory-backend.js';
export { ConsoleBackend, type ConsoleBackendOptions } from './exporters/console/console-backend.js';
export { NoOpBackend } from './exporters/noop/noop-backend.js';

export { SpanKind, SpanStatus, TraceFlags, type SpanContext, type SpanData, type SpanEventData, type SpanLinkData } from './model/span-data.js';
export { SeverityNumber, type LogLevel, type LogRecordData } from './model/log-data.js';
export type * from './model/metric-data.js';
export type { AttributeValue, Attributes, AnyValue, Labels, LabelsInput } from './model/attributes.js';
export type { Resource, InstrumentationScope } from './model/resource.js';
export type { Backend, TelemetryBatch, ExportResult, DropReason, Diagnostic, DiagnosticHandler } from './model/batch.js';
export { msToUnixNano, now } from './time.js';

export {
  handleRequest,
  instrumentFetch,
  propagationFilter,
  httpServerMetrics,
  markUntraced,
  isUntraced,
  type HttpInstrumentationOptions,
  type RequestTelemetry,
  type FetchFn,
  type FetchInstrumentationOptions,
  type CaptureOptions,
} from './http/index.js';

export { HealthStatus, type HealthCheck, type HealthCheckResult } from './health/status.js';
export { HealthCheckRegistry, type HealthRegisterOptions, type HealthCheckRegistryOptions, type HealthCheckEntry, type HealthReport } from './health/registry.js';
export { functionCheck, type HealthCheckFunction, type HealthCheckOutcome } from './health/function-check.js';
export { httpCheck, type HttpCheckOptions } from './health/http-check.js';
export { healthHandler, HealthCheckProvider, type HealthHandler, type HealthHandlerOptions, type HealthAuth, type HealthDetails, type HealthSource } from './health/handler.js';
export { PerformanceMonitor, type PerformanceMonitorOptions, type PerformanceStats, type TrackHandle } from './perf/performance-monitor.js';
export { traced, type TracedOptions, type StandardMethodDecorator, type LegacyMethodDecorator } from './wrappers/traced.js';
export { metered, type MeteredOptions } from './wrappers/metered.js';
export { setDefaultMonitor, getDefaultMonitor } from './wrappers/default-monitor.js';
export { SLO, type SLOOptions, type SLOKind, type BurnRateWindow } from './slo/slo.js';
export { SLOMonitor, type SLOMonitorOptions, type SLOStatus, type BurnRateStatus } from './slo/slo-monitor.js';
export type { PrometheusRulesOptions } from './slo/prometheus-rules.js';
export { HookRegistry } from './hooks/registry.js';
export type * from './hooks/events.js';
export { notifySafely, type Alert, type Notifier } from './alerting/notifier.js';
export { webhookNotifier, type WebhookNotifierOptions, type WebhookPayload } from './alerting/webhook-notifier.js';
