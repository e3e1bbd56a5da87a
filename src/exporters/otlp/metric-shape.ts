import type { HistogramPoint, MetricData, MetricsSnapshot } from '../../model/metric-data.js';

/** OTLP `AggregationTemporality`: DELTA=1, CUMULATIVE=2 (MET-02). */
export function temporalityEnum(metric: MetricData, snapshot: MetricsSnapshot): 1 | 2 {
  return (metric.temporality ?? snapshot.temporality) === 'cumulative' ? 2 : 1;
}

/**
 * Whether a histogram point may carry `sum`: OTLP asks to leave it unset once negative values
 * were recorded (MET-06, OpenMetrics compatibility); an empty point has sum 0.
 */
export function histogramHasSum(p: HistogramPoint): boolean {
  return p.count === 0 || !(p.min < 0);
}

/** min/max are meaningful only for a non-empty point with finite extremes. */
export function histogramHasMinMax(p: HistogramPoint): boolean {
  return p.count > 0 && Number.isFinite(p.min) && Number.isFinite(p.max);
}

/** Data points in a snapshot: what `rejected.dataPoints` counts when a metrics export fails. */
export function countDataPoints(snapshot: MetricsSnapshot | undefined): number {
  if (!snapshot) return 0;
  let n = 0;
  for (const m of snapshot.metrics) n += m.points.length;
  return n;
}
