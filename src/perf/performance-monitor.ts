import { checkOptionKeys } from '../config/option-keys.js';
import { checkMetricName } from '../metrics/names.js';
import { QuantileSketch } from '../metrics/quantile-sketch.js';
import type { Histogram } from '../metrics/histogram.js';
import { runInSpan } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import { now } from '../time.js';
import type { Span } from '../trace/span.js';
import { isThenable, whenSettled } from '../trace/thenable.js';
import { failCall } from '../wrappers/error-type.js';

/** Options of `new PerformanceMonitor(...)`. */
export interface PerformanceMonitorOptions {
  /** Record each operation in this histogram (seconds, label `operation`) when a monitor is given; default `performance_operation_duration_seconds`. Set `false` for none. */
  histogram?: string | false;
  /** Start a span per tracked operation when a monitor is given (default true). */
  spans?: boolean;
  /** Distinct operation names kept in `stats` (default 1000); later names are not kept. */
  maxOperations?: number;
}

const KNOWN: Record<keyof PerformanceMonitorOptions, 0> = { histogram: 0, spans: 0, maxOperations: 0 };

/** Summary statistics of one operation, in milliseconds. */
export interface PerformanceStats {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** A running measurement: `durationMs` grows until `end()`, then stays. */
export interface TrackHandle {
  readonly name: string;
  /** Elapsed milliseconds: live while running, final after `end()`. */
  readonly durationMs: number;
  readonly ended: boolean;
  /**
   * Stops the clock and records the duration (once; later calls return the same value). An
   * `error` other than `undefined` or `null` marks the operation failed (span ERROR), so a
   * Node-style callback's `err` can be passed as it is.
   */
  end(error?: unknown): number;
  [Symbol.dispose](): void;
}

interface Stat {
  sketch: QuantileSketch;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Times operations (the original's `PerformanceMonitor`): `track` for a block, `measure` for
 * a function, `stats` for count, mean, min, max and p50/p95/p99 from a bounded quantile sketch
 * (about 0.5 % relative error, memory bounded by the value range). Given a monitor it also
 * records a histogram in seconds and a span per operation.
 *
 * @example
 * ```ts
 * const perf = new PerformanceMonitor(monitor);
 * {
 *   using t = perf.track('expensive_op');
 *   await doExpensiveWork();
 * } // ended here
 * const rows = await perf.measure('load_rows', () => db.all());
 * perf.stats('expensive_op'); // { count, mean, min, max, p50, p95, p99 }
 * ```
 */
export class PerformanceMonitor {
  private readonly stats_ = new Map<string, Stat>();
  private readonly maxOperations: number;
  private histogram: Histogram | null | undefined;
  /** The histogram asked for could not be made (a name clash): each duration not recorded is counted. */
  private histogramLost = false;

  constructor(
    private readonly monitor?: Monitor,
    private readonly options: PerformanceMonitorOptions = {},
  ) {
    // Configuration throws here (DESIGN §5). Options passed first (as other constructors take
    // one options object) used to pass for a monitor and make every end() throw.
    if (monitor !== undefined && (monitor === null || typeof monitor !== 'object' || !('diag' in monitor) || !('tracer' in monitor) || !('metrics' in monitor))) {
      throw new TypeError('new PerformanceMonitor(monitor?, options?): the first argument must be a Monitor or undefined; options go second');
    }
    if (options === null || typeof options !== 'object') throw new TypeError('new PerformanceMonitor(monitor?, options?): options must be an object');
    checkOptionKeys('PerformanceMonitor', options, KNOWN);
    const max = options.maxOperations ?? 1000;
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`PerformanceMonitor: maxOperations must be an integer ≥ 0, got ${String(max)}`);
    this.maxOperations = max;
    // `spans: 'false'` (an env var) would keep spans on.
    const spans: unknown = options.spans;
    if (spans !== undefined && typeof spans !== 'boolean') throw new TypeError(`PerformanceMonitor: spans must be true or false, got ${typeof spans === 'string' ? JSON.stringify(spans) : String(spans)}`);
    // The histogram is made at first use, but a bad name is a mistake to show now.
    if (options.histogram !== undefined && options.histogram !== false) checkMetricName(options.histogram);
  }

  /**
   * Starts timing `name`; end it with `end()` or a `using` declaration. Its span is not made
   * active (a block has no portable way to scope it): for spans and logs inside to be its
   * children, use `measure()`.
   */
  track(name: string, attributes?: Record<string, unknown>): TrackHandle {
    return this.open(name, this.startSpan(name, attributes)).handle;
  }

  private startSpan(name: string, attributes: Record<string, unknown> | undefined): Span | undefined {
    if (!this.monitor || this.options.spans === false) return undefined;
    try {
      return this.monitor.tracer.startSpan(name, { attributes });
    } catch {
      return undefined;
    }
  }

  /** `finish(error, failed)` ends it too: `measure` knows a thrown `undefined` failed, `end(error)` cannot tell. */
  private open(name: string, span: Span | undefined): { handle: TrackHandle; finish: (error: unknown, failed: boolean) => number } {
    const start = now();
    let final: number | undefined;
    const finish = (error: unknown, failed: boolean): number => {
      if (final !== undefined) return final;
      final = Math.max(0, now() - start);
      // The span ends first: recording (on an operation's first call, making its sketch and
      // histogram) is the monitor's own time, which made the span several times the duration.
      if (span) {
        if (failed) failCall(span, error);
        span.end();
      }
      this.record(name, final);
      return final;
    };
    // `null` is a callback's "no error" (`(err, rows) => t.end(err)`): read as one, every success was an ERROR span.
    const end = (error?: unknown): number => finish(error, error !== undefined && error !== null);
    const handle: TrackHandle = {
      name,
      get durationMs() {
        return final ?? Math.max(0, now() - start);
      },
      get ended() {
        return final !== undefined;
      },
      end,
      [Symbol.dispose]: () => {
        end();
      },
    };
    return { handle, finish };
  }

  /**
   * Times one call of `fn` (sync or async) and returns its result; a throw or rejection is
   * timed too and rethrown unchanged. With a monitor, the operation's span is active while `fn`
   * runs, so spans and logs inside are its children. A thenable that is not a native Promise (a
   * query builder) is returned as itself and timed until the caller's `then` settles; never
   * awaited, it is not recorded (its work never ran).
   */
  measure<R>(name: string, fn: () => R, attributes?: Record<string, unknown>): R {
    const span = this.startSpan(name, attributes);
    const { finish } = this.open(name, span);
    let result: R;
    try {
      result = span ? runInSpan(span, fn) : fn();
    } catch (err) {
      finish(err, true);
      throw err;
    }
    if (isThenable(result)) return whenSettled(result, finish, span && ((f) => runInSpan(span, f))) as R;
    finish(undefined, false);
    return result;
  }

  /** Statistics of `name` in milliseconds; undefined before its first measurement. */
  stats(name: string): PerformanceStats | undefined {
    const s = this.stats_.get(name);
    if (!s || s.count === 0) return undefined;
    const [p50, p95, p99] = QuantileSketch.quantiles([s.sketch], [0.5, 0.95, 0.99]);
    // The sketch reads within 0.5 %; clamp so a percentile never leaves the observed range.
    const clamp = (v: number): number => Math.min(s.max, Math.max(s.min, v));
    return { count: s.count, mean: s.sum / s.count, min: s.min, max: s.max, p50: clamp(p50), p95: clamp(p95), p99: clamp(p99) };
  }

  /** Names with statistics. */
  get operations(): string[] {
    return [...this.stats_.keys()];
  }

  /** Forgets the statistics of `name`, or of every operation. */
  reset(name?: string): void {
    if (name === undefined) this.stats_.clear();
    else this.stats_.delete(name);
  }

  private record(name: string, ms: number): void {
    let s = this.stats_.get(name);
    if (!s && this.stats_.size < this.maxOperations) this.stats_.set(name, (s = { sketch: new QuantileSketch(), count: 0, sum: 0, min: Infinity, max: -Infinity }));
    if (s) {
      s.sketch.add(ms);
      s.count++;
      s.sum += ms;
      if (ms < s.min) s.min = ms;
      if (ms > s.max) s.max = ms;
    } else this.monitor?.diag.report('config', `PerformanceMonitor keeps statistics for ${this.maxOperations} operation names (maxOperations); "${name}" and later names are not kept`, undefined, 'perf:max');
    const h = this.getHistogram();
    if (h) h.observe(ms / 1000, { operation: name });
    // Its histogram could not be made (reported once): each duration it loses is counted.
    else if (this.histogramLost) this.monitor?.diag.count('invalid_value', 1);
  }

  private getHistogram(): Histogram | null {
    if (this.histogram !== undefined) return this.histogram;
    const name = this.options.histogram;
    if (!this.monitor || name === false) return (this.histogram = null);
    try {
      this.histogram = this.monitor.metrics.createHistogram(name ?? 'performance_operation_duration_seconds', 'Duration of operations timed by PerformanceMonitor.', { unit: 's', labelNames: ['operation'] });
    } catch (err) {
      this.monitor.diag.report('config', `PerformanceMonitor could not create its histogram: ${err instanceof Error ? err.message : String(err)}`, err, 'perf:histogram');
      this.histogram = null;
      this.histogramLost = true;
    }
    return this.histogram;
  }
}
