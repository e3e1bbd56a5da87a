import type { TelemetryBatch } from '../../model/batch.js';
import type { ExemplarData, HistogramPoint, MetricData, MetricsSnapshot, NumberPoint, SummaryPoint } from '../../model/metric-data.js';
import { jsonAttributes, jsonResource, jsonScope } from './json-common.js';
import { JsonWriter, lit } from './json-writer.js';
import { histogramHasMinMax, histogramHasSum, temporalityEnum } from './metric-shape.js';

/**
 * Encodes `batch.metrics` as an OTLP JSON `ExportMetricsServiceRequest` (UTF-8 bytes), with the
 * same mapping as the protobuf encoder; counts and times as decimal strings (OTLP-J5).
 *
 * @example
 * const body = encodeMetricsJson(batch); // POST to /v1/metrics as application/json
 */
export function encodeMetricsJson(batch: TelemetryBatch): Uint8Array {
  const w = new JsonWriter(4096);
  const snapshot = batch.metrics;
  if (!snapshot || snapshot.metrics.length === 0) {
    w.raw('{"resourceMetrics":[]}');
    return w.finish();
  }
  w.raw('{"resourceMetrics":[{"resource":');
  jsonResource(w, batch.resource);
  w.raw(',"scopeMetrics":[{"scope":');
  jsonScope(w, batch.scope);
  w.raw(',"metrics":[');
  for (let i = 0; i < snapshot.metrics.length; i++) {
    if (i > 0) w.raw(',');
    jsonMetric(w, snapshot.metrics[i], snapshot);
  }
  w.raw(']}]}]}');
  return w.finish();
}

function jsonMetric(w: JsonWriter, m: MetricData, snapshot: MetricsSnapshot): void {
  w.raw('{"name":');
  w.str(m.name);
  if (m.help) {
    w.raw(',"description":');
    w.str(m.help);
  }
  if (m.unit) {
    w.raw(',"unit":');
    w.str(m.unit);
  }
  switch (m.type) {
    case 'counter':
    case 'updowncounter':
      w.raw(',"sum":{"dataPoints":');
      points(w, m.points, numberPoint);
      w.raw(',"aggregationTemporality":');
      w.uint(temporalityEnum(m, snapshot));
      w.raw(m.type === 'counter' ? ',"isMonotonic":true}' : ',"isMonotonic":false}');
      break;
    case 'gauge':
      w.raw(',"gauge":{"dataPoints":');
      points(w, m.points, numberPoint);
      w.raw('}');
      break;
    case 'histogram':
      w.raw(',"histogram":{"dataPoints":');
      points(w, m.points, histogramPoint);
      w.raw(',"aggregationTemporality":');
      w.uint(temporalityEnum(m, snapshot));
      w.raw('}');
      break;
    case 'summary':
      w.raw(',"summary":{"dataPoints":');
      points(w, m.points, summaryPoint);
      w.raw('}');
      break;
  }
  w.raw('}');
}

function points<P>(w: JsonWriter, list: readonly P[], fn: (w: JsonWriter, p: P) => void): void {
  w.raw('[');
  for (let i = 0; i < list.length; i++) {
    if (i > 0) w.raw(',');
    fn(w, list[i]);
  }
  w.raw(']');
}

function head(w: JsonWriter, p: { attributes: Readonly<Record<string, string>>; startTime: number; time: number }): void {
  w.raw('{"attributes":');
  jsonAttributes(w, p.attributes);
  w.raw(',"startTimeUnixNano":"');
  w.unixNano(p.startTime);
  w.raw('","timeUnixNano":"');
  w.unixNano(p.time);
  w.raw('"');
}

function numberPoint(w: JsonWriter, p: NumberPoint): void {
  head(w, p);
  w.raw(',"asDouble":');
  w.double(p.value);
  w.raw('}');
}

function histogramPoint(w: JsonWriter, p: HistogramPoint): void {
  head(w, p);
  w.raw(',"count":"');
  w.uint(p.count);
  w.raw('"');
  if (histogramHasSum(p)) {
    w.raw(',"sum":');
    w.double(p.count === 0 ? 0 : p.sum);
  }
  w.raw(',"bucketCounts":[');
  for (let i = 0; i < p.bucketCounts.length; i++) {
    w.raw(i > 0 ? ',"' : '"');
    w.uint(p.bucketCounts[i]);
    w.raw('"');
  }
  w.raw('],"explicitBounds":[');
  for (let i = 0; i < p.bounds.length; i++) {
    if (i > 0) w.raw(',');
    w.double(p.bounds[i]);
  }
  w.raw(']');
  if (p.exemplars && p.exemplars.length > 0) {
    w.raw(',"exemplars":');
    points(w, p.exemplars, exemplar);
  }
  if (histogramHasMinMax(p)) {
    w.raw(',"min":');
    w.double(p.min);
    w.raw(',"max":');
    w.double(p.max);
  }
  w.raw('}');
}

const L_SPAN_ID = /* @__PURE__ */ lit(',"spanId":"');
const L_TRACE_ID = /* @__PURE__ */ lit(',"traceId":"');

function exemplar(w: JsonWriter, e: ExemplarData): void {
  w.raw('{"timeUnixNano":"');
  w.unixNano(e.time);
  w.raw('","asDouble":');
  w.double(e.value);
  w.idField(L_SPAN_ID, e.spanId, 16);
  w.idField(L_TRACE_ID, e.traceId, 32);
  w.raw('}');
}

function summaryPoint(w: JsonWriter, p: SummaryPoint): void {
  head(w, p);
  w.raw(',"count":"');
  w.uint(p.count);
  w.raw('","sum":');
  w.double(p.sum);
  w.raw(',"quantileValues":[');
  for (let i = 0; i < p.quantiles.length; i++) {
    const q = p.quantiles[i];
    w.raw(i > 0 ? ',{"quantile":' : '{"quantile":');
    w.double(q.quantile);
    w.raw(',"value":');
    w.double(q.value);
    w.raw('}');
  }
  w.raw(']}');
}
