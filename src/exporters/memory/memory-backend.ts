import type { Attributes } from '../../model/attributes.js';
import type { Backend, ExportResult, TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import type { MetricData, MetricsSnapshot, Temporality } from '../../model/metric-data.js';
import type { Resource } from '../../model/resource.js';
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
  links: { traceId: string; spanId: string; traceState?: string; attributes: Attributes }[];
  status: { code: SpanStatus; message?: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  instrumentationScope?: { name: string; version?: string };
}

/** A log record as the memory backend keeps it. */
export interface RecordedLog extends LogRecordData {
  timeUnixNano: string;
}

function record(s: SpanData): RecordedSpan {
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
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: { ...l.attributes } })),
    status: { ...s.status },
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  };
  if (s.parentSpanId) out.parentSpanId = s.parentSpanId;
  if (s.traceState) out.traceState = s.traceState;
  if (s.instrumentationScope) out.instrumentationScope = { ...s.instrumentationScope };
  return out;
}

/**
 * Keeps everything it receives, for tests and local inspection: `spans`, `logs`, and the
 * latest metric snapshot (`metrics`). Also exported from `@lexigram/monitor/testing`.
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

  constructor(options?: { temporality?: Temporality }) {
    this.temporality = options?.temporality ?? 'cumulative';
  }

  async export(batch: TelemetryBatch): Promise<ExportResult> {
    this.exports++;
    this.resource = batch.resource;
    for (const s of batch.spans) this.spans.push(record(s));
    for (const l of batch.logs) this.logs.push({ ...l, timeUnixNano: msToUnixNano(l.time) });
    if (batch.metrics) {
      this.metrics = batch.metrics;
      this.metricSnapshots.push(batch.metrics);
    }
    return { ok: true };
  }

  /** Spans with this name (all spans without a name). */
  getSpans(name?: string): RecordedSpan[] {
    return name === undefined ? this.spans.slice() : this.spans.filter((s) => s.name === name);
  }

  /** The first span with this name. */
  findSpan(name: string): RecordedSpan | undefined {
    return this.spans.find((s) => s.name === name);
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
