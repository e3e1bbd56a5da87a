import { contextStorage } from '../context/active.js';
import { checkOptionKeys } from '../config/option-keys.js';
import type { ExemplarData, ExponentialHistogramPoint, PointAttributes } from '../model/metric-data.js';
import { now } from '../time.js';
import { measuredFor, openSpans } from '../trace/span.js';
import { addStates, copyState, emptyState, MAX_SCALE, MIN_SCALE, record, subtract, trim, type Buckets, type ExponentialState } from './exponential-buckets.js';
import { mergeHooks } from './merge-points.js';
import { keptExemplar, perSecond, startTimer, type BoundHistogram, type EndTimer } from './histogram.js';
import { Instrument, type InstrumentOwner, type LabelValues, type SeriesBase } from './instrument.js';

/** What `base2ExponentialBuckets()` returns: `createHistogram`'s `buckets` option for an {@link ExponentialHistogram}. */
export interface ExponentialBucketsOption {
  readonly kind: 'base2_exponential';
  /** The most buckets on each side of zero. */
  readonly maxSize: number;
  /** The scale a series starts at. */
  readonly maxScale: number;
  /** @internal The instrument's class: carried by the option, so that the collector does not import it. */
  readonly instrument: typeof ExponentialHistogram;
}

/**
 * Base-2 exponential buckets for `createHistogram` (OpenTelemetry's base2 exponential bucket
 * histogram): no bounds to choose, and every quantile read from the buckets within a relative
 * error of 2^(2^-scale) - 1 (under 0.6% at scale 7), whatever the values' range.
 *
 * @param options `maxSize`: the most buckets on each side of zero (default 160, from 2 to 16384;
 *   the scale drops to keep within it); `maxScale`: the scale a series starts at (default 20, from -10).
 * @example
 * ```ts
 * const latency = monitor.metrics.createHistogram('http.client.duration', 'Latency', { unit: 's', buckets: base2ExponentialBuckets() });
 * latency.observe(0.183, { route: '/users/:id' });
 * ```
 */
export function base2ExponentialBuckets(options: { maxSize?: number; maxScale?: number } = {}): ExponentialBucketsOption {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('base2ExponentialBuckets(options): options must be an object such as { maxSize: 160 }; for fixed bounds, pass an array of numbers as `buckets`.');
  }
  // A misspelt key (`maxsize`) left its default in force unseen.
  checkOptionKeys('base2ExponentialBuckets', options, { maxSize: 0, maxScale: 0 });
  const maxSize = options.maxSize ?? 160;
  // At least 2, as OpenTelemetry asks: with one bucket a side no scale could hold two values.
  if (typeof maxSize !== 'number' || !Number.isInteger(maxSize) || maxSize < 2 || maxSize > 16384) {
    throw new RangeError(`base2ExponentialBuckets: \`maxSize\` must be an integer from 2 to 16384 (buckets on each side of zero), got ${String(maxSize)}.`);
  }
  const maxScale = options.maxScale ?? MAX_SCALE;
  if (typeof maxScale !== 'number' || !Number.isInteger(maxScale) || maxScale < MIN_SCALE || maxScale > MAX_SCALE) {
    throw new RangeError(`base2ExponentialBuckets: \`maxScale\` must be an integer from ${MIN_SCALE} to ${MAX_SCALE}, got ${String(maxScale)}.`);
  }
  return { kind: 'base2_exponential', maxSize, maxScale, instrument: ExponentialHistogram };
}

interface ExponentialSeries extends SeriesBase {
  /** The buckets since the series started (or since its last reset, see deltaPoint). */
  state: ExponentialState;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** `state` and `count` as the previous delta collection left them (undefined: nothing sent yet). */
  sent: ExponentialState | undefined;
  sentCount: number;
  /** Since the previous delta collection, as the fixed-bucket histogram keeps them. */
  dSum: number;
  dMin: number;
  dMax: number;
  /** The latest observation made inside a sampled span. */
  exemplar: ExemplarData | undefined;
  /** The exemplar the previous delta collection sent. */
  exSent: ExemplarData | undefined;
}

/**
 * A histogram in base-2 exponential buckets (OpenTelemetry's exponential histogram), made by
 * `createHistogram(name, help, { buckets: base2ExponentialBuckets() })`: no bucket
 * bounds to choose, a relative error of at most 2^(2^-scale) - 1 on any quantile read from it, and
 * points that merge across isolates. Each series starts at scale 20 and lowers its scale as its
 * values spread, so that neither the positive nor the negative side needs more than `maxSize`
 * buckets (memory is bounded by it: with the default 160, at most 320 counts a series, twice that while
 * a cumulative reader and a delta reader both read it).
 *
 * OTLP receives `ExponentialHistogram` points; Prometheus text and OpenMetrics, which have no
 * such type, a classic histogram whose `le` bounds are the buckets' upper bounds at the current
 * scale. `L` as for {@link Counter}.
 */
export class ExponentialHistogram<L extends string = string> extends Instrument<ExponentialSeries, ExponentialHistogramPoint, L> {
  readonly type = 'exponential_histogram' as const;
  /** The most buckets either side of zero holds. */
  readonly maxSize: number;
  /** The scale a series starts at. */
  readonly maxScale: number;
  readonly #timeScale: number;

  constructor(owner: InstrumentOwner, name: string, help: string, unit: string, labelNames: readonly string[] | undefined, options: ExponentialBucketsOption) {
    super(owner, name, help, unit, labelNames);
    this.maxSize = options.maxSize;
    this.maxScale = options.maxScale;
    this.#timeScale = perSecond(unit);
    mergeHooks.exponential ??= addPoints;
  }

  protected createSeries(attributes: PointAttributes, time: number): ExponentialSeries {
    return {
      attributes,
      startTime: time,
      deltaStart: time,
      dirty: false,
      removed: false,
      state: emptyState(this.maxScale),
      count: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
      sent: undefined,
      sentCount: 0,
      dSum: 0,
      dMin: Infinity,
      dMax: -Infinity,
      exemplar: undefined,
      exSent: undefined,
    };
  }

  /** Records `value` (any finite number) into the series of `labels`. */
  observe(value: number, labels?: LabelValues<L>): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.notFinite('histogram');
    const s = this.resolve(labels);
    if (s !== undefined) this.#record(s, value);
  }

  #record(s: ExponentialSeries, v: number): void {
    record(s.state, v, this.maxSize);
    s.count++;
    s.sum += v;
    s.dSum += v;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
    if (v < s.dMin) s.dMin = v;
    if (v > s.dMax) s.dMax = v;
    if (this.owner.exemplars && openSpans.sampled > 0) {
      const span = measuredFor.span ?? contextStorage().get()?.span;
      if (span !== undefined && span.isRecording()) {
        const c = span.spanContext();
        if (c.traceFlags & 1) s.exemplar = { value: v, time: now(), traceId: c.traceId, spanId: c.spanId };
      }
    }
    this.markDirty(s);
  }

  /** Starts a timer; calling the result observes the elapsed time in the histogram's unit (with extra labels if given). */
  startTimer(labels?: LabelValues<L>): EndTimer<L> {
    return startTimer((v, l) => this.observe(v, l as LabelValues<L> | undefined), this.#timeScale, labels);
  }

  /** A handle on the series of `labels` (as `Histogram.bind`). */
  bind(labels?: LabelValues<L>): BoundHistogram {
    const observe = this.boundObserve(labels, (s, v) => this.#record(s, v));
    return { observe, startTimer: () => startTimer((v) => observe(v), this.#timeScale, undefined, true) };
  }

  protected override deltaPoint(s: ExponentialSeries, time: number): ExponentialHistogramPoint {
    const d = s.sent === undefined ? s.state : subtract(s.state, s.sent);
    // This interval's exemplar only, told by identity; with tail sampling, once its trace is kept (see Histogram.deltaPoint).
    const e = keptExemplar(this.owner, s.exemplar);
    const p = this.#point(s, s.deltaStart, time, d, s.count - s.sentCount, s.dSum, s.dMin, s.dMax, e !== s.exSent ? e : undefined);
    if (e) s.exSent = e;
    if (this.owner.cumulativeReader === false) {
      // Read as deltas only: the next interval starts from empty buckets at the finest scale,
      // as OpenTelemetry's delta aggregation does, instead of at the scale the series fell to.
      // A cumulative reader that comes later reads totals from now (its start time says so).
      s.state = emptyState(this.maxScale);
      s.count = s.sum = 0;
      s.min = Infinity;
      s.max = -Infinity;
      s.sent = undefined;
      s.sentCount = 0;
      (s as { startTime: number }).startTime = time;
    } else {
      s.sent = copyState(s.state);
      s.sentCount = s.count;
    }
    s.dSum = 0;
    s.dMin = Infinity;
    s.dMax = -Infinity;
    s.deltaStart = time;
    s.dirty = false;
    return p;
  }

  protected point(s: ExponentialSeries, time: number): ExponentialHistogramPoint {
    return this.#point(s, s.startTime, time, s.state, s.count, s.sum, s.min, s.max, keptExemplar(this.owner, s.exemplar));
  }

  #point(s: ExponentialSeries, start: number, time: number, st: ExponentialState, count: number, sum: number, min: number, max: number, e: ExemplarData | undefined): ExponentialHistogramPoint {
    const pos = trim(st.positive);
    const neg = trim(st.negative);
    return {
      attributes: s.attributes,
      startTime: start,
      time,
      count,
      sum,
      min,
      max,
      scale: st.scale,
      zeroCount: st.zero,
      positive: { offset: pos.offset, bucketCounts: pos.counts },
      negative: { offset: neg.offset, bucketCounts: neg.counts },
      exemplars: e === undefined ? undefined : [e],
    };
  }
}

/**
 * The buckets of two delta points of one series added (an OTLP export that failed, carried into
 * the next: see mergeHooks), at the finer of their scales where each side still spans no more
 * buckets than either point's sides did, nor than the default 160.
 */
function addPoints(a: ExponentialHistogramPoint, b: ExponentialHistogramPoint): Pick<ExponentialHistogramPoint, 'scale' | 'zeroCount' | 'positive' | 'negative'> {
  const sides = [a.positive, a.negative, b.positive, b.negative];
  const maxSize = Math.max(160, ...sides.map((x) => x.bucketCounts.length));
  const state = (p: ExponentialHistogramPoint): ExponentialState => ({
    scale: p.scale,
    zero: p.zeroCount,
    positive: { offset: p.positive.offset, counts: p.positive.bucketCounts.slice() },
    negative: { offset: p.negative.offset, counts: p.negative.bucketCounts.slice() },
  });
  const s = addStates(state(a), state(b), maxSize);
  const side = (x: Buckets) => {
    const t = trim(x);
    return { offset: t.offset, bucketCounts: t.counts };
  };
  return { scale: s.scale, zeroCount: s.zero, positive: side(s.positive), negative: side(s.negative) };
}
