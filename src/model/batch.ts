import type { LogRecordData } from './log-data.js';
import type { MetricsSnapshot, Temporality } from './metric-data.js';
import type { InstrumentationScope, Resource } from './resource.js';
import type { SpanData } from './span-data.js';

/** One flush's worth of telemetry for one backend. */
export interface TelemetryBatch {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly spans: readonly SpanData[];
  readonly logs: readonly LogRecordData[];
  /** Present when metrics changed since the last flush, in the backend's temporality. */
  readonly metrics?: MetricsSnapshot;
}

/** Why telemetry was dropped: the `reason` label of `lexigram_monitor_dropped_total`. */
export type DropReason =
  | 'invalid_value'
  | 'negative_increment'
  | 'invalid_label'
  | 'unknown_label'
  | 'label_too_long'
  | 'invalid_attribute'
  | 'attribute_limit'
  | 'attribute_truncated'
  | 'event_limit'
  | 'link_limit'
  | 'span_limit'
  | 'log_limit'
  | 'cardinality_overflow'
  | 'after_shutdown'
  | 'span_ended_twice'
  /** A change to a span after its end() (an attribute, event, link, status, exception or name): ignored, as the API has it. */
  | 'span_ended'
  | 'export_failed'
  | 'export_rejected'
  | 'export_timeout'
  | 'export_too_large'
  | 'buffer_full'
  /** Spans of traces a `tailSampling` policy did not keep: counted, not reported (it is the configured outcome). */
  | 'tail_sampled'
  /** A measurement on an OpenTelemetry instrument the bridge could not create (an invalid name). */
  | 'invalid_instrument'
  /** A metric collect callback (or an OpenTelemetry observable callback) that threw. */
  | 'collect_callback'
  | 'internal_error';

export interface ExportResult {
  readonly ok: boolean;
  /**
   * Set when `ok` is false: why the batch (or part of it) was not delivered. With `ok` and
   * `rejected`, why those items were let go (default `export_rejected`).
   */
  readonly reason?: DropReason;
  readonly error?: string;
  /** Items the receiver rejected (OTLP partial success), or that were dropped. */
  readonly rejected?: { readonly spans?: number; readonly logs?: number; readonly dataPoints?: number };
  /**
   * When the items in `rejected` were lost for more than one reason (one signal's request
   * rejected with a 400, another's lost to a network error): the same items per reason. The
   * monitor counts each under its own; `reason` is then the first failure's.
   */
  readonly byReason?: { readonly [R in DropReason]?: number };
}

/**
 * The contract every backend implements. `export` must not throw; the monitor guards it anyway.
 * `temporality` says which metric snapshot the backend wants ('none' for no metrics; default 'cumulative').
 * `readsTotals: true` says the backend reads cumulative totals itself, outside `export` (a pull
 * backend that a scraper reads through `monitor.metrics.collect()`, as `PrometheusBackend` does).
 */
export interface Backend {
  readonly name: string;
  readonly temporality?: Temporality | 'none';
  /**
   * True for a pull backend that reads totals between exports (a scrape). Without it, while every
   * other backend takes deltas, a counter or histogram series that stays idle through an export is
   * forgotten as long as nothing has read totals yet, so the first scrape would miss its total.
   * Default false.
   */
  readonly readsTotals?: boolean;
  export(batch: TelemetryBatch): Promise<ExportResult>;
  forceFlush(): Promise<void>;
  /**
   * Stops the backend. It may answer what it could not deliver at the end (data it held for a
   * retry): the monitor counts and reports that as it does a failed export.
   */
  shutdown(): Promise<void | ExportResult>;
}

/** Reports problems without throwing: each kind once per monitor. */
export interface Diagnostic {
  readonly kind: DropReason | 'config' | 'export' | 'otel';
  readonly message: string;
  readonly detail?: unknown;
}
export type DiagnosticHandler = (d: Diagnostic) => void;
