import { checkOptionKeys, kindOf } from '../config/option-keys.js';
import { renderRules, type PrometheusRulesOptions } from './prometheus-rules.js';

/** What the SLO measures: success of events, or events faster than `thresholdMs`. */
export type SLOKind = 'availability' | 'latency';

/** Options of `new SLO(...)`. */
export interface SLOOptions {
  /** Identifier: the `slo` label of the SLI metrics and rules ([A-Za-z_][A-Za-z0-9_.:-]*). */
  name: string;
  /**
   * The objective, as a percentage (`99.9`) or a ratio (`0.999`): values below 1 are ratios,
   * values from 1 up to (not including) 100 are percentages. `1` is refused as ambiguous.
   */
  target: number;
  /** The rolling window the SLO is measured over, in seconds (for example 30 days = 2592000). */
  windowSeconds: number;
  /** Default: `latency` when `thresholdMs` is given, else `availability`. */
  kind?: SLOKind;
  /** Latency SLOs: an event is good when it took at most this many milliseconds. */
  thresholdMs?: number;
  /**
   * Width of the time buckets that hold the counts (default: the window ÷ 8640, at least 1 s
   * but never more than the window; 5 minutes for a 30-day window). Memory is window ÷ bucket,
   * whatever the traffic. Windows slide: a bucket partly inside one counts for that part, its
   * events taken as spread evenly over it, so a 5 m window is the last 5 minutes at every moment
   * even with 5-minute buckets.
   */
  bucketSeconds?: number;
  /**
   * Least events a long alert window must hold before its alert may fire (default 1). With
   * low traffic one error is a huge burn rate (SLO-07); raise this to wait for evidence. The
   * Prometheus rules hold their alerts the same way (`increase()` of the events counter over the
   * long window); where `minWindowSeconds` widens the window, both scale it to the wider range.
   */
  minEvents?: number;
}

const KNOWN: Record<keyof SLOOptions, 0> = { name: 0, target: 0, windowSeconds: 0, kind: 0, thresholdMs: 0, bucketSeconds: 0, minEvents: 0 };

/** One multi-window burn-rate alert (SLO-05), scaled to the SLO's window. */
export interface BurnRateWindow {
  severity: 'page' | 'ticket';
  longWindowSeconds: number;
  shortWindowSeconds: number;
  /** Alert when both windows burn faster than this. */
  burnRate: number;
  /** Share of the error budget spent in the long window when the alert fires. */
  budgetConsumed: number;
}

// The SRE Workbook table for a 30-day SLO (SLO-05): long window, short window, burn rate.
const THIRTY_DAYS = 30 * 86400;
const TABLE: readonly [BurnRateWindow['severity'], number, number, number][] = [
  ['page', 3600, 300, 14.4],
  ['page', 6 * 3600, 1800, 6],
  ['ticket', 3 * 86400, 6 * 3600, 1],
];

function normaliseTarget(name: string, target: unknown): number {
  // 99.9 / 100 is 0.9990000000000001: rounded to 15 significant digits, 99.9 and 0.999 are one
  // number, so meeting the objective exactly counts as meeting it.
  const ratio = typeof target === 'number' ? +(target < 1 ? target : target / 100).toPrecision(15) : NaN;
  if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0 || target >= 100 || target === 1 || !(ratio < 1)) {
    throw new RangeError(
      `SLO "${name}": target must be a percentage in [1, 100) such as 99.9, or a ratio in (0, 1) such as 0.999; got ${kindOf(target)}` +
        (target === 1 ? ' (ambiguous: write 0.01 for 1 %; 100 % leaves no error budget)' : ratio >= 1 ? ' (100 % leaves no error budget: nothing could ever fail; use a target below it, such as 99.99)' : ''),
    );
  }
  return ratio;
}

/**
 * A service level objective (the original's `SLO`). Burn-rate alert windows are the SRE
 * Workbook's 1 h/5 m (14.4), 6 h/30 m (6) and 3 d/6 h (1) for 30 days, scaled in proportion to
 * `windowSeconds`, which keeps the budget each alert consumes (2 %, 5 %, 10 %) the same.
 *
 * @example
 * ```ts
 * const availability = new SLO({ name: 'checkout', target: 99.9, windowSeconds: 30 * 86400 });
 * const latency = new SLO({ name: 'api_latency', target: 99, windowSeconds: 3600, thresholdMs: 300 });
 * ```
 */
export class SLO {
  readonly name: string;
  /** The objective as a ratio (0.999 for 99.9 % and for 0.999 alike). */
  readonly target: number;
  readonly windowSeconds: number;
  readonly kind: SLOKind;
  readonly thresholdMs: number | undefined;
  readonly bucketSeconds: number;
  readonly minEvents: number;
  readonly windows: readonly BurnRateWindow[];
  /**
   * thresholdMs in seconds, compared with a latency as given: `latency * 1000` rounds up past the
   * threshold for some values (2.007 * 1000 is 2007.0000000000002), while 2007 / 1000 is the
   * same double as the literal 2.007, so a latency exactly at the threshold is good.
   */
  private readonly thresholdSeconds: number;

  constructor(options: SLOOptions) {
    if (!options || typeof options !== 'object') throw new TypeError('new SLO(options): options must be an object');
    const name = options.name;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/.test(name)) {
      throw new TypeError(`SLO name must match [A-Za-z_][A-Za-z0-9_.:-]* (it becomes a label value), got ${JSON.stringify(name)}`);
    }
    this.name = name;
    // An SLO spread into new options (`{ ...slo, name: 'b' }`, valid before keys were checked)
    // brings the fields it derives: recomputed below, not misspellings.
    const { windows: _w, thresholdSeconds: _t, ...given } = options as SLOOptions & Record<string, unknown>;
    checkOptionKeys(`SLO ${JSON.stringify(name)}`, given, KNOWN);
    this.target = normaliseTarget(name, options.target);
    const w = options.windowSeconds;
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) throw new RangeError(`SLO "${name}": windowSeconds must be a positive number of seconds, got ${kindOf(w)}`);
    this.windowSeconds = w;
    const kind = options.kind ?? (options.thresholdMs !== undefined ? 'latency' : 'availability');
    if (kind !== 'availability' && kind !== 'latency') throw new TypeError(`SLO "${name}": kind must be 'availability' or 'latency', got ${String(kind)}`);
    this.kind = kind;
    if (kind === 'latency') {
      const t = options.thresholdMs;
      if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw new RangeError(`SLO "${name}": a latency SLO needs thresholdMs, a number of milliseconds > 0, got ${kindOf(t)}`);
    } else if (options.thresholdMs !== undefined) {
      // An availability SLO counts outcomes; a threshold given with it would be ignored unseen.
      throw new TypeError(`SLO "${name}": thresholdMs is for latency SLOs; remove it, or remove kind: 'availability'`);
    }
    this.thresholdMs = options.thresholdMs;
    this.thresholdSeconds = kind === 'latency' ? (options.thresholdMs as number) / 1000 : Infinity;
    const bucket = options.bucketSeconds ?? Math.min(w, Math.max(1, w / 8640));
    if (typeof bucket !== 'number' || !(bucket > 0) || bucket > w) throw new RangeError(`SLO "${name}": bucketSeconds must be a number of seconds > 0 and at most windowSeconds (${w}), got ${kindOf(bucket)}`);
    if (w / bucket > 100_000) throw new RangeError(`SLO "${name}": windowSeconds / bucketSeconds is ${Math.ceil(w / bucket)}; keep it at most 100000 buckets`);
    this.bucketSeconds = bucket;
    const minEvents = options.minEvents ?? 1;
    // Infinity would hold every alert forever.
    if (typeof minEvents !== 'number' || !(minEvents >= 0) || minEvents === Infinity) throw new RangeError(`SLO "${name}": minEvents must be a finite number ≥ 0, got ${kindOf(minEvents)}`);
    this.minEvents = minEvents;
    const scale = w / THIRTY_DAYS;
    this.windows = TABLE.map(([severity, long, short, burnRate]) => ({
      severity,
      longWindowSeconds: long * scale,
      shortWindowSeconds: short * scale,
      burnRate,
      budgetConsumed: (burnRate * long) / THIRTY_DAYS,
    }));
  }

  /**
   * The error budget as a ratio: 1 − target (SLO-01), rounded as the Prometheus rules write it
   * (1 − 0.999 is 0.0010000000000000009 in floating point; this is 0.001).
   */
  get errorBudget(): number {
    return +(1 - this.target).toPrecision(12);
  }

  /**
   * Whether an observation is a good event: a boolean is the outcome itself; a number is a
   * latency in seconds, good when at most `thresholdMs` (availability SLOs count any finite
   * latency as a success). Undefined for values that are neither.
   */
  isGood(value: number | boolean): boolean | undefined {
    if (typeof value === 'boolean') return value;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
    return value <= this.thresholdSeconds;
  }

  /**
   * Prometheus recording rules for the error ratio over each alert window, and the
   * multi-window multi-burn-rate alerts (`SLOErrorBudgetBurn`, severity page and ticket), over
   * the SLI counters an `SLOMonitor` records. YAML for `rule_files`; `promtool check rules` accepts it.
   *
   * @example
   * ```ts
   * await Deno.writeTextFile('slo-rules.yml', slo.toPrometheusRules());
   * ```
   */
  toPrometheusRules(options?: PrometheusRulesOptions): string {
    return renderRules([this], options);
  }
}
