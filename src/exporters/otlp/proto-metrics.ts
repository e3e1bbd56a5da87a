import type { TelemetryBatch } from '../../model/batch.js';
import type { ExemplarData, ExponentialBuckets, ExponentialHistogramPoint, HistogramPoint, MetricData, MetricsSnapshot, NumberPoint, SummaryPoint } from '../../model/metric-data.js';
import { histogramHasMinMax, histogramHasSum, isIntMetric, summaryHasNegative, temporalityEnum } from './metric-shape.js';
import { writeAttributes, writeResource, writeScope } from './proto-common.js';
import { ProtoWriter } from './proto-writer.js';

/**
 * Encodes `batch.metrics` as a protobuf `ExportMetricsServiceRequest` (`metrics.proto`):
 * counter → monotonic Sum, updowncounter → non-monotonic Sum, gauge → Gauge, histogram →
 * Histogram, summary → Summary. Number values are `as_double`, so a series never switches value
 * type when a fractional increment arrives; `as_int` only for data marked `valueType: 'int'`.
 *
 * @example
 * const body = encodeMetricsProto(batch); // POST to /v1/metrics
 */
export function encodeMetricsProto(batch: TelemetryBatch): Uint8Array {
  const snapshot = batch.metrics;
  const w = new ProtoWriter(1024);
  if (!snapshot || snapshot.metrics.length === 0) return w.finish();
  w.byte(0x0a); // resource_metrics = 1
  const rm = w.fork();
  writeResource(w, batch.resource);
  w.byte(0x12); // scope_metrics = 2
  const sm = w.fork();
  writeScope(w, batch.scope);
  for (const metric of snapshot.metrics) {
    w.byte(0x12); // metrics = 2
    const m = w.fork();
    writeMetric(w, metric, snapshot);
    w.ldelim(m);
  }
  // ScopeMetrics.schema_url = 3, as ScopeSpans and ScopeLogs carry it (envelope.ts).
  if (batch.scope.schemaUrl) {
    w.byte(0x1a);
    w.string(batch.scope.schemaUrl);
  }
  w.ldelim(sm);
  w.ldelim(rm);
  return w.finish();
}

function writeTime(w: ProtoWriter, tag: number, ms: number): void {
  w.time(tag, ms);
}

function writeMetric(w: ProtoWriter, metric: MetricData, snapshot: MetricsSnapshot): void {
  w.byte(0x0a);
  w.string(metric.name);
  if (metric.help) {
    w.byte(0x12);
    w.string(metric.help);
  }
  if (metric.unit) {
    w.byte(0x1a);
    w.string(metric.unit);
  }
  const int = isIntMetric(metric);
  switch (metric.type) {
    case 'counter':
    case 'updowncounter': {
      w.byte(0x3a); // sum = 7
      const s = w.fork();
      for (const p of metric.points) writeNumberPoint(w, p, int);
      w.byte(0x10);
      w.byte(temporalityEnum(metric, snapshot));
      if (metric.type === 'counter') {
        w.byte(0x18);
        w.byte(1);
      }
      w.ldelim(s);
      return;
    }
    case 'gauge': {
      w.byte(0x2a); // gauge = 5
      const g = w.fork();
      for (const p of metric.points) writeNumberPoint(w, p, int);
      w.ldelim(g);
      return;
    }
    case 'histogram':
    case 'exponential_histogram': {
      const exponential = metric.type === 'exponential_histogram';
      w.byte(exponential ? 0x52 : 0x4a); // exponential_histogram = 10, histogram = 9
      const h = w.fork();
      if (exponential) for (const p of metric.points) writeExponentialPoint(w, p);
      else for (const p of metric.points as readonly HistogramPoint[]) writeHistogramPoint(w, p);
      w.byte(0x10);
      w.byte(temporalityEnum(metric, snapshot));
      w.ldelim(h);
      return;
    }
    case 'summary': {
      w.byte(0x5a); // summary = 11
      const s = w.fork();
      for (const p of metric.points) writeSummaryPoint(w, p);
      w.ldelim(s);
      return;
    }
  }
}

function writeNumberPoint(w: ProtoWriter, p: NumberPoint, int: boolean): void {
  w.byte(0x0a); // data_points = 1
  const d = w.fork();
  writeAttributes(w, 0x3a, p.attributes);
  writeTime(w, 0x11, p.startTime);
  writeTime(w, 0x19, p.time);
  if (int) {
    w.byte(0x31); // as_int = 6, sfixed64
    w.sfixed64(p.value);
  } else {
    w.byte(0x21); // as_double = 4
    w.double(p.value);
  }
  w.ldelim(d);
}

function writeHistogramPoint(w: ProtoWriter, p: HistogramPoint): void {
  w.byte(0x0a);
  const d = w.fork();
  writeAttributes(w, 0x4a, p.attributes);
  writeTime(w, 0x11, p.startTime);
  writeTime(w, 0x19, p.time);
  countAndSum(w, p);
  const counts = p.bucketCounts;
  if (counts.length > 0) {
    w.byte(0x32); // bucket_counts = 6, packed fixed64
    w.uvarint(counts.length * 8);
    for (let i = 0; i < counts.length; i++) w.fixed64Number(counts[i]);
  }
  const bounds = p.bounds;
  if (bounds.length > 0) {
    w.byte(0x3a); // explicit_bounds = 7, packed double
    w.uvarint(bounds.length * 8);
    for (let i = 0; i < bounds.length; i++) w.double(bounds[i]);
  }
  if (p.exemplars) for (const e of p.exemplars) writeExemplar(w, 0x42, e);
  minAndMax(w, p, 0x59); // min = 11, max = 12
  w.ldelim(d);
}

/** count = 4 and sum = 5, as both histogram data points number them (sum left out after negatives, MET-06). */
function countAndSum(w: ProtoWriter, p: HistogramPoint | ExponentialHistogramPoint): void {
  w.byte(0x21);
  w.fixed64Number(p.count);
  if (histogramHasSum(p)) {
    w.byte(0x29);
    w.double(p.count === 0 ? 0 : p.sum);
  }
}

/** min and max (doubles), under `tag` and the field after it. */
function minAndMax(w: ProtoWriter, p: HistogramPoint | ExponentialHistogramPoint, tag: number): void {
  if (!histogramHasMinMax(p)) return;
  w.byte(tag);
  w.double(p.min);
  w.byte(tag + 8);
  w.double(p.max);
}

/** sint32: zigzag-encoded (scale and offsets may be negative). */
function sint32(w: ProtoWriter, v: number): void {
  w.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
}

function writeExponentialPoint(w: ProtoWriter, p: ExponentialHistogramPoint): void {
  w.byte(0x0a);
  const d = w.fork();
  writeAttributes(w, 0x0a, p.attributes); // attributes = 1 here
  writeTime(w, 0x11, p.startTime);
  writeTime(w, 0x19, p.time);
  countAndSum(w, p);
  if (p.scale !== 0) {
    w.byte(0x30); // scale = 6, sint32
    sint32(w, p.scale);
  }
  w.byte(0x39); // zero_count = 7
  w.fixed64Number(p.zeroCount);
  writeBuckets(w, 0x42, p.positive); // positive = 8
  writeBuckets(w, 0x4a, p.negative); // negative = 9
  if (p.exemplars) for (const e of p.exemplars) writeExemplar(w, 0x5a, e); // exemplars = 11
  minAndMax(w, p, 0x61); // min = 12, max = 13
  w.ldelim(d);
}

function writeBuckets(w: ProtoWriter, tag: number, b: ExponentialBuckets): void {
  if (b.bucketCounts.length === 0) return;
  w.byte(tag);
  const m = w.fork();
  if (b.offset !== 0) {
    w.byte(0x08); // offset = 1, sint32
    sint32(w, b.offset);
  }
  w.byte(0x12); // bucket_counts = 2, packed uint64
  const c = w.fork();
  for (const n of b.bucketCounts) w.uvarint(n);
  w.ldelim(c);
  w.ldelim(m);
}

function writeExemplar(w: ProtoWriter, tag: number, e: ExemplarData): void {
  w.byte(tag);
  const x = w.fork();
  writeTime(w, 0x11, e.time);
  w.byte(0x19); // as_double = 3
  w.double(e.value);
  w.hexId(0x22, e.spanId, 16);
  w.hexId(0x2a, e.traceId, 32);
  w.ldelim(x);
}

function writeSummaryPoint(w: ProtoWriter, p: SummaryPoint): void {
  w.byte(0x0a);
  const d = w.fork();
  writeAttributes(w, 0x3a, p.attributes);
  writeTime(w, 0x11, p.startTime);
  writeTime(w, 0x19, p.time);
  w.byte(0x21);
  w.fixed64Number(p.count);
  // No sum and no negative quantile values once negative values were recorded (MET-09).
  if (!summaryHasNegative(p)) {
    w.byte(0x29);
    w.double(p.sum);
  }
  for (const q of p.quantiles) {
    if (q.value < 0) continue;
    w.byte(0x32); // quantile_values = 6
    const v = w.fork();
    w.byte(0x09);
    w.double(q.quantile);
    w.byte(0x11);
    w.double(q.value);
    w.ldelim(v);
  }
  w.ldelim(d);
}
