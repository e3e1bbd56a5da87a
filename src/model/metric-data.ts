
export type Temporality = 'delta' | 'cumulative';
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'exponential_histogram' | 'summary' | 'updowncounter';

/** A trace-linked sample value attached to a histogram point (OTLP `Exemplar`). */
export interface ExemplarData {
  readonly value: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * A point's attributes: the series' labels, each value with the type it was first given (a
 * status code recorded as 200 is the number 200), or `otel.metric.overflow: true` on the
 * cardinality-overflow series (MET-11).
 */
export type PointAttributes = Readonly<Record<string, string | number | boolean>>;

interface PointBase {
  readonly attributes: PointAttributes;
  /** Epoch ms at which this point's interval starts (delta: the previous collection; cumulative: series creation). */
  readonly startTime: number;
  /** Epoch ms of the collection. */
  readonly time: number;
}

/** Counter, up-down counter and gauge points. */
export interface NumberPoint extends PointBase {
  readonly value: number;
}

export interface HistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Upper-inclusive bucket bounds, strictly increasing. */
  readonly bounds: readonly number[];
  /** Per-bucket (not cumulative) counts; one more entry than `bounds` (MET-06). */
  readonly bucketCounts: readonly number[];
  readonly exemplars?: readonly ExemplarData[];
}

/** One side's buckets of an exponential histogram point: `bucketCounts[j]` is bucket `offset + j`. */
export interface ExponentialBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

/**
 * A base-2 exponential histogram point (OTLP `ExponentialHistogramDataPoint`): at `scale` the
 * base is 2^(2^-scale) and positive bucket `i` holds (base^i, base^(i+1)]; negative bucket `i`
 * the same magnitudes below zero; `zeroCount` the values equal to 0.
 */
export interface ExponentialHistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly scale: number;
  readonly zeroCount: number;
  readonly positive: ExponentialBuckets;
  readonly negative: ExponentialBuckets;
  readonly exemplars?: readonly ExemplarData[];
}

export interface SummaryPoint extends PointBase {
  /** Count and sum since the series started (cumulative) or since the previous delta collection. */
  readonly count: number;
  readonly sum: number;
  /** Quantiles over the summary's sliding window, ascending by `quantile`. NaN when the window is empty. */
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
  /**
   * True once the series recorded a value below zero: its sum and quantiles may have come back
   * above zero (−1, then nine 100s: sum 899), yet OTLP and OpenMetrics leave the sum out (MET-09).
   */
  readonly negative?: boolean;
}

interface MetricBase {
  readonly name: string;
  readonly help: string;
  /** UCUM unit, '' when none. */
  readonly unit: string;
  readonly temporality: Temporality;
}

export interface CounterMetric extends MetricBase {
  readonly type: 'counter';
  readonly points: readonly NumberPoint[];
  /**
   * @internal An observable counter's (OpenTelemetry bridge) delta collection: its cumulative
   * points, which an OTLP backend with `temporality: 'lowmemory'` sends instead (ENV-08). Not enumerable.
   */
  readonly totals?: readonly NumberPoint[];
}
export interface UpDownCounterMetric extends MetricBase {
  readonly type: 'updowncounter';
  readonly points: readonly NumberPoint[];
}
export interface GaugeMetric extends MetricBase {
  readonly type: 'gauge';
  readonly points: readonly NumberPoint[];
}
export interface HistogramMetric extends MetricBase {
  readonly type: 'histogram';
  readonly points: readonly HistogramPoint[];
}
export interface ExponentialHistogramMetric extends MetricBase {
  readonly type: 'exponential_histogram';
  readonly points: readonly ExponentialHistogramPoint[];
}
export interface SummaryMetric extends MetricBase {
  readonly type: 'summary';
  readonly points: readonly SummaryPoint[];
}

export type MetricData = CounterMetric | UpDownCounterMetric | GaugeMetric | HistogramMetric | ExponentialHistogramMetric | SummaryMetric;

/** What `monitor.metrics.collect()` returns and what metric backends receive. */
export interface MetricsSnapshot {
  readonly temporality: Temporality;
  /** Epoch ms of the collection. */
  readonly time: number;
  readonly metrics: readonly MetricData[];
}
