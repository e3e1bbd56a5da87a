import type { ExponentialHistogramPoint, HistogramPoint, MetricData, MetricsSnapshot, NumberPoint, SummaryPoint } from '../../model/metric-data.js';
import { isInt64 } from './proto-common.js';

/** OTLP `AggregationTemporality`: DELTA=1, CUMULATIVE=2 (MET-02). */
export function temporalityEnum(metric: MetricData, snapshot: MetricsSnapshot): 1 | 2 {
  return (metric.temporality ?? snapshot.temporality) === 'cumulative' ? 2 : 1;
}

/**
 * Whether a number metric's points go out as `as_int` (MET-03) rather than `as_double`: the
 * core's own instruments record doubles, so a series never switches value type when a fractional
 * increment arrives; data marked `valueType: 'int'` (an `@opentelemetry/api` instrument created
 * with `ValueType.INT`, whose values the bridge truncates as sdk-metrics does) holds integers.
 * Decided for the whole metric: if any point is not an int64 (the app's own handle on the same
 * instrument added a fraction, or a value passed int64), all go as doubles, so one metric never
 * mixes the two.
 */
export function isIntMetric(metric: MetricData): boolean {
  if ((metric as { valueType?: unknown }).valueType !== 'int') return false;
  for (const p of metric.points as NumberPoint[]) if (!isInt64(p.value)) return false;
  return true;
}

/**
 * Whether a histogram point may carry `sum`: OTLP asks to leave it unset once negative values
 * were recorded (MET-06, OpenMetrics compatibility); an empty point has sum 0.
 */
export function histogramHasSum(p: HistogramPoint | ExponentialHistogramPoint): boolean {
  return p.count === 0 || !(p.min < 0);
}

/**
 * Whether a summary point recorded negative values: OTLP forbids negative quantile values and
 * asks to leave `sum` unset then (MET-09), so the encoders leave out both. The series says so
 * (`negative`): its sum and quantiles may be back above zero.
 */
export function summaryHasNegative(p: SummaryPoint): boolean {
  if (p.negative === true || p.sum < 0) return true;
  for (const q of p.quantiles) if (q.value < 0) return true;
  return false;
}

/** Summary points sent without their negative quantiles and sum (see summaryHasNegative). */
export function countNegativeSummaries(snapshot: MetricsSnapshot | undefined): number {
  let n = 0;
  if (snapshot) for (const m of snapshot.metrics) if (m.type === 'summary') for (const p of m.points) if (summaryHasNegative(p)) n++;
  return n;
}

/** min/max are meaningful only for a non-empty point with finite extremes. */
export function histogramHasMinMax(p: HistogramPoint | ExponentialHistogramPoint): boolean {
  return p.count > 0 && Number.isFinite(p.min) && Number.isFinite(p.max);
}

/** Data points in a snapshot: what `rejected.dataPoints` counts when a metrics export fails. */
export function countDataPoints(snapshot: MetricsSnapshot | undefined): number {
  if (!snapshot) return 0;
  let n = 0;
  for (const m of snapshot.metrics) n += m.points.length;
  return n;
}
