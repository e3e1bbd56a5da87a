import type { NumberPoint, PointAttributes } from '../model/metric-data.js';
import { now } from '../time.js';
import { Instrument, valueArg, labelsArg, type LabelValues, type SeriesBase } from './instrument.js';

interface GaugeSeries extends SeriesBase {
  value: number;
}

/** A value that is set, or moved up and down (temperature, queue depth, last run time). `L` as for {@link Counter}. */
export class Gauge<L extends string = string> extends Instrument<GaugeSeries, NumberPoint, L> {
  readonly type = 'gauge' as const;

  protected createSeries(attributes: PointAttributes, time: number): GaugeSeries {
    return { attributes, startTime: time, deltaStart: time, dirty: false, removed: false, value: 0 };
  }

  set(value: number, labels?: LabelValues<L>): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return this.drop('invalid_value', `gauge "${this.name}" was set to a value that is not a number; it was dropped`);
    const s = this.resolve(labels);
    if (s === undefined) return;
    s.value = value;
    this.markDirty(s);
  }

  increment(labels: LabelValues<L>, value?: number): void;
  increment(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  increment(value: number | LabelValues<L> = 1, labels?: LabelValues<L> | number): void {
    const v = valueArg(value, 1, labels);
    const l = labelsArg(value, labels);
    this.#move(v, l, 1);
  }

  decrement(labels: LabelValues<L>, value?: number): void;
  decrement(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  decrement(value: number | LabelValues<L> = 1, labels?: LabelValues<L> | number): void {
    const v = valueArg(value, 1, labels);
    const l = labelsArg(value, labels);
    this.#move(v, l, -1);
  }

  /** Sets the gauge to the current time in seconds. */
  setToCurrentTime(labels?: LabelValues<L>): void {
    this.set(now() / 1000, labels);
  }

  #move(v: unknown, labels: LabelValues | undefined, sign: 1 | -1): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.drop('invalid_value', `gauge "${this.name}" got a change that is not a finite number; it was dropped`);
    const s = this.resolve(labels);
    if (s === undefined) return;
    s.value += sign * v;
    this.markDirty(s);
  }

  protected override deltaPoint(s: GaugeSeries, time: number): NumberPoint {
    s.dirty = false;
    const p = { attributes: s.attributes, startTime: s.deltaStart, time, value: s.value };
    s.deltaStart = time;
    return p;
  }

  protected point(s: GaugeSeries, time: number): NumberPoint {
    return { attributes: s.attributes, startTime: s.startTime, time, value: s.value };
  }
}
