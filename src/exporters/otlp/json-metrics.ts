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
    w.lit(L_EMPTY);
    return w.finish();
  }
  w.lit(L_HEAD);
  jsonResource(w, batch.resource);
  w.lit(L_SCOPE);
  jsonScope(w, batch.scope);
  w.lit(L_METRICS);
  for (let i = 0; i < snapshot.metrics.length; i++) {
    if (i > 0) w.byte(0x2c);
    jsonMetric(w, snapshot.metrics[i], snapshot);
  }
  w.lit(L_CLOSE_METRICS);
  return w.finish();
}

const L_EMPTY = /* @__PURE__ */ lit('{"resourceMetrics":[]}');
const L_HEAD = /* @__PURE__ */ lit('{"resourceMetrics":[{"resource":');
const L_SCOPE = /* @__PURE__ */ lit(',"scopeMetrics":[{"scope":');
const L_METRICS = /* @__PURE__ */ lit(',"metrics":[');
const L_CLOSE_METRICS = /* @__PURE__ */ lit(']}]}]}');
const L_NAME = /* @__PURE__ */ lit('{"name":');
const L_DESCRIPTION = /* @__PURE__ */ lit(',"description":');
const L_UNIT = /* @__PURE__ */ lit(',"unit":');
const L_SUM_DATA_POINTS = /* @__PURE__ */ lit(',"sum":{"dataPoints":');
const L_AGGREGATION_TEMPORALITY = /* @__PURE__ */ lit(',"aggregationTemporality":');
const L_MONOTONIC = /* @__PURE__ */ lit(',"isMonotonic":true}');
const L_NOT_MONOTONIC = /* @__PURE__ */ lit(',"isMonotonic":false}');
const L_GAUGE_DATA_POINTS = /* @__PURE__ */ lit(',"gauge":{"dataPoints":');
const L_HISTOGRAM_DATA_POINTS = /* @__PURE__ */ lit(',"histogram":{"dataPoints":');
const L_SUMMARY_DATA_POINTS = /* @__PURE__ */ lit(',"summary":{"dataPoints":');
const L_ATTRIBUTES = /* @__PURE__ */ lit('{"attributes":');
const L_START_TIME_UNIX_NANO = /* @__PURE__ */ lit(',"startTimeUnixNano":"');
const L_TIME_UNIX_NANO = /* @__PURE__ */ lit('","timeUnixNano":"');
const L_AS_DOUBLE = /* @__PURE__ */ lit(',"asDouble":');
const L_COUNT = /* @__PURE__ */ lit(',"count":"');
const L_SUM = /* @__PURE__ */ lit(',"sum":');
const L_BUCKET_COUNTS = /* @__PURE__ */ lit(',"bucketCounts":[');
const L_EXPLICIT_BOUNDS = /* @__PURE__ */ lit('],"explicitBounds":[');
const L_EXEMPLARS = /* @__PURE__ */ lit(',"exemplars":');
const L_MIN = /* @__PURE__ */ lit(',"min":');
const L_MAX = /* @__PURE__ */ lit(',"max":');
const L_EXEMPLAR_TIME = /* @__PURE__ */ lit('{"timeUnixNano":"');
const L_EXEMPLAR_AS_DOUBLE = /* @__PURE__ */ lit('","asDouble":');
const L_SUMMARY_SUM = /* @__PURE__ */ lit('","sum":');
const L_QUANTILE_VALUES = /* @__PURE__ */ lit(',"quantileValues":[');
const L_VALUE = /* @__PURE__ */ lit(',"value":');
const L_QUANTILE = /* @__PURE__ */ lit(',{"quantile":');
const L_FIRST_QUANTILE = /* @__PURE__ */ lit('{"quantile":');

function jsonMetric(w: JsonWriter, m: MetricData, snapshot: MetricsSnapshot): void {
  w.lit(L_NAME);
  w.str(m.name);
  if (m.help) {
    w.lit(L_DESCRIPTION);
    w.str(m.help);
  }
  if (m.unit) {
    w.lit(L_UNIT);
    w.str(m.unit);
  }
  switch (m.type) {
    case 'counter':
    case 'updowncounter':
      w.lit(L_SUM_DATA_POINTS);
      points(w, m.points, numberPoint);
      w.lit(L_AGGREGATION_TEMPORALITY);
      w.uint(temporalityEnum(m, snapshot));
      w.lit(m.type === 'counter' ? L_MONOTONIC : L_NOT_MONOTONIC);
      break;
    case 'gauge':
      w.lit(L_GAUGE_DATA_POINTS);
      points(w, m.points, numberPoint);
      w.byte(0x7d);
      break;
    case 'histogram':
      w.lit(L_HISTOGRAM_DATA_POINTS);
      points(w, m.points, histogramPoint);
      w.lit(L_AGGREGATION_TEMPORALITY);
      w.uint(temporalityEnum(m, snapshot));
      w.byte(0x7d);
      break;
    case 'summary':
      w.lit(L_SUMMARY_DATA_POINTS);
      points(w, m.points, summaryPoint);
      w.byte(0x7d);
      break;
  }
  w.byte(0x7d);
}

function points<P>(w: JsonWriter, list: readonly P[], fn: (w: JsonWriter, p: P) => void): void {
  w.byte(0x5b);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) w.byte(0x2c);
    fn(w, list[i]);
  }
  w.byte(0x5d);
}

function head(w: JsonWriter, p: { attributes: Readonly<Record<string, string>>; startTime: number; time: number }): void {
  w.lit(L_ATTRIBUTES);
  jsonAttributes(w, p.attributes);
  w.lit(L_START_TIME_UNIX_NANO);
  w.unixNano(p.startTime);
  w.lit(L_TIME_UNIX_NANO);
  w.unixNano(p.time);
  w.byte(0x22);
}

function numberPoint(w: JsonWriter, p: NumberPoint): void {
  head(w, p);
  w.lit(L_AS_DOUBLE);
  w.double(p.value);
  w.byte(0x7d);
}

function histogramPoint(w: JsonWriter, p: HistogramPoint): void {
  head(w, p);
  w.lit(L_COUNT);
  w.uint(p.count);
  w.byte(0x22);
  if (histogramHasSum(p)) {
    w.lit(L_SUM);
    w.double(p.count === 0 ? 0 : p.sum);
  }
  w.lit(L_BUCKET_COUNTS);
  for (let i = 0; i < p.bucketCounts.length; i++) {
    if (i > 0) w.byte(0x2c);
    w.byte(0x22);
    w.uint(p.bucketCounts[i]);
    w.byte(0x22);
  }
  w.lit(L_EXPLICIT_BOUNDS);
  for (let i = 0; i < p.bounds.length; i++) {
    if (i > 0) w.byte(0x2c);
    w.double(p.bounds[i]);
  }
  w.byte(0x5d);
  if (p.exemplars && p.exemplars.length > 0) {
    w.lit(L_EXEMPLARS);
    points(w, p.exemplars, exemplar);
  }
  if (histogramHasMinMax(p)) {
    w.lit(L_MIN);
    w.double(p.min);
    w.lit(L_MAX);
    w.double(p.max);
  }
  w.byte(0x7d);
}

const L_SPAN_ID = /* @__PURE__ */ lit(',"spanId":"');
const L_TRACE_ID = /* @__PURE__ */ lit(',"traceId":"');

function exemplar(w: JsonWriter, e: ExemplarData): void {
  w.lit(L_EXEMPLAR_TIME);
  w.unixNano(e.time);
  w.lit(L_EXEMPLAR_AS_DOUBLE);
  w.double(e.value);
  w.idField(L_SPAN_ID, e.spanId, 16);
  w.idField(L_TRACE_ID, e.traceId, 32);
  w.byte(0x7d);
}

function summaryPoint(w: JsonWriter, p: SummaryPoint): void {
  head(w, p);
  w.lit(L_COUNT);
  w.uint(p.count);
  w.lit(L_SUMMARY_SUM);
  w.double(p.sum);
  w.lit(L_QUANTILE_VALUES);
  for (let i = 0; i < p.quantiles.length; i++) {
    const q = p.quantiles[i];
    w.lit(i > 0 ? L_QUANTILE : L_FIRST_QUANTILE);
    w.double(q.quantile);
    w.lit(L_VALUE);
    w.double(q.value);
    w.byte(0x7d);
  }
  w.raw(']}');
}
