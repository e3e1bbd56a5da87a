import type { TelemetryBatch } from '../../model/batch.js';
import type { ExemplarData, HistogramPoint, MetricData, MetricsSnapshot, NumberPoint, SummaryPoint } from '../../model/metric-data.js';
import { msToUnixNano } from '../../time.js';
import { jsonHexId } from './hex.js';
import { jsonAttributes, jsonDouble, jsonResource, jsonScope, str } from './json-common.js';
import { histogramHasMinMax, histogramHasSum, temporalityEnum } from './metric-shape.js';

/**
 * Encodes `batch.metrics` as an OTLP JSON `ExportMetricsServiceRequest` string (same mapping
 * as the protobuf encoder; counts and times as decimal strings, OTLP-J5).
 *
 * @example
 * const json = encodeMetricsJson(batch); // POST to /v1/metrics as application/json
 */
export function encodeMetricsJson(batch: TelemetryBatch): string {
  const snapshot = batch.metrics;
  if (!snapshot || snapshot.metrics.length === 0) return '{"resourceMetrics":[]}';
  let out =
    '{"resourceMetrics":[{"resource":' + jsonResource(batch.resource) + ',"scopeMetrics":[{"scope":' + jsonScope(batch.scope) + ',"metrics":[';
  for (let i = 0; i < snapshot.metrics.length; i++) {
    if (i > 0) out += ',';
    out += jsonMetric(snapshot.metrics[i], snapshot);
  }
  return out + ']}]}]}';
}

function jsonMetric(m: MetricData, snapshot: MetricsSnapshot): string {
  let out = '{"name":' + str(m.name);
  if (m.help) out += ',"description":' + str(m.help);
  if (m.unit) out += ',"unit":' + str(m.unit);
  switch (m.type) {
    case 'counter':
    case 'updowncounter':
      return (
        out +
        ',"sum":{"dataPoints":' +
        joinPoints(m.points, jsonNumberPoint) +
        ',"aggregationTemporality":' +
        temporalityEnum(m, snapshot) +
        ',"isMonotonic":' +
        (m.type === 'counter') +
        '}}'
      );
    case 'gauge':
      return out + ',"gauge":{"dataPoints":' + joinPoints(m.points, jsonNumberPoint) + '}}';
    case 'histogram':
      return (
        out +
        ',"histogram":{"dataPoints":' +
        joinPoints(m.points, jsonHistogramPoint) +
        ',"aggregationTemporality":' +
        temporalityEnum(m, snapshot) +
        '}}'
      );
    case 'summary':
      return out + ',"summary":{"dataPoints":' + joinPoints(m.points, jsonSummaryPoint) + '}}';
  }
  return out + '}';
}

function joinPoints<P>(points: readonly P[], fn: (p: P) => string): string {
  let out = '[';
  for (let i = 0; i < points.length; i++) {
    if (i > 0) out += ',';
    out += fn(points[i]);
  }
  return out + ']';
}

function pointHead(p: { attributes: Readonly<Record<string, string>>; startTime: number; time: number }): string {
  return (
    '{"attributes":' +
    jsonAttributes(p.attributes) +
    ',"startTimeUnixNano":"' +
    msToUnixNano(p.startTime) +
    '","timeUnixNano":"' +
    msToUnixNano(p.time) +
    '"'
  );
}

function jsonNumberPoint(p: NumberPoint): string {
  return pointHead(p) + ',"asDouble":' + jsonDouble(p.value) + '}';
}

function jsonHistogramPoint(p: HistogramPoint): string {
  let out = pointHead(p) + ',"count":"' + p.count + '"';
  if (histogramHasSum(p)) out += ',"sum":' + jsonDouble(p.count === 0 ? 0 : p.sum);
  out += ',"bucketCounts":[';
  for (let i = 0; i < p.bucketCounts.length; i++) out += (i > 0 ? ',"' : '"') + p.bucketCounts[i] + '"';
  out += '],"explicitBounds":[';
  for (let i = 0; i < p.bounds.length; i++) out += (i > 0 ? ',' : '') + jsonDouble(p.bounds[i]);
  out += ']';
  if (p.exemplars && p.exemplars.length > 0) out += ',"exemplars":' + joinPoints(p.exemplars, jsonExemplar);
  if (histogramHasMinMax(p)) out += ',"min":' + jsonDouble(p.min) + ',"max":' + jsonDouble(p.max);
  return out + '}';
}

function jsonExemplar(e: ExemplarData): string {
  let out = '{"timeUnixNano":"' + msToUnixNano(e.time) + '","asDouble":' + jsonDouble(e.value);
  const span = jsonHexId(e.spanId, 16);
  const trace = jsonHexId(e.traceId, 32);
  if (span !== undefined) out += ',"spanId":"' + span + '"';
  if (trace !== undefined) out += ',"traceId":"' + trace + '"';
  return out + '}';
}

function jsonSummaryPoint(p: SummaryPoint): string {
  let out = pointHead(p) + ',"count":"' + p.count + '","sum":' + jsonDouble(p.sum) + ',"quantileValues":[';
  for (let i = 0; i < p.quantiles.length; i++) {
    const q = p.quantiles[i];
    out += (i > 0 ? ',' : '') + '{"quantile":' + jsonDouble(q.quantile) + ',"value":' + jsonDouble(q.value) + '}';
  }
  return out + ']}';
}
