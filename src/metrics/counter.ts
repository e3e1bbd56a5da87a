import type { NumberPoint, PointAttributes } from '../model/metric-data.js';
import { Instrument, valueArg, labelsArg, unlessOverflow, type LabelValues, type SeriesBase } from './instrument.js';

interface SumSeries extends SeriesBase {
  value: number;
  /**
   * Added since the previous delta collection, summed on its own: `value - previous value`
   * would report 1.4999999999999996 for one increment of 1.5 after 0.1.
   */
  delta: number;
}

/** A pre-resolved series: the fastest way to record into one attribute set. */
export interface BoundCounter {
  increment(value?: number): void;
}

abstract class SumInstrument<L extends string> extends Instrument<SumSeries, NumberPoint, L> {
  protected createSeries(attributes: PointAttributes, time: number): SumSeries {
    return { attributes, startTime: time, deltaStart: time, dirty: false, removed: false, value: 0, delta: 0 };
  }

  protected bump(s: SumSeries, v: number): void {
    s.value += v;
    s.delta += v;
    this.markDirty(s);
  }

  protected point(s: SumSeries, time: number): NumberPoint {
    return { attributes: s.attributes, startTime: s.startTime, time, value: s.value };
  }
}

/**
 * A value that only goes up (requests, errors, bytes sent). `L`: its label names, from the
 * `labelNames` it was created with (any name when none were given).
 */
export class Counter<L extends string = string> extends SumInstrument<L> {
  readonly type = 'counter' as const;

  /** prom-client's order, `inc(labels, value)`: adds `value` (default 1) to the series of `labels`. */
  increment(labels: LabelValues<L>, value?: number): void;
  /** Adds `value` (default 1, must be ≥ 0 and finite) to the series of `labels` (or `increment(labels)`: 1). */
  increment(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  increment(value?: number | LabelValues<L>, labels?: LabelValues<L> | number): void {
    const v = valueArg(value, 1, labels);
    const l = labelsArg(value, labels);
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
      this.#rejectValue(v);
      return;
    }
    const s = this.resolve(l);
    if (s !== undefined) this.bump(s, v);
  }

  /** prom-client's order, as `increment`. */
  add(labels: LabelValues<L>, value?: number): void;
  /** Alias of `increment`, for OpenTelemetry habits. */
  add(value: number, labels?: LabelValues<L>): void;
  add(value: number | LabelValues<L>, labels?: LabelValues<L> | number): void {
    this.increment(value, labels as LabelValues<L>);
  }

  /**
   * A handle on the series of `labels`. Labels that are misuse make every call through it a
   * counted drop; after `remove()` or `reset()` its next call finds or makes the series again.
   */
  bind(labels?: LabelValues<L>): BoundCounter {
    let s = unlessOverflow(this.resolve(labels));
    return {
      increment: (value = 1) => {
        if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return this.#rejectValue(value);
        if (s === undefined || s.removed) {
          // resolve() counts the drop when the labels are misuse or the monitor is closed, and
          // each value diverted to the overflow series (not kept: resolved again next call).
          const r = this.resolve(labels);
          if (r === undefined) return;
          s = unlessOverflow(r);
          this.bump(r, value);
          return;
        } else if (this.owner.closed) return this.afterShutdown();
        this.bump(s, value);
      },
    };
  }

  #rejectValue(v: unknown): void {
    if (typeof v === 'number' && v < 0) this.drop('negative_increment', `counter "${this.name}" got a negative increment; counters only go up (use a gauge or an up-down counter)`);
    else this.notFinite('counter');
  }

  protected override deltaPoint(s: SumSeries, time: number): NumberPoint {
    const p = { attributes: s.attributes, startTime: s.deltaStart, time, value: s.delta };
    s.delta = 0;
    s.deltaStart = time;
    s.dirty = false;
    return p;
  }
}

/** A sum that goes up and down (items in a queue, open connections); always cumulative (ENV-08). `L` as for {@link Counter}. */
export class UpDownCounter<L extends string = string> extends SumInstrument<L> {
  readonly type = 'updowncounter' as const;

  add(labels: LabelValues<L>, value?: number): void;
  add(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  add(value: number | LabelValues<L> = 1, labels?: LabelValues<L> | number): void {
    const v = valueArg(value, 1, labels);
    const l = labelsArg(value, labels);
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.notFinite('up-down counter');
    const s = this.resolve(l);
    if (s !== undefined) this.bump(s, v);
  }

  increment(labels: LabelValues<L>, value?: number): void;
  increment(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  increment(value: number | LabelValues<L> = 1, labels?: LabelValues<L> | number): void {
    this.add(value, labels as LabelValues<L>);
  }

  decrement(labels: LabelValues<L>, value?: number): void;
  decrement(value?: number | LabelValues<L>, labels?: LabelValues<L>): void;
  decrement(value: number | LabelValues<L> = 1, labels?: LabelValues<L> | number): void {
    const v = valueArg(value, 1, labels);
    const l = labelsArg(value, labels);
    this.add(typeof v === 'number' ? -v : (v as number), l);
  }
}
