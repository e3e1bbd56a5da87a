// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import type { Redactor } from '../attributes/redact.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { Limits } from '../limits.js';
import type { MetricData, MetricsSnapshot, Temporality } from '../model/metric-data.js';
import { checkHelp, checkLabelNames, checkMetricName, checkUnit } from './names.js';
import { checkOptionKeys } from '../config/option-keys.js';
import { now } from '../time.js';
import { isThenable } from '../trace/thenable.js';
import { Gauge } from './gauge.js';
import { Counter, UpDownCounter } from './counter.js';
import { checkBuckets, Histogram } from './histogram.js';
import type { Instrument, InstrumentOwner, SeriesBase } from './instrument.js';
import { checkSummaryOptions, Summary } from './summary.js';
import type { ExponentialBucketsOption, ExponentialHistogram } from './exponential-histogram.js';

export interface InstrumentOptions<L extends string = string> {
  /** UCUM unit, such as "s", "By" or "{request}". */
  unit?: string;
  /**
   * The label names this instrument accepts; others are dropped and counted. Omit to accept any.
   * Given as a literal list (`['route', 'code']`, or a constant `as const`), its names type the
   * instrument's calls (`L`): a misspelt label does not compile.
   */
  labelNames?: readonly L[];
}

export interface GaugeOptions<L extends string = string> extends InstrumentOptions<L> {
  /**
   * Runs at each collection (a Prometheus scrape, a metric export), before the gauge is read:
   * set its values here (`collect(g) { g.set(queue.length) }`; `this` is the gauge too). Synchronous;
   * one that throws is counted (`lexigram_monitor_dropped_total{reason="collect_callback"}`).
   */
  collect?: (this: Gauge<L>, gauge: Gauge<L>) => void;
}

/** Runs at each collection, before the instruments are read. */
export type CollectCallback = () => void;

export interface HistogramOptions<L extends string = string> extends InstrumentOptions<L> {
  /**
   * Upper bounds, strictly increasing. Default: OpenTelemetry's HTTP duration buckets in seconds.
   * `base2ExponentialBuckets()` instead: buckets that follow the values (an {@link ExponentialHistogram}).
   */
  buckets?: readonly number[] | ExponentialBucketsOption;
}

export interface SummaryInstrumentOptions<L extends string = string> extends InstrumentOptions<L> {
  /** Quantiles to report, default [0.5, 0.9, 0.95, 0.99]. */
  quantiles?: number[];
  /** Length of the sliding window, default 600 s. */
  maxAgeSeconds?: number;
  /** Number of rotating buckets in the window, default 5. */
  ageBuckets?: number;
}

type AnyInstrument = Instrument<SeriesBase>;

/** The options each kind of instrument reads (as a set of keys: see checkOptionKeys). */
const BASE = { unit: 0, labelNames: 0 };
const HISTOGRAM = { ...BASE, buckets: 0 };
const OPTIONS = {
  counter: BASE,
  updowncounter: BASE,
  gauge: { ...BASE, collect: 0 },
  histogram: HISTOGRAM,
  exponential_histogram: HISTOGRAM,
  summary: { ...BASE, quantiles: 0, maxAgeSeconds: 0, ageBuckets: 0 },
};

/**
 * Creates instruments and collects their state (the original's MetricsCollector). One
 * accumulator per instrument and attribute set, per isolate (DESIGN decision 3).
 */
export class MetricsCollector implements InstrumentOwner {
  dirty = false;
  closed = false;
  /** Telemetry is off: set with `closed`, so instruments record nothing and pay no extra check. */
  disabled = false;
  /**
   * Whether deltas are collected: removed series then keep their unsent change for the next
   * delta collection. The monitor sets it from its backends; a delta collection sets it again.
   */
  deltaReader = true;
  /**
   * Whether cumulative totals are read (a scrape, a cumulative backend). When false, counter and
   * histogram series idle for a whole delta cycle are forgotten. The monitor sets it from its
   * backends; a cumulative collection sets it again, for good.
   */
  cumulativeReader = true;
  /**
   * What a histogram created without `buckets` gets (the monitor's `metrics.histogramBuckets`):
   * undefined for the default fixed buckets. The library's own histograms with bucket advice
   * (the database duration's, OpenTelemetry API advice) take it in place of their advice.
   */
  histogramBuckets: ExponentialBucketsOption | undefined = undefined;
  /** With tail sampling, the traces it kept (set by the monitor): see InstrumentOwner. */
  keptTraces: { has(traceId: string): boolean } | undefined = undefined;
  readonly #instruments = new Map<string, AnyInstrument>();
  readonly #callbacks = new Set<CollectCallback>();
  readonly #gaugeCallbacks = new WeakMap<Gauge, CollectCallback>();
  #collecting = false;

  constructor(
    readonly limits: Limits,
    readonly diag: Diagnostics,
    readonly exemplars: boolean = true,
    readonly redactor?: Redactor,
  ) {}

  /** A value that only goes up. */
  createCounter<L extends string = string>(name: string, help?: string, opts?: InstrumentOptions<L>): Counter<L> {
    return this.#register('counter', name, help, opts, [], Counter);
  }

  /** A value that is set, or moves up and down. */
  createGauge<L extends string = string>(name: string, help?: string, opts?: GaugeOptions<L>): Gauge<L> {
    const fn = opts?.collect;
    if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`gauge "${name}": collect must be a function.`);
    const g = this.#register('gauge', name, help, opts, [], Gauge);
    if (fn) {
      // One callback per gauge: a gauge created again with `collect` (in a handler, per request)
      // replaces its callback instead of piling one up per call.
      const previous = this.#gaugeCallbacks.get(g);
      if (previous) this.#callbacks.delete(previous);
      const callback = () => fn.call(g, g);
      this.#gaugeCallbacks.set(g, callback);
      this.#callbacks.add(callback);
    }
    return g;
  }

  /**
   * Runs `callback` once at each collection (a Prometheus scrape, a metric export), before the
   * instruments are read, so it can set the values read at that moment. Synchronous: a returned
   * promise is not awaited (its rejection is counted). One that throws is counted in
   * `lexigram_monitor_dropped_total{reason="collect_callback"}` and the others still run.
   * Returns a function that removes it. Adding the same function twice runs it once.
   */
  addCollectCallback(callback: CollectCallback): () => void {
    if (typeof callback !== 'function') throw new TypeError('addCollectCallback: callback must be a function.');
    this.#callbacks.add(callback);
    return () => void this.#callbacks.delete(callback);
  }

  /** Whether collect callbacks are registered: a collection may then find new values though nothing was recorded. */
  get hasCollectCallbacks(): boolean {
    return this.#callbacks.size > 0 && !this.closed;
  }

  #runCallbacks(): void {
    // A callback that collects again (a scrape inside a callback) does not run the callbacks again.
    this.#collecting = true;
    try {
      for (const cb of [...this.#callbacks]) {
        try {
          const r: unknown = cb();
          if (isThenable(r)) r.then(undefined, (err: unknown) => this.#callbackFailed(err));
        } catch (err) {
          this.#callbackFailed(err);
        }
      }
    } finally {
      this.#collecting = false;
    }
  }

  #callbackFailed(err: unknown): void {
    this.diag.drop('collect_callback', () => `a metric collect callback threw (${err instanceof Error ? err.message : String(err)}); the other metrics were collected`);
  }

  /** A sum that moves up and down, exported as a non-monotonic OTLP Sum. */
  createUpDownCounter<L extends string = string>(name: string, help?: string, opts?: InstrumentOptions<L>): UpDownCounter<L> {
    return this.#register('updowncounter', name, help, opts, [], UpDownCounter);
  }

  /**
   * A distribution in fixed buckets, or, with `buckets: base2ExponentialBuckets()`, in base-2
   * exponential buckets (OTLP `ExponentialHistogram`) that follow the values.
   */
  createHistogram<L extends string = string>(name: string, help: string | undefined, opts: HistogramOptions<L> & { buckets: ExponentialBucketsOption }): ExponentialHistogram<L>;
  createHistogram<L extends string = string>(name: string, help?: string, opts?: HistogramOptions<L> & { buckets?: readonly number[] }): Histogram<L>;
  createHistogram<L extends string = string>(name: string, help?: string, opts?: HistogramOptions<L>): Histogram<L> | ExponentialHistogram<L>;
  createHistogram(name: string, help?: string, opts?: HistogramOptions): Histogram | ExponentialHistogram {
    // Asked for again without buckets, an exponential histogram is returned as a fixed one would be.
    const existing = opts?.buckets === undefined ? this.getMetric(name) : undefined;
    // (#register still checks its unit and labels against the existing one's.)
    if (existing?.type === 'exponential_histogram') return this.#register('exponential_histogram', name, help, opts, ['le'], existing.constructor as never);
    // Likewise a fixed one under the monitor's exponential default (`metrics.histogramBuckets`):
    // that default is for new histograms, not a clash with one the app made with its own buckets.
    // (Typed as mutable only so that Array.isArray below narrows it: checkBuckets copies the list.)
    const b = (opts?.buckets ?? (existing?.type === 'histogram' ? undefined : this.histogramBuckets)) as number[] | ExponentialBucketsOption | undefined;
    // The exponential instrument comes with its option, so a bundle without one leaves its code out.
    if (b !== null && typeof b === 'object' && !Array.isArray(b) && (b as ExponentialBucketsOption).kind === 'base2_exponential') {
      const h = this.#register('exponential_histogram', name, help, opts, ['le'], b.instrument, b);
      if (h.maxSize !== b.maxSize || h.maxScale !== b.maxScale) throw new TypeError(`histogram "${name}" already exists with other exponential buckets (maxSize ${h.maxSize}, maxScale ${h.maxScale}).`);
      return h;
    }
    const buckets = checkBuckets(name, b, opts?.unit);
    const h = this.#register('histogram', name, help, opts, ['le'], Histogram, buckets);
    if (h.bounds.length !== buckets.length || h.bounds.some((x, i) => x !== buckets[i])) {
      if (b !== undefined) throw new TypeError(`histogram "${name}" already exists with other buckets (${h.bounds.join(', ')}).`);
    }
    return h;
  }

  /** Quantiles over a sliding time window. */
  createSummary<L extends string = string>(name: string, help?: string, opts?: SummaryInstrumentOptions<L>): Summary<L> {
    const o = checkSummaryOptions(name, opts ?? {});
    const s = this.#register('summary', name, help, opts, ['quantile'], Summary, o);
    // As a histogram's buckets: an option given that differs from the existing summary's is an error.
    const other = (['quantiles', 'maxAgeSeconds', 'ageBuckets'] as const).filter((k) => opts?.[k] !== undefined && String(s.options[k]) !== String(o[k]));
    if (other.length > 0) throw new TypeError(`summary "${name}" already exists with other ${other.map((k) => `${k} (${[s.options[k]].flat().join(', ')})`).join(', ')}.`);
    return s;
  }

  /** The instrument registered under `name`, if any. */
  getMetric(name: string): Counter | Gauge | UpDownCounter | Histogram | ExponentialHistogram | Summary | undefined {
    return (this.#instruments.get(name) ?? this.#instruments.get(name.toLowerCase())) as Counter | Gauge | UpDownCounter | Histogram | ExponentialHistogram | Summary | undefined;
  }

  /**
   * A snapshot of every instrument. `cumulative` (the default) gives totals since each series
   * began; `delta` gives the change since the previous delta collection and leaves what a
   * cumulative reader sees untouched.
   */
  /** The time of the last delta collection: the next one ends after it. */
  #lastDelta = 0;

  collect(options?: {
    temporality?: Temporality;
    /** @internal false: the collect callbacks already ran for this export (one export, two temporalities). */
    callbacks?: boolean;
  }): MetricsSnapshot {
    const temporality: Temporality = options?.temporality === 'delta' ? 'delta' : 'cumulative';
    if (temporality === 'delta') this.deltaReader = true;
    else this.cumulativeReader = true;
    if (this.#callbacks.size > 0 && !this.#collecting && !this.closed && options?.callbacks !== false) this.#runCallbacks();
    let time = now();
    // Each delta interval ends after the previous one: workerd's clock has millisecond steps (and
    // stands still during CPU work), and a collector summing a delta stream (deltatocumulative)
    // drops a point whose time is not after the last one's. A microsecond is within a double's
    // precision at today's epoch.
    if (temporality === 'delta') {
      if (time <= this.#lastDelta) time = this.#lastDelta + 0.001;
      this.#lastDelta = time;
    }
    const metrics: MetricData[] = [];
    for (const inst of this.#instruments.values()) {
      const m = inst.collect(temporality, time);
      if (m.points.length > 0) metrics.push(m);
    }
    if (temporality === 'delta') this.dirty = false;
    return { temporality, time, metrics };
  }

  #register<T extends AnyInstrument>(
    type: string,
    name: string,
    help: string | undefined,
    opts: InstrumentOptions | undefined,
    reserved: string[],
    // The class itself, not a closure per type: `extra` is a histogram's buckets or a summary's options.
    make: new (owner: MetricsCollector, name: string, help: string, unit: string, labelNames: string[] | undefined, extra: never) => T,
    extra?: unknown,
  ): T {
    checkMetricName(name);
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new TypeError(`metric "${name}": options must be an object.`);
    // A misspelt option (`bucket`, `labels`) would leave the default in place unseen.
    if (opts !== undefined) checkOptionKeys(`metric "${name}"`, opts, OPTIONS[type as keyof typeof OPTIONS]);
    const h = checkHelp(name, help);
    const unit = checkUnit(name, opts?.unit);
    const labelNames = checkLabelNames(name, opts?.labelNames, reserved);
    // Names are case-insensitive (MET-12): the instruments are kept under the lower-case name, so
    // `Requests_total` after `requests_total` is the same metric, exported by its first name.
    const key = name.toLowerCase();
    const existing = this.#instruments.get(key);
    if (existing) {
      const sameLabels = (existing.labelNames ?? []).join(',') === (labelNames ?? []).join(',') || labelNames === undefined;
      // A unit left out asks for the existing instrument whatever its unit, as labelNames and buckets left out do.
      if (existing.type !== type || (existing.unit !== unit && opts?.unit !== undefined) || !sameLabels) {
        throw new TypeError(`metric "${name}" already exists as ${kind(existing.type, existing.unit, existing.labelNames ?? [])}; ${kind(type, unit, labelNames)} cannot share its name. Use another name.`);
      }
      if (existing.name !== name) {
        this.diag.report('config', () => `metric "${name}" is "${existing.name}": instrument names ignore case (OpenTelemetry), so it is exported as "${existing.name}"`, undefined, 'case:' + name);
      }
      return existing as T;
    }
    const inst = new make(this, name, h, unit, labelNames, extra as never);
    this.#instruments.set(key, inst);
    return inst;
  }
}

/** An instrument's type, unit and labels, as the name-clash message shows them ("an up-down counter … and no labels"). */
function kind(type: string, unit: string, labelNames: readonly string[] | undefined): string {
  const t = type === 'updowncounter' ? 'up-down counter' : type.replace('_', ' ');
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}${unit ? ` with unit "${unit}"` : ''}${labelNames ? (labelNames.length ? ` and labels [${labelNames.join(', ')}]` : ' and no labels') : ''}`;
}
