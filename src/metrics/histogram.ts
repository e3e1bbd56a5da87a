import { contextStorage } from '../context/active.js';
import type { ExemplarData, HistogramPoint, PointAttributes } from '../model/metric-data.js';
import { now, secondsBetween } from '../time.js';
import { Instrument, type InstrumentOwner, type LabelValues, type SeriesBase } from './instrument.js';
import { measuredFor, openSpans, type Span } from '../trace/span.js';

/**
 * OpenTelemetry's recommended HTTP duration buckets in seconds (DN-03): durations in this
 * library are seconds, so the generic millisecond-shaped default (MET-07) would put every
 * request in the first bucket. A histogram in `ms`, `us` or `ns` gets them in its unit.
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

interface HistogramSeries extends SeriesBase {
  counts: Float64Array;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Counts and count at the previous delta collection (whole numbers: subtracting them is exact). */
  rCounts: Float64Array;
  rCount: number;
  /** The sum since the previous delta collection, kept apart for the reason given in counter.ts. */
  dSum: number;
  /** Min and max since the previous delta collection. */
  dMin: number;
  dMax: number;
  /** The latest sampled-span observation per bucket. */
  exemplars: (ExemplarData | undefined)[] | undefined;
  /** `exemplars` as the previous delta collection sent them. */
  exSent: (ExemplarData | undefined)[] | undefined;
}

/**
 * Records the elapsed time in the instrument's unit (seconds unless it is a UCUM time unit) when
 * called, with `labels` added to those given to `startTimer`; returns it. `L`: the instrument's label names.
 */
export type EndTimer<L extends string = string> = (labels?: LabelValues<L>) => number;

export interface BoundHistogram {
  observe(value: number): void;
  startTimer(): () => number;
}

// Time units a timer converts seconds to; any other unit (none, "{request}") gets seconds.
const PER_SECOND: Record<string, number> = { ms: 1e3, us: 1e6, ns: 1e9, min: 1 / 60, h: 1 / 3600, d: 1 / 86400 };

/** How many of `unit` make a second: a timer's factor, decided once per instrument. */
export function perSecond(unit: string): number {
  return Object.hasOwn(PER_SECOND, unit) ? PER_SECOND[unit] : 1;
}

/** A timer for histograms and summaries: the returned function observes the elapsed time times `scale` (seconds → the unit). */
export function startTimer(observe: (value: number, labels: LabelValues | undefined) => void, scale: number, labels?: LabelValues, bound?: boolean): EndTimer {
  const start = now();
  return (more?: LabelValues) => {
    const seconds = secondsBetween(start, now()) * scale;
    let l = labels;
    // A bound timer has its series: what it is passed (a `.then(end)` result) is not read at all.
    // Labels that cannot be copied (a throwing getter) go on as given, to be dropped and counted.
    if (more && !bound) {
      try {
        l = { ...labels, ...more };
      } catch {
        l = more;
      }
    }
    observe(seconds, l);
    return seconds;
  };
}

/**
 * `buckets` checked, or the default ones in the histogram's unit: the same 5 ms to 10 s of
 * duration in `ms`, `us` or `ns` (whole numbers), so a millisecond histogram does not put every
 * request in its last bucket. Other units keep the seconds.
 */
export function checkBuckets(metric: string, buckets: unknown, unit?: unknown): number[] {
  if (buckets === undefined) {
    // Only a string: any other unit is refused by the unit check, with its own message.
    const f = typeof unit == 'string' ? perSecond(unit) : 1;
    return f > 1 ? DEFAULT_BUCKETS.map((b) => Math.round(b * f)) : DEFAULT_BUCKETS.slice();
  }
  if (!Array.isArray(buckets)) throw new TypeError(`histogram "${metric}": \`buckets\` must be an array of numbers, or base2ExponentialBuckets().`);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      // A string quoted: "bucket 0 is 1" would read as a valid number.
      throw new TypeError(`histogram "${metric}": bucket ${i} is ${typeof b === 'string' ? JSON.stringify(b) : String(b)}; buckets must be finite numbers (+Inf is implied).`);
    }
    if (i > 0 && !(b > buckets[i - 1])) {
      throw new RangeError(`histogram "${metric}": buckets must be strictly increasing, but ${buckets[i - 1]} is followed by ${b}.`);
    }
  }
  return buckets.slice();
}

/** The bucket of `v` among more than 16 bounds: a binary search (up to 16, a scan is faster). */
function searchBuckets(b: Float64Array, v: number): number {
  let i = 0;
  let hi = b.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if (v > b[mid]) i = mid + 1;
    else hi = mid;
  }
  return i;
}

/**
 * `e`, unless tail sampling has not kept its trace: dropped, or not decided yet (its spans still
 * open), so an exemplar never points at a trace that was not exported.
 */
export const keptExemplar = (owner: InstrumentOwner, e: ExemplarData | undefined): ExemplarData | undefined =>
  e && (!owner.keptTraces || owner.keptTraces.has(e.traceId)) ? e : undefined;

/** A distribution of values in fixed buckets (latencies, sizes). `L` as for {@link Counter}. */
export class Histogram<L extends string = string> extends Instrument<HistogramSeries, HistogramPoint, L> {
  readonly type = 'histogram' as const;
  readonly bounds: readonly number[];
  readonly #b: Float64Array;
  readonly #scale: number;

  constructor(owner: InstrumentOwner, name: string, help: string, unit: string, labelNames: readonly string[] | undefined, buckets: number[]) {
    super(owner, name, help, unit, labelNames);
    this.bounds = Object.freeze(buckets);
    this.#b = Float64Array.from(buckets);
    this.#scale = perSecond(unit);
  }

  protected createSeries(attributes: PointAttributes, time: number): HistogramSeries {
    const n = this.#b.length + 1;
    return {
      attributes,
      startTime: time,
      deltaStart: time,
      dirty: false,
      removed: false,
      counts: new Float64Array(n),
      count: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
      rCounts: new Float64Array(n),
      rCount: 0,
      dSum: 0,
      dMin: Infinity,
      dMax: -Infinity,
      exemplars: undefined,
      exSent: undefined,
    };
  }

  observe(value: number, labels?: LabelValues<L>): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.notFinite('histogram');
    const s = this.resolve(labels);
    if (s !== undefined) this.record(s, value);
  }

  private record(s: HistogramSeries, v: number): void {
    const b = this.#b;
    const n = b.length;
    let i = 0;
    if (n <= 16) while (i < n && v > b[i]) i++;
    else i = searchBuckets(b, v);
    s.counts[i]++;
    s.count++;
    s.sum += v;
    s.dSum += v;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
    if (v < s.dMin) s.dMin = v;
    if (v > s.dMax) s.dMax = v;
    if (this.owner.exemplars && openSpans.sampled > 0) {
      const span = measuredFor.span ?? contextStorage().get()?.span;
      if (span !== undefined) this.#keepExemplar(s, span, v, i);
    }
    this.markDirty(s);
  }

  /** The latest sampled-span observation of bucket `i` (its own method: a first observation outside a span never compiles it). */
  #keepExemplar(s: HistogramSeries, span: Span, v: number, i: number): void {
    if (!span.isRecording()) return;
    const c = span.spanContext();
    if (c.traceFlags & 1) (s.exemplars ??= new Array(this.#b.length + 1))[i] = { value: v, time: now(), traceId: c.traceId, spanId: c.spanId };
  }

  /** Starts a timer; calling the result observes the elapsed time in the histogram's unit (with extra labels if given). */
  startTimer(labels?: LabelValues<L>): EndTimer<L> {
    return startTimer((v, l) => this.observe(v, l as LabelValues<L> | undefined), this.#scale, labels);
  }

  /**
   * A handle on the series of `labels`. Labels that are misuse make every call through it a
   * counted drop; after `remove()` or `reset()` its next call finds or makes the series again.
   */
  bind(labels?: LabelValues<L>): BoundHistogram {
    const observe = this.boundObserve(labels, (s, v) => this.record(s, v));
    // The bound timer takes no labels: what its result is called with is not passed on.
    return { observe, startTimer: () => startTimer((v) => observe(v), this.#scale, undefined, true) };
  }

  protected override deltaPoint(s: HistogramSeries, time: number): HistogramPoint {
    // This interval's exemplars only; the array itself stays, since a cumulative reader
    // (Prometheus /metrics beside OTLP deltas) shows each bucket's latest one. Told by identity,
    // not by time: on a clock that stands still between I/O (workerd) an exemplar already sent
    // has the time the interval starts at.
    const start = s.deltaStart;
    const ex = s.exemplars;
    let recent: ExemplarData[] | undefined;
    if (ex !== undefined) {
      const sent = s.exSent;
      const next = ex.slice();
      recent = [];
      for (let i = 0; i < ex.length; i++) {
        const e = keptExemplar(this.owner, ex[i]);
        // One whose trace tail sampling has not kept (yet) is not marked sent: it goes with a later point if its trace is kept.
        if (e === undefined) next[i] = sent?.[i];
        else if (e !== sent?.[i]) recent.push(e);
      }
      s.exSent = next;
    }
    const counts = new Array<number>(s.counts.length);
    for (let i = 0; i < counts.length; i++) counts[i] = s.counts[i] - s.rCounts[i];
    const p: HistogramPoint = {
      attributes: s.attributes,
      startTime: start,
      time,
      count: s.count - s.rCount,
      sum: s.dSum,
      min: s.dMin,
      max: s.dMax,
      bounds: this.bounds,
      bucketCounts: counts,
      exemplars: recent && recent.length > 0 ? recent : undefined,
    };
    s.rCounts.set(s.counts);
    s.rCount = s.count;
    s.dSum = 0;
    s.dMin = Infinity;
    s.dMax = -Infinity;
    s.deltaStart = time;
    s.dirty = false;
    return p;
  }

  protected point(s: HistogramSeries, time: number): HistogramPoint {
    return {
      attributes: s.attributes,
      startTime: s.startTime,
      time,
      count: s.count,
      sum: s.sum,
      min: s.min,
      max: s.max,
      bounds: this.bounds,
      bucketCounts: Array.from(s.counts),
      exemplars: s.exemplars ? (s.exemplars.filter((e) => keptExemplar(this.owner, e)) as ExemplarData[]) : undefined,
    };
  }
}
