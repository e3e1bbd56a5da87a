import type { Attributes } from '../../model/attributes.js';
import type { Backend, ExportResult, TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import type { MetricData, MetricsSnapshot, Temporality } from '../../model/metric-data.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { SpanData, SpanKind, SpanStatus } from '../../model/span-data.js';
import { msToUnixNano } from '../../time.js';

/** A finished span as the memory backend keeps it, with OpenTelemetry data model field names. */
export interface RecordedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceFlags: number;
  traceState?: string;
  /** Unix nanoseconds as a decimal string (as in OTLP JSON). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** Epoch milliseconds, for arithmetic. */
  startTime: number;
  endTime: number;
  durationMs: number;
  attributes: Attributes;
  events: { name: string; timeUnixNano: string; attributes: Attributes; droppedAttributesCount: number }[];
  links: { traceId: string; spanId: string; traceState?: string; attributes: Attributes; droppedAttributesCount: number }[];
  status: { code: SpanStatus; message?: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  /** The tracer's scope: the library's own for `monitor.tracer` spans, `getTracer(name, version)`'s for API spans. */
  instrumentationScope: InstrumentationScope;
}

/** A log record as the memory backend keeps it. */
export interface RecordedLog extends LogRecordData {
  timeUnixNano: string;
  readonly instrumentationScope: InstrumentationScope;
}

function record(s: SpanData, scope: InstrumentationScope): RecordedSpan {
  const out: RecordedSpan = {
    name: s.name,
    kind: s.kind,
    traceId: s.traceId,
    spanId: s.spanId,
    traceFlags: s.traceFlags,
    startTimeUnixNano: msToUnixNano(s.startTime),
    endTimeUnixNano: msToUnixNano(s.endTime),
    startTime: s.startTime,
    endTime: s.endTime,
    durationMs: Math.max(0, s.endTime - s.startTime),
    attributes: { ...s.attributes },
    events: s.events.map((e) => ({ name: e.name, timeUnixNano: msToUnixNano(e.time), attributes: { ...e.attributes }, droppedAttributesCount: e.droppedAttributesCount })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: { ...l.attributes }, droppedAttributesCount: l.droppedAttributesCount })),
    status: { ...s.status },
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
    // A span without its own scope is exported under the batch's (OTLP, OpenTelemetryBackend): so here too.
    instrumentationScope: { ...(s.instrumentationScope ?? scope) },
  };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.traceState) out.traceState = s.traceState;
  return out;
}

function includes(have: Attributes, want: Attributes | undefined): boolean {
  for (const k in want) {
    const a = have[k];
    const b = want[k];
    if (a === b) continue;
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.some((x, i) => x !== b[i])) return false;
  }
  return true;
}

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** The metric snapshots it asks for: 'cumulative' (default) or 'delta'. */
  temporality?: Temporality;
  /** Spans kept (default 50,000); `Infinity` for no bound. */
  maxSpans?: number;
  /** Log records kept (default 50,000); `Infinity` for no bound. */
  maxLogs?: number;
  /** Metric snapshots kept in `metricSnapshots` (default 100: each cumulative one holds every series); the latest is always in `metrics`; `Infinity` for no bound. */
  maxMetricSnapshots?: number;
}

function limit(options: MemoryBackendOptions | undefined, key: 'maxSpans' | 'maxLogs' | 'maxMetricSnapshots', def: number): number {
  const v = options?.[key];
  if (v === undefined) return def;
  if (v === Infinity || (Number.isInteger(v) && v > 0)) return v;
  throw new TypeError(`MemoryBackend: ${key} must be a positive integer or Infinity (got ${String(v)})`);
}

/**
 * Drops the oldest entries past `max`: an eighth of `max` at a time (at least the excess), so
 * a list kept full does not shift on every export. Returns what it dropped.
 */
function trim<T>(list: T[], max: number): readonly T[] {
  return list.length > max ? list.splice(0, Math.max(list.length - max, max >> 3)) : (NONE as readonly T[]);
}
const NONE: readonly never[] = [];

/**
 * Keeps what it receives, for tests and local inspection: `spans`, `logs`, and the latest
 * metric snapshot (`metrics`). Also exported from `@lexigram/monitor/testing`.
 *
 * Bounded, so an app that keeps one in production by mistake does not grow without limit: past
 * `maxSpans`, `maxLogs` or `maxMetricSnapshots` the oldest entries are let go (an eighth of the
 * limit at a time) and counted in `lexigram_monitor_dropped_total{reason="buffer_full"}` (the
 * cumulative metrics of a snapshot let go are not: the later ones carry their values).
 * `reset()` empties it. `shutdown()` keeps what it holds, for reading after `monitor.shutdown()`.
 *
 * @example
 * ```ts
 * const memory = new MemoryBackend();
 * const monitor = createMonitor({ serviceName: 'test', backends: [memory] });
 * monitor.tracer.startSpan('work').end();
 * await monitor.flush();
 * memory.spans[0].name; // 'work'
 * ```
 */
export class MemoryBackend implements Backend {
  readonly name = 'memory';
  readonly temporality: Temporality;
  readonly spans: RecordedSpan[] = [];
  readonly logs: RecordedLog[] = [];
  /** The latest metric snapshot received (undefined before the first). */
  metrics: MetricsSnapshot | undefined;
  /** Every metric snapshot received, oldest first. */
  readonly metricSnapshots: MetricsSnapshot[] = [];
  resource: Resource | undefined;
  /** Number of export calls. */
  exports = 0;

  readonly maxSpans: number;
  readonly maxLogs: number;
  readonly maxMetricSnapshots: number;

  constructor(options?: MemoryBackendOptions) {
    const t = options?.temporality;
    // Anything else was taken as cumulative by the collector while `temporality` said otherwise.
    if (t !== undefined && t !== 'delta' && t !== 'cumulative') throw new TypeError(`MemoryBackend: temporality must be 'delta' or 'cumulative' (got ${JSON.stringify(t)})`);
    this.temporality = t ?? 'cumulative';
    this.maxSpans = limit(options, 'maxSpans', 50_000);
    this.maxLogs = limit(options, 'maxLogs', 50_000);
    this.maxMetricSnapshots = limit(options, 'maxMetricSnapshots', 100);
  }

  async export(batch: TelemetryBatch): Promise<ExportResult> {
    this.exports++;
    this.resource = batch.resource;
    for (const s of batch.spans) this.spans.push(record(s, batch.scope));
    // Its own attributes: a record with none of its own shares its logger's bound object, which a
    // test editing `memory.logs[i].attributes` would change for every later record of that logger.
    for (const l of batch.logs) this.logs.push({ ...l, attributes: { ...l.attributes }, instrumentationScope: l.instrumentationScope ?? batch.scope, timeUnixNano: msToUnixNano(l.time) });
    if (batch.metrics) {
      this.metrics = batch.metrics;
      this.metricSnapshots.push(batch.metrics);
    }
    // What is let go is reported as rejected (with ok: a failed result would stop a flush
    // before the other backends are done), so the monitor counts it: as buffer_full, a local
    // bound let go oldest first as the monitor's own buffer is, not a receiver's export_rejected.
    const spans = trim(this.spans, this.maxSpans).length;
    const logs = trim(this.logs, this.maxLogs).length;
    let dataPoints = 0;
    // A cumulative metric let go is no loss (the later snapshots carry its values); a delta one
    // is. Read per metric: a delta snapshot carries up-down counters cumulative, every series each time.
    for (const snap of trim(this.metricSnapshots, this.maxMetricSnapshots)) for (const m of snap.metrics) if (m.temporality === 'delta') dataPoints += m.points.length;
    if (spans + logs + dataPoints === 0) return { ok: true };
    return { ok: true, reason: 'buffer_full', rejected: { spans, logs, dataPoints }, error: 'MemoryBackend is full: the oldest were let go (raise maxSpans, maxLogs or maxMetricSnapshots, or call reset())' };
  }

  /**
   * Spans with this name (any name when undefined) whose attributes include `attributes`
   * (each value equal; a list element by element), oldest first: `getSpans(undefined, { 'http.route': '/a' })`.
   */
  getSpans(name?: string, attributes?: Attributes): RecordedSpan[] {
    return this.spans.filter((s) => (name === undefined || s.name === name) && includes(s.attributes, attributes));
  }

  /** The first span with this name and these attributes (see {@link getSpans}). */
  findSpan(name: string, attributes?: Attributes): RecordedSpan | undefined {
    return this.spans.find((s) => s.name === name && includes(s.attributes, attributes));
  }

  /** The metric with this name in the latest snapshot. */
  getMetric(name: string): MetricData | undefined {
    return this.metrics?.metrics.find((m) => m.name === name);
  }

  /** Forgets everything received. */
  reset(): void {
    this.spans.length = 0;
    this.logs.length = 0;
    this.metricSnapshots.length = 0;
    this.metrics = undefined;
    this.exports = 0;
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
