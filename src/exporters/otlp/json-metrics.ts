// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import type { TelemetryBatch } from '../../model/batch.js';
import type { ExemplarData, ExponentialBuckets, ExponentialHistogramPoint, HistogramPoint, MetricData, MetricsSnapshot, NumberPoint, PointAttributes, SummaryPoint } from '../../model/metric-data.js';
import { JsonWriter, type Lit, lit, once } from './json-writer.js';
import { jsonAttributes, jsonResource, jsonScope } from './json-common.js';
import { histogramHasMinMax, histogramHasSum, isIntMetric, summaryHasNegative, temporalityEnum } from './metric-shape.js';

/**
 * Encodes `batch.metrics` as an OTLP JSON `ExportMetricsServiceRequest` (UTF-8 bytes), with the
 * same mapping as the protobuf encoder; counts and times as decimal strings (OTLP-J5).
 *
 * @example
 * const body = encodeMetricsJson(batch); // POST to /v1/metrics as application/json
 */
export function encodeMetricsJson(batch: TelemetryBatch): Uint8Array {
  prepareText();
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
  // ScopeMetrics.schemaUrl, as ScopeSpans and ScopeLogs carry it (envelope.ts).
  const url = batch.scope.schemaUrl;
  if (url) {
    w.raw('],"schemaUrl":');
    w.str(url);
    w.raw('}]}]}');
  } else w.lit(L_CLOSE_METRICS);
  return w.finish();
}

/**
 * Fixed JSON text of this encoder, made by `prepareText()` on the first encode rather than at
 * module load (see {@link once}); plain variables so a bundler can shorten their names.
 */
let L_EMPTY: Lit, L_HEAD: Lit, L_SCOPE: Lit, L_METRICS: Lit, L_CLOSE_METRICS: Lit, L_NAME: Lit,
  L_DESCRIPTION: Lit, L_UNIT: Lit, L_SUM_DATA_POINTS: Lit, L_AGGREGATION_TEMPORALITY: Lit,
  L_MONOTONIC: Lit, L_NOT_MONOTONIC: Lit, L_GAUGE_DATA_POINTS: Lit, L_HISTOGRAM_DATA_POINTS: Lit,
  L_SUMMARY_DATA_POINTS: Lit, L_ATTRIBUTES: Lit, L_START_TIME_UNIX_NANO: Lit,
  L_TIME_UNIX_NANO: Lit, L_AS_DOUBLE: Lit, L_COUNT: Lit, L_SUM: Lit, L_BUCKET_COUNTS: Lit,
  L_EXPLICIT_BOUNDS: Lit, L_EXEMPLARS: Lit, L_MIN: Lit, L_MAX: Lit, L_EXEMPLAR_TIME: Lit,
  L_EXEMPLAR_AS_DOUBLE: Lit, L_SUMMARY_SUM: Lit, L_QUANTILE_VALUES: Lit, L_VALUE: Lit,
  L_QUANTILE: Lit, L_FIRST_QUANTILE: Lit, L_SPAN_ID: Lit, L_TRACE_ID: Lit;
const prepareText = /* @__PURE__ */ once(() => {
  L_EMPTY = lit('{"resourceMetrics":[]}');
  L_HEAD = lit('{"resourceMetrics":[{"resource":');
  L_SCOPE = lit(',"scopeMetrics":[{"scope":');
  L_METRICS = lit(',"metrics":[');
  L_CLOSE_METRICS = lit(']}]}]}');
  L_NAME = lit('{"name":');
  L_DESCRIPTION = lit(',"description":');
  L_UNIT = lit(',"unit":');
  L_SUM_DATA_POINTS = lit(',"sum":{"dataPoints":');
  L_AGGREGATION_TEMPORALITY = lit(',"aggregationTemporality":');
  L_MONOTONIC = lit(',"isMonotonic":true}');
  L_NOT_MONOTONIC = lit(',"isMonotonic":false}');
  L_GAUGE_DATA_POINTS = lit(',"gauge":{"dataPoints":');
  L_HISTOGRAM_DATA_POINTS = lit(',"histogram":{"dataPoints":');
  L_SUMMARY_DATA_POINTS = lit(',"summary":{"dataPoints":');
  L_ATTRIBUTES = lit('{"attributes":');
  L_START_TIME_UNIX_NANO = lit(',"startTimeUnixNano":"');
  L_TIME_UNIX_NANO = lit('","timeUnixNano":"');
  L_AS_DOUBLE = lit(',"asDouble":');
  L_COUNT = lit(',"count":"');
  L_SUM = lit(',"sum":');
  L_BUCKET_COUNTS = lit(',"bucketCounts":[');
  L_EXPLICIT_BOUNDS = lit('],"explicitBounds":[');
  L_EXEMPLARS = lit(',"exemplars":');
  L_MIN = lit(',"min":');
  L_MAX = lit(',"max":');
  L_EXEMPLAR_TIME = lit('{"timeUnixNano":"');
  L_EXEMPLAR_AS_DOUBLE = lit('","asDouble":');
  L_SUMMARY_SUM = lit('","sum":');
  L_QUANTILE_VALUES = lit(',"quantileValues":[');
  L_VALUE = lit(',"value":');
  L_QUANTILE = lit(',{"quantile":');
  L_FIRST_QUANTILE = lit('{"quantile":');
  L_SPAN_ID = lit(',"spanId":"');
  L_TRACE_ID = lit(',"traceId":"');
});

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
  const int = isIntMetric(m);
  switch (m.type) {
    case 'counter':
    case 'updowncounter':
      w.lit(L_SUM_DATA_POINTS);
      points(w, m.points, (w, p) => numberPoint(w, p, int));
      w.lit(L_AGGREGATION_TEMPORALITY);
      w.uint(temporalityEnum(m, snapshot));
      w.lit(m.type === 'counter' ? L_MONOTONIC : L_NOT_MONOTONIC);
      break;
    case 'gauge':
      w.lit(L_GAUGE_DATA_POINTS);
      points(w, m.points, (w, p) => numberPoint(w, p, int));
      w.byte(0x7d);
      break;
    case 'histogram':
      w.lit(L_HISTOGRAM_DATA_POINTS);
      points(w, m.points, histogramPoint);
      w.lit(L_AGGREGATION_TEMPORALITY);
      w.uint(temporalityEnum(m, snapshot));
      w.byte(0x7d);
      break;
    case 'exponential_histogram':
      w.raw(',"exponentialHistogram":{"dataPoints":');
      points(w, m.points, exponentialPoint);
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

function head(w: JsonWriter, p: { attributes: PointAttributes; startTime: number; time: number }): void {
  w.lit(L_ATTRIBUTES);
  jsonAttributes(w, p.attributes);
  w.lit(L_START_TIME_UNIX_NANO);
  w.unixNano(p.startTime);
  w.lit(L_TIME_UNIX_NANO);
  w.unixNano(p.time);
  w.byte(0x22);
}

function numberPoint(w: JsonWriter, p: NumberPoint, int: boolean): void {
  head(w, p);
  // asInt is a decimal string (OTLP-J5); BigInt prints integers past 2^53 exactly.
  if (int) w.raw(',"asInt":"' + BigInt(p.value) + '"');
  else {
    w.lit(L_AS_DOUBLE);
    w.double(p.value);
  }
  w.byte(0x7d);
}

function histogramPoint(w: JsonWriter, p: HistogramPoint): void {
  histogramHead(w, p);
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
  histogramTail(w, p);
}

/** A histogram data point's head, count and sum (left out after negatives, MET-06): the same for both kinds. */
function histogramHead(w: JsonWriter, p: HistogramPoint | ExponentialHistogramPoint): void {
  head(w, p);
  w.lit(L_COUNT);
  w.uint(p.count);
  w.byte(0x22);
  if (histogramHasSum(p)) {
    w.lit(L_SUM);
    w.double(p.count === 0 ? 0 : p.sum);
  }
}

/** Its exemplars, min and max, and the closing brace. */
function histogramTail(w: JsonWriter, p: HistogramPoint | ExponentialHistogramPoint): void {
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

function exponentialPoint(w: JsonWriter, p: ExponentialHistogramPoint): void {
  histogramHead(w, p);
  // scale and offset are int32: JSON numbers (OTLP-J5 makes only 64-bit integers strings).
  w.raw(',"scale":' + p.scale + ',"zeroCount":"');
  w.uint(p.zeroCount);
  w.byte(0x22);
  buckets(w, ',"positive":', p.positive);
  buckets(w, ',"negative":', p.negative);
  histogramTail(w, p);
}

function buckets(w: JsonWriter, field: string, b: ExponentialBuckets): void {
  if (b.bucketCounts.length === 0) return;
  w.raw(field + '{"offset":' + b.offset + ',"bucketCounts":[');
  for (let i = 0; i < b.bucketCounts.length; i++) {
    if (i > 0) w.byte(0x2c);
    w.byte(0x22);
    w.uint(b.bucketCounts[i]);
    w.byte(0x22);
  }
  w.raw(']}');
}

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
  // No sum and no negative quantile values once negative values were recorded (MET-09).
  if (summaryHasNegative(p)) w.byte(0x22);
  else {
    w.lit(L_SUMMARY_SUM);
    w.double(p.sum);
  }
  w.lit(L_QUANTILE_VALUES);
  let first = true;
  for (let i = 0; i < p.quantiles.length; i++) {
    const q = p.quantiles[i];
    if (q.value < 0) continue;
    w.lit(first ? L_FIRST_QUANTILE : L_QUANTILE);
    first = false;
    w.double(q.quantile);
    w.lit(L_VALUE);
    w.double(q.value);
    w.byte(0x7d);
  }
  w.raw(']}');
}
