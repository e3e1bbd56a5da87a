import type { SummaryPoint, PointAttributes } from '../model/metric-data.js';
import { now } from '../time.js';
import { perSecond, startTimer, type EndTimer } from './histogram.js';
import { Instrument, type InstrumentOwner, type LabelValues, type SeriesBase } from './instrument.js';
import { QuantileSketch } from './quantile-sketch.js';

export const DEFAULT_QUANTILES: readonly number[] = Object.freeze([0.5, 0.9, 0.95, 0.99]);

interface SummarySeries extends SeriesBase {
  count: number;
  sum: number;
  /** A value below zero was recorded (see SummaryPoint.negative). */
  negative: boolean;
  /** Ring of sketches; `head` is the one being filled, started at `headStart`. */
  ring: QuantileSketch[];
  head: number;
  headStart: number;
}

export interface SummaryOptions {
  quantiles: number[];
  maxAgeSeconds: number;
  ageBuckets: number;
}

export function checkSummaryOptions(metric: string, o: { quantiles?: unknown; maxAgeSeconds?: unknown; ageBuckets?: unknown }): SummaryOptions {
  const quantiles = o.quantiles === undefined ? DEFAULT_QUANTILES.slice() : o.quantiles;
  if (!Array.isArray(quantiles) || quantiles.some((q, i) => typeof q !== 'number' || !(q >= 0 && q <= 1) || (i > 0 && !(q > quantiles[i - 1])))) {
    throw new RangeError(`summary "${metric}": \`quantiles\` must be strictly increasing numbers in [0, 1], such as [0.5, 0.9, 0.99].`);
  }
  const maxAgeSeconds = o.maxAgeSeconds ?? 600;
  if (typeof maxAgeSeconds !== 'number' || !(maxAgeSeconds > 0)) {
    throw new RangeError(`summary "${metric}": \`maxAgeSeconds\` must be a number > 0, got ${String(maxAgeSeconds)}.`);
  }
  const ageBuckets = o.ageBuckets ?? 5;
  if (typeof ageBuckets !== 'number' || !Number.isInteger(ageBuckets) || ageBuckets < 1 || ageBuckets > 100) {
    throw new RangeError(`summary "${metric}": \`ageBuckets\` must be an integer from 1 to 100, got ${String(ageBuckets)}.`);
  }
  return { quantiles: quantiles as number[], maxAgeSeconds, ageBuckets };
}

/**
 * Quantiles over a sliding window (`maxAgeSeconds`, split into `ageBuckets` that rotate), with
 * count and sum over the series' lifetime, as Prometheus summaries have them. `L` as for {@link Counter}.
 */
export class Summary<L extends string = string> extends Instrument<SummarySeries, SummaryPoint, L> {
  readonly type = 'summary' as const;
  readonly #bucketMs: number;
  readonly #scale: number;

  constructor(owner: InstrumentOwner, name: string, help: string, unit: string, labelNames: readonly string[] | undefined, readonly options: SummaryOptions) {
    super(owner, name, help, unit, labelNames);
    this.#bucketMs = (options.maxAgeSeconds * 1000) / options.ageBuckets;
    this.#scale = perSecond(unit);
  }

  protected createSeries(attributes: PointAttributes, time: number): SummarySeries {
    const ring: QuantileSketch[] = [];
    for (let i = 0; i < this.options.ageBuckets; i++) ring.push(new QuantileSketch());
    return { attributes, startTime: time, deltaStart: time, dirty: false, removed: false, count: 0, sum: 0, negative: false, ring, head: 0, headStart: time };
  }

  observe(value: number, labels?: LabelValues<L>): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.notFinite('summary');
    const s = this.resolve(labels);
    if (s === undefined) return;
    this.rotate(s, now());
    s.ring[s.head].add(value);
    s.count++;
    s.sum += value;
    if (value < 0) s.negative = true;
    this.markDirty(s);
  }

  /** Starts a timer; calling the result observes the elapsed time in the summary's unit (with extra labels if given). */
  startTimer(labels?: LabelValues<L>): EndTimer<L> {
    return startTimer((v, l) => this.observe(v, l as LabelValues<L> | undefined), this.#scale, labels);
  }

  /** Clears the age buckets that have fallen out of the window. */
  private rotate(s: SummarySeries, t: number): void {
    let steps = Math.floor((t - s.headStart) / this.#bucketMs);
    if (steps <= 0) return;
    if (steps > s.ring.length) steps = s.ring.length;
    for (let i = 0; i < steps; i++) {
      s.head = (s.head + 1) % s.ring.length;
      s.ring[s.head].clear();
    }
    s.headStart = steps === s.ring.length ? t : s.headStart + steps * this.#bucketMs;
  }

  protected point(s: SummarySeries, time: number): SummaryPoint {
    this.rotate(s, time);
    const values = QuantileSketch.quantiles(s.ring, this.options.quantiles);
    const quantiles = this.options.quantiles.map((quantile, i) => ({ quantile, value: values[i] }));
    const p: { -readonly [K in keyof SummaryPoint]: SummaryPoint[K] } = { attributes: s.attributes, startTime: s.startTime, time, count: s.count, sum: s.sum, quantiles };
    if (s.negative) p.negative = true;
    return p;
  }
}
