import {
  createNoopMeter,
  type Attributes as ApiAttributes,
  type BatchObservableCallback,
  type Counter as ApiCounter,
  type Gauge as ApiGauge,
  type Histogram as ApiHistogram,
  type Meter,
  type MeterOptions,
  type MeterProvider,
  type MetricOptions,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableCallback,
  type ObservableResult,
  type ObservableUpDownCounter,
  type BatchObservableResult,
  type UpDownCounter as ApiUpDownCounter,
  ValueType,
} from '@opentelemetry/api';
import type { Diagnostics } from '../diag/diagnostics.js';
import { isValidLabelName, isValidUnit } from '../metrics/names.js';
import { observeTotal } from '../metrics/observe.js';
import type { Monitor } from '../monitor.js';
import type { LabelsInput } from '../model/attributes.js';
import type { MetricData, NumberPoint, Temporality } from '../model/metric-data.js';
import { isInt64 } from '../exporters/otlp/proto-common.js';
import { isThenable } from '../trace/thenable.js';

const noop = createNoopMeter();

/**
 * The provider registerOpenTelemetry installed last, and how many it has installed. A library's
 * meter or instrument taken once (at load) stays bound to the provider the API held then; it
 * follows the latest registration, as tracers do, or each test's fresh monitor would lose its
 * measurements to the first test's.
 */
let latest: BridgeMeterProvider | undefined;
let generation = 0;
/** Providers registerOpenTelemetry installed (a provider built by hand never follows another). */
const served = new WeakSet<BridgeMeterProvider>();

/** Marks `provider` as the one registerOpenTelemetry installed last. */
export function setLatestMeterProvider(provider: BridgeMeterProvider): void {
  served.add(provider);
  latest = provider;
  generation++;
}

/**
 * Per monitor's metrics: the instrument names that an unregistered bridge created (→ whether
 * as ValueType.INT, and the kind), for the next bridge on that monitor to take over.
 */
const released = new WeakMap<object, Map<string, [boolean, string]>>();

/** OpenTelemetry's default explicit buckets, for histograms that give no advice (and are not in seconds). */
const OTEL_DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * Advised bucket boundaries as the SDK reads them (ExplicitBucketHistogramAggregation): sorted,
 * ±Infinity removed. The core wants strictly increasing finite bounds and would refuse the
 * instrument, turning every record into a no-op, so NaN and repeats are removed too (a repeat
 * is only a bucket nothing can fall into).
 */
function adviceBuckets(advised: readonly number[]): number[] {
  const sorted = advised.filter((b) => typeof b === 'number' && Number.isFinite(b)).sort((a, b) => a - b);
  return sorted.filter((b, i) => i === 0 || b !== sorted[i - 1]);
}

const INVALID_KEY_CHARS = /[^A-Za-z0-9_.]+/g;
const UNDERSCORE_RUNS = /__+/g;
const KEY_CACHE_LIMIT = 1000;
const keyCache = new Map<string, string>();

/**
 * An attribute key the core's label names do not admit (`user-agent`,
 * `http.request.header.content-type`) → one it does, so the measurement is kept. The Prometheus
 * renderer's rule (sanitizeLabelName) minus its dot replacement: other characters become `_`,
 * runs collapse, a leading digit, dot or `_` gets `key`, so OTLP keeps the dots and Prometheus
 * shows the very name it would have made of the original key.
 */
function labelKey(k: string): string {
  let out = keyCache.get(k);
  if (out !== undefined) return out;
  out = k.replace(INVALID_KEY_CHARS, '_').replace(UNDERSCORE_RUNS, '_');
  if (out === '') out = 'key_';
  else {
    const c = out.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 46) out = 'key_' + out;
    else if (c === 95) out = 'key' + out;
  }
  // bounded: a program that invents keys without end must not grow memory without end
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(k, out);
  return out;
}

/** Attribute keys seen valid as label names, so a hot call tests each once (bounded: keys can be made up per call). */
const validNames = new Set<string>();
function labelName(k: string): boolean {
  if (validNames.has(k)) return true;
  if (!isValidLabelName(k)) return false;
  if (validNames.size < 1000) validNames.add(k);
  return true;
}

// An array is its JSON text (MET-13): joined with commas, ['a', 'b,c'] and ['a', 'b', 'c'] were one series.
function labelValue(v: unknown): string | number | boolean {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    try {
      return JSON.stringify(v);
    } catch {
      // one JSON cannot write (a BigInt in it) is joined as before: a measurement must not throw into the app
    }
  }
  return String(v);
}

/**
 * OpenTelemetry attributes → the core's labels. A key the core would reject (which drops the
 * whole measurement) is renamed by `labelKey`; keys that then meet are merged with `;` in the
 * lexical order of the original keys, as the Prometheus renderer merges them (MET-13). Only a
 * key too long to be a label name is dropped, and counted (`invalid_label`).
 */
function labels(attrs: ApiAttributes | undefined, metric: string, diag: Diagnostics): LabelsInput | undefined {
  if (attrs === undefined || attrs === null || typeof attrs !== 'object') return undefined;
  // Attributes that throw when read (a getter, a revoked Proxy) must not throw into the app: they go
  // on as they are, and the core, which reads labels inside a try, drops and counts the measurement
  // (invalid_label), as it does for its own instruments.
  try {
    // Most calls pass keys already valid as label names and primitive values: the core reads that
    // object as it is (own keys only, and it copies what it keeps), with no copy here.
    let asIs = true;
    for (const k in attrs) {
      const v = attrs[k];
      if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') || !labelName(k)) {
        asIs = false;
        break;
      }
    }
    if (asIs) return attrs as LabelsInput;
    const out: LabelsInput = {};
    let renamed: string[] | undefined;
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === undefined || v === null) continue;
      if (isValidLabelName(k)) out[k] = labelValue(v);
      else (renamed ??= []).push(k);
    }
    if (renamed !== undefined) rename(out, renamed, attrs, metric, diag);
    return out;
  } catch {
    return attrs as LabelsInput;
  }
}

function rename(out: LabelsInput, keys: string[], attrs: ApiAttributes, metric: string, diag: Diagnostics): void {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const name = labelKey(k);
    if (!isValidLabelName(name)) {
      diag.drop('invalid_label', () => `metric "${metric}" got an attribute key too long to be a label name (${k.length} characters); the attribute was dropped, the measurement kept`);
      continue;
    }
    const group = groups.get(name);
    if (group !== undefined) group.push(k);
    else groups.set(name, out[name] !== undefined && attrs[name] !== undefined ? [name, k] : [k]);
  }
  for (const [name, group] of groups) {
    if (group.length === 1) out[name] = labelValue(attrs[group[0]!]);
    else out[name] = group.sort().map((k) => String(labelValue(attrs[k]))).join(';');
  }
}

/**
 * The core's instruments record doubles. An API instrument created with `ValueType.INT` records
 * integers, as in sdk-metrics 2.x (SyncInstrument._record): a finite non-integer loses its
 * fractional digits, with a warning (reported once per instrument). NaN and ±Infinity, which
 * the SDK ignores here, become NaN, which the core drops and counts (a gauge would keep Infinity).
 */
function intValue(v: number, name: string, diag: Diagnostics): number {
  if (typeof v !== 'number' || Number.isInteger(v)) return v;
  if (!Number.isFinite(v)) return NaN;
  diag.report('otel', () => `the INT instrument "${name}" got ${v}; as in the OpenTelemetry SDK the fractional digits were dropped`, undefined, `otel:int:${name}`);
  return Math.trunc(v);
}

/**
 * Marks what `inst` collects `valueType: 'int'`, which the OTLP encoders export as `as_int` (as
 * the SDK's otlp-transformer exports an INT sum or gauge). The core's metric data has no value
 * type of its own, so the mark is set on the data this one instrument collects.
 */
function collectAsInt(inst: { collect(temporality: Temporality, time: number): MetricData | undefined }): void {
  const collect = inst.collect;
  let int = true;
  inst.collect = (temporality, time) => {
    const m = collect.call(inst, temporality, time);
    if (m === undefined || !int) return m;
    // Once a point is not an int64 (the app's own handle on the same name added a fraction), the
    // metric stays double for good: a series must not switch value type between exports.
    for (const p of m.points as NumberPoint[]) if (!isInt64(p.value)) int = false;
    if (int) (m as { valueType?: 'int' }).valueType = 'int';
    return m;
  };
}

/** `w` with its article: "a counter", "an observable gauge", "an object". */
function an(w: string): string {
  return `${/^[aeiou]/.test(w) ? 'an' : 'a'} ${w}`;
}

/**
 * An `@opentelemetry/api` MeterProvider whose synchronous instruments record into
 * `monitor.metrics`, so they export with the app's own metrics. A name the app already uses
 * for its own instrument (for example `http.server.request.duration`, which the runtime
 * adapters record) is not recorded twice: the OpenTelemetry instrument becomes a no-op and a
 * diagnostic says so. Observable instruments' callbacks run at each collection of
 * `monitor.metrics` (a Prometheus scrape, a metric export), through one collect callback.
 */
export class BridgeMeterProvider implements MeterProvider {
  /** Instrument names created through this bridge (shared between meters, as one namespace) → their kind. */
  private readonly own = new Map<string, string>();
  /** Those of them created with `ValueType.INT`. */
  private readonly ints = new Set<string>();
  /** Set by `close()`: observable callbacks no longer run nor can be added. */
  private closed = false;
  constructor(private readonly monitor: Monitor) {}

  /**
   * Detaches the bridge from the monitor (`unregisterOpenTelemetry()`): its observable callbacks
   * stop running at collection and none can be added through its instruments, and the names it
   * created pass to the next bridge on the same monitor, which records into them (instead of
   * taking them for the app's own metrics and making its instruments no-ops). @internal
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.single.length = 0;
    this.batch.length = 0;
    this.watch();
    let handed = released.get(this.monitor.metrics);
    if (handed === undefined) released.set(this.monitor.metrics, (handed = new Map()));
    for (const [name, kind] of this.own) handed.set(name, [this.ints.has(name), kind]);
  }

  getMeter(name: string, version?: string, _options?: MeterOptions): Meter {
    return new BridgeMeter(this, name, version);
  }

  /**
   * `make()`. For a name the app's own metric has, or when `make` throws (an invalid name, a name
   * another kind of instrument has), `dropping` gives the instrument to return (else `fallback`):
   * its calls are measurements lost, each counted (`invalid_instrument`) as bad hot-path input is.
   * @internal
   */
  create<T>(kind: string, name: string, scope: string, make: () => T, fallback: T, dropping?: (drop: () => void) => T): T {
    if (typeof name !== 'string') {
      // Not a name at all (the API's types aside): the instrument is made, as for an invalid
      // name, one whose measurements are dropped and counted, instead of a TypeError into the app.
      const why = `${an(kind)} from "${scope}" could not be created: its name is ${an(typeof name)}, not a string`;
      const diag = this.monitor.diag;
      diag.report('otel', why, undefined, `otel:metric:${typeof name}`);
      return dropping ? dropping(() => diag.drop('invalid_instrument', () => `${why}; its measurements are dropped`)) : fallback;
    }
    const metrics = this.monitor.metrics;
    const handed = released.get(metrics);
    // Instrument names ignore case (MET-12), as the core's do.
    const id = name.toLowerCase();
    const took = handed?.get(id);
    if (took !== undefined && !this.own.has(id) && metrics.getMetric(name) !== undefined) {
      // created by a bridge unregistered before this one: this bridge's now, with its value type
      this.own.set(id, took[1]);
      if (took[0]) this.ints.add(id);
      handed!.delete(id);
    }
    if (!this.own.has(id) && metrics.getMetric(name) !== undefined) {
      this.monitor.diag.report(
        'otel',
        `the ${kind} "${name}" from "${scope}" has the name of one of the app's own metrics; it is not recorded twice (the OpenTelemetry instrument records nothing, each of its measurements counted in lexigram_monitor_dropped_total{reason="invalid_instrument"})`,
        undefined,
        `otel:metric:${name}`,
      );
      // Counted, not only reported: another producer of the name (a client library's, for calls
      // the app's own instrument does not see) loses these measurements.
      const diag = this.monitor.diag;
      return dropping ? dropping(() => diag.count('invalid_instrument', 1)) : fallback;
    }
    try {
      // The core's counter, say, would be shared by a counter and an observable counter of one
      // name (the SDK makes two streams): the callback's totals would overwrite the adds.
      const was = this.own.get(id);
      if (was !== undefined && was !== kind) throw new Error(`it is already an OpenTelemetry ${was}; use another name`);
      const inst = make();
      this.own.set(id, kind);
      return inst;
    } catch (err) {
      // Without the message's final period: "; its measurements are dropped" may follow.
      const why = `the ${kind} "${name}" from "${scope}" could not be created: ${(err instanceof Error ? err.message : String(err)).replace(/\.$/, '')}`;
      const diag = this.monitor.diag;
      diag.report('otel', why, err, `otel:metric:${name}`);
      return dropping ? dropping(() => diag.drop('invalid_instrument', () => `${why}; its measurements are dropped`)) : fallback;
    }
  }

  /**
   * The unit to create `name` with. The SDK keeps any unit; a unit the core refuses (non-ASCII
   * such as `µs`, over 63 characters, control characters) would make the instrument a no-op, so
   * it is dropped instead (the instrument is created without one) and reported once.
   * @internal
   */
  unit(kind: string, name: string, scope: string, unit: unknown): string | undefined {
    if (unit === undefined || unit === null || unit === '') return undefined;
    // A handle on a name this bridge first created without a unit records into it (none asked for
    // is left out, so the core returns it whatever its unit); two different units stay a clash.
    if (this.owns(name) && this.monitor.metrics.getMetric(name)?.unit === '') {
      this.monitor.diag.report('otel', () => `the ${kind} "${name}" from "${scope}" asks for the unit ${JSON.stringify(unit)}, but it was first created without one; it records without one`, undefined, `otel:unit:${name}`);
      return undefined;
    }
    if (isValidUnit(unit)) return unit;
    this.monitor.diag.report(
      'otel',
      () => `the ${kind} "${name}" from "${scope}" has the unit ${JSON.stringify(unit)}, which is not up to 63 printable ASCII characters; it is recorded without a unit`,
      undefined,
      `otel:unit:${name}`,
    );
    return undefined;
  }

  /**
   * The description to create `name` with. The SDK keeps whatever it is given; the core refuses
   * one that is not a string (null included), which would make the instrument record nothing for
   * a mere description, so it is left out instead and reported once, as a unit the core refuses.
   * @internal
   */
  description(name: string, scope: string, description: unknown): string | undefined {
    if (description === undefined || description === null || typeof description === 'string') return (description ?? undefined) as string | undefined;
    this.monitor.diag.report('otel', () => `the instrument "${name}" from "${scope}" has a description that is not a string (${typeof description}); it is recorded without one`, undefined, `otel:description:${name}`);
    return undefined;
  }

  /**
   * Whether `name` records integers. Its first creation decides, as it does its unit and buckets:
   * the core keeps one instrument per name, so a handle asking for the other value type gets the
   * first one's (reported once). @internal
   */
  isInt(kind: string, name: string, scope: string, options: MetricOptions | undefined): boolean {
    const asked = options?.valueType === ValueType.INT;
    const id = name.toLowerCase();
    if (!this.own.has(id)) {
      if (asked) this.ints.add(id);
      else this.ints.delete(id);
      return asked;
    }
    const int = this.ints.has(id);
    if (asked !== int) {
      const type = (i: boolean): string => (i ? 'INT' : 'DOUBLE');
      this.monitor.diag.report(
        'otel',
        () => `the ${kind} "${name}" from "${scope}" asks for ValueType.${type(asked)}, but it was first created as ${type(int)}; it records as ${type(int)}`,
        undefined,
        `otel:valueType:${name}`,
      );
    }
    return int;
  }

  /** Whether `name` was created through this bridge (a handle on it may be handed out again). @internal */
  owns(name: string): boolean {
    return this.own.has(name.toLowerCase());
  }

  /** Callbacks of observable instruments, each with its instrument, in the order added. */
  private readonly single: { cb: ObservableCallback; obs: BridgeObservable }[] = [];
  /** Batch callbacks, each with the observables it was added for. */
  private readonly batch: { cb: BatchObservableCallback; obs: BridgeObservable[] }[] = [];
  private removeCollect: (() => void) | undefined;

  /** @internal */
  addCallback(cb: ObservableCallback, obs: BridgeObservable): void {
    if (this.closed || typeof cb !== 'function' || this.single.some((e) => e.cb === cb && e.obs === obs)) return;
    this.single.push({ cb, obs });
    this.watch();
  }

  /** @internal */
  removeCallback(cb: ObservableCallback, obs: BridgeObservable): void {
    const i = this.single.findIndex((e) => e.cb === cb && e.obs === obs);
    if (i >= 0) this.single.splice(i, 1);
    this.watch();
  }

  /** @internal */
  addBatch(cb: BatchObservableCallback, observables: Observable[]): void {
    const obs = (Array.isArray(observables) ? observables : []).map(current).filter((o): o is BridgeObservable => o instanceof BridgeObservable);
    if (this.closed || typeof cb !== 'function' || obs.length === 0 || this.batchIndex(cb, obs) >= 0) return;
    this.batch.push({ cb, obs });
    this.watch();
  }

  /** @internal */
  removeBatch(cb: BatchObservableCallback, observables: Observable[]): void {
    const obs = (Array.isArray(observables) ? observables : []).map(current).filter((o): o is BridgeObservable => o instanceof BridgeObservable);
    const i = this.batchIndex(cb, obs);
    if (i >= 0) this.batch.splice(i, 1);
    this.watch();
  }

  private batchIndex(cb: BatchObservableCallback, obs: BridgeObservable[]): number {
    return this.batch.findIndex((e) => e.cb === cb && e.obs.length === obs.length && e.obs.every((o) => obs.includes(o)));
  }

  /** One collect callback while any observable callback is registered; none otherwise. */
  private watch(): void {
    const any = this.single.length > 0 || this.batch.length > 0;
    if (any && this.removeCollect === undefined) this.removeCollect = this.monitor.metrics.addCollectCallback(() => this.observeAll());
    else if (!any && this.removeCollect !== undefined) {
      this.removeCollect();
      this.removeCollect = undefined;
    }
  }

  /**
   * Runs every callback and then records what they observed: the last observation of each
   * instrument and attribute set wins, as in the SDK's ObservableResult. Observations made after
   * a callback returned (an async callback's, after an await) are not recorded: collection is
   * synchronous. A callback that throws is counted; the others still run.
   */
  private observeAll(): void {
    const round = new Map<BridgeObservable, Map<string, [number, LabelsInput | undefined]>>();
    let open = true;
    const put = (obs: unknown, v: number, a: ApiAttributes | undefined, listed?: BridgeObservable[]): void => {
      if (!open) {
        // A value lost, as one a throwing callback never gave: counted each time, not only reported once.
        this.monitor.diag.drop('collect_callback', 'an observable callback observed a value after it returned (after an await?); collection is synchronous, so the value was not recorded');
        return;
      }
      obs = current(obs);
      // A batch callback records only the observables it was added for, as in the SDK.
      if (!(obs instanceof BridgeObservable) || (listed && !listed.includes(obs))) return;
      let l: LabelsInput | undefined;
      let key: string;
      try {
        l = labels(a, obs.name, this.monitor.diag);
        // Recorded once every callback ran: the caller's object, handed over as it is, may change
        // before (one object reused for each observation).
        if (l === a && l !== undefined) l = { ...l };
        const got = l;
        key = got === undefined ? '[]' : JSON.stringify(Object.keys(got).sort().map((k) => [k, got[k]]));
      } catch {
        // Attributes that throw when read: this observation is dropped and counted, the callback goes on.
        this.monitor.diag.drop('invalid_label', () => `observable "${(obs as BridgeObservable).name}" observed attributes that cannot be read; the value was dropped`);
        return;
      }
      let m = round.get(obs);
      if (m === undefined) round.set(obs, (m = new Map()));
      m.delete(key);
      m.set(key, [v, l]);
    };
    const failed = (err: unknown): void =>
      this.monitor.diag.drop('collect_callback', () => `an OpenTelemetry observable callback threw (${err instanceof Error ? err.message : String(err)}); the other instruments were collected`);
    const run = (f: () => unknown): void => {
      try {
        const r = f();
        if (isThenable(r)) r.then(undefined, failed);
      } catch (err) {
        failed(err);
      }
    };
    for (const { cb, obs } of [...this.single]) {
      const result: ObservableResult = { observe: (v: number, a?: ApiAttributes) => put(obs, v, a) };
      run(() => cb(result));
    }
    for (const { cb, obs } of [...this.batch]) {
      const result: BatchObservableResult = { observe: (o: Observable, v: number, a?: ApiAttributes) => put(o, v, a, obs) };
      run(() => cb(result));
    }
    open = false;
    for (const [obs, m] of round) for (const [v, l] of m.values()) obs.record(v, l);
  }

  /** @internal */
  get metrics(): Monitor['metrics'] {
    return this.monitor.metrics;
  }

  /** @internal */
  get diag(): Diagnostics {
    return this.monitor.diag;
  }
}

class BridgeMeter implements Meter {
  private readonly scope: string;
  constructor(
    private readonly provider: BridgeMeterProvider,
    private readonly name: string,
    private readonly version?: string,
  ) {
    this.scope = `${name}${version ? `@${version}` : ''}`;
  }

  /** The same meter of the latest registration, if it replaced this one's provider. @internal */
  next(): Meter | undefined {
    return latest !== this.provider && served.has(this.provider) ? latest!.getMeter(this.name, this.version) : undefined;
  }

  /**
   * `inst`, as a handle that moves to the same instrument of a later registration. Its calls
   * compare one number while the registration stays; the instrument is made again once per change.
   */
  private follows<T extends ApiCounter | ApiHistogram>(inst: T, again: (m: Meter) => T): T {
    if (!served.has(this.provider)) return inst;
    const method = 'add' in inst ? 'add' : 'record';
    let gen = generation;
    // The method itself, called as a function: a property looked up by a variable name on each
    // call cost a bridged add about 7 ns (+40%). None of these instruments' methods reads `this`.
    const of = (i: T): ((v: number, a?: ApiAttributes) => void) => (i as unknown as Record<string, (v: number, a?: ApiAttributes) => void>)[method]!;
    let to = of(inst);
    const call = (v: number, a?: ApiAttributes): void => {
      if (gen !== generation) {
        gen = generation;
        const m = this.next();
        if (m !== undefined) to = of(again(m));
      }
      to(v, a);
    };
    return { [method]: call } as unknown as T;
  }

  /** `create` on the latest registration's meter if it replaced this one's provider, else `own()`, following later ones. */
  private synced<T extends ApiCounter | ApiHistogram>(create: (m: Meter) => T, own: () => T): T {
    const next = this.next();
    return next !== undefined ? create(next) : this.follows(own(), create);
  }

  createCounter(name: string, options?: MetricOptions): ApiCounter {
    return this.synced((m) => m.createCounter(name, options), () => this.counter(name, options));
  }

  createUpDownCounter(name: string, options?: MetricOptions): ApiUpDownCounter {
    return this.synced((m) => m.createUpDownCounter(name, options), () => this.upDownCounter(name, options));
  }

  createHistogram(name: string, options?: MetricOptions): ApiHistogram {
    return this.synced((m) => m.createHistogram(name, options), () => this.histogram(name, options));
  }

  createGauge(name: string, options?: MetricOptions): ApiGauge {
    return this.synced((m) => m.createGauge(name, options), () => this.gauge(name, options));
  }

  private counter(name: string, options?: MetricOptions): ApiCounter {
    return this.provider.create(
      'counter',
      name,
      this.scope,
      () => {
        const int = this.provider.isInt('counter', name, this.scope, options);
        const c = this.provider.metrics.createCounter(name, this.provider.description(name, this.scope, options?.description), { unit: this.provider.unit('counter', name, this.scope, options?.unit) });
        const diag = this.provider.diag;
        if (int && !this.provider.owns(name)) collectAsInt(c);
        // A negative value is refused before truncation, as the SDK's CounterInstrument does (-0.5 is not 0).
        // Not a number: dropped and counted, as the SDK drops it (the core would read add() as add(1)).
        return { add: (v: number, a?: ApiAttributes) => c.add(typeof v != 'number' ? NaN : int && v >= 0 ? intValue(v, name, diag) : v, labels(a, name, diag)) };
      },
      noop.createCounter(name),
      (drop) => ({ add: drop }),
    );
  }

  private upDownCounter(name: string, options?: MetricOptions): ApiUpDownCounter {
    return this.provider.create(
      'up-down counter',
      name,
      this.scope,
      () => {
        const int = this.provider.isInt('up-down counter', name, this.scope, options);
        const c = this.provider.metrics.createUpDownCounter(name, this.provider.description(name, this.scope, options?.description), { unit: this.provider.unit('up-down counter', name, this.scope, options?.unit) });
        const diag = this.provider.diag;
        if (int && !this.provider.owns(name)) collectAsInt(c);
        return { add: (v: number, a?: ApiAttributes) => c.add(typeof v != 'number' ? NaN : int ? intValue(v, name, diag) : v, labels(a, name, diag)) };
      },
      noop.createUpDownCounter(name),
      (drop) => ({ add: drop }),
    );
  }

  private histogram(name: string, options?: MetricOptions): ApiHistogram {
    return this.provider.create(
      'histogram',
      name,
      this.scope,
      () => {
        const unit = this.provider.unit('histogram', name, this.scope, options?.unit);
        // Advice is not part of an instrument's identity (sdk-metrics): the same histogram asked
        // for again, with other advice or none, is a handle on the first, with its buckets.
        const advised = options?.advice?.explicitBucketBoundaries;
        const buckets = this.provider.owns(name) ? undefined : Array.isArray(advised) ? adviceBuckets(advised) : unit === 's' ? undefined : OTEL_DEFAULT_BUCKETS;
        // INT: values are truncated as the SDK does; the sum stays a double (OTLP has no int sum).
        const int = this.provider.isInt('histogram', name, this.scope, options);
        // The monitor's exponential buckets replace advice and the SDK's defaults, as an exporter's
        // aggregation preference does in the SDK.
        const h = this.provider.metrics.createHistogram(name, this.provider.description(name, this.scope, options?.description), { unit, buckets: this.provider.metrics.histogramBuckets ?? buckets });
        const diag = this.provider.diag;
        return {
          record: (v: number, a?: ApiAttributes) => {
            // The SDK drops these (HistogramInstrument.record): an OpenTelemetry histogram's sum is
            // of non-negative values, which backends rely on to read it as a counter. Checked
            // before an INT histogram's truncation, as there (-0.5 is dropped, not recorded as 0).
            // Not a number (a symbol, an object whose valueOf throws): NaN, which the core drops and counts, as for a counter.
            if (typeof v != 'number') v = NaN;
            if (v < 0) return diag.drop('invalid_value', () => `histogram "${name}" (OpenTelemetry API) got a negative value; as in the OpenTelemetry SDK it was dropped`);
            if (int) v = intValue(v, name, diag);
            h.observe(v, labels(a, name, diag));
          },
        };
      },
      noop.createHistogram(name),
      (drop) => ({ record: drop }),
    );
  }

  private gauge(name: string, options?: MetricOptions): ApiGauge {
    return this.provider.create(
      'gauge',
      name,
      this.scope,
      () => {
        const int = this.provider.isInt('gauge', name, this.scope, options);
        const g = this.provider.metrics.createGauge(name, this.provider.description(name, this.scope, options?.description), { unit: this.provider.unit('gauge', name, this.scope, options?.unit) });
        const diag = this.provider.diag;
        if (int && !this.provider.owns(name)) collectAsInt(g);
        return { record: (v: number, a?: ApiAttributes) => g.set(int ? intValue(v, name, diag) : v, labels(a, name, diag)) };
      },
      noop.createGauge(name),
      (drop) => ({ record: drop }),
    );
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.observable('observable gauge', name, options, (m) => m.createObservableGauge(name, options), (unit) => {
      const g = this.provider.metrics.createGauge(name, this.provider.description(name, this.scope, options?.description), { unit });
      return [g, (v, l) => g.set(v, l)];
    }, noop.createObservableGauge(name, options));
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.observable('observable counter', name, options, (m) => m.createObservableCounter(name, options), (unit) => {
      const c = this.provider.metrics.createCounter(name, this.provider.description(name, this.scope, options?.description), { unit });
      return [c, (v, l) => observeTotal(c, v, l)];
    }, noop.createObservableCounter(name, options));
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return this.observable('observable up-down counter', name, options, (m) => m.createObservableUpDownCounter(name, options), (unit) => {
      const c = this.provider.metrics.createUpDownCounter(name, this.provider.description(name, this.scope, options?.description), { unit });
      return [c, (v, l) => observeTotal(c, v, l)];
    }, noop.createObservableUpDownCounter(name, options));
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const next = this.next();
    if (next !== undefined) next.addBatchObservableCallback(callback, observables);
    else this.provider.addBatch(callback, observables);
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const next = this.next();
    if (next !== undefined) next.removeBatchObservableCallback(callback, observables);
    else this.provider.removeBatch(callback, observables);
  }

  private observable(
    kind: string,
    name: string,
    options: MetricOptions | undefined,
    again: (m: Meter) => Observable,
    make: (unit: string | undefined) => [{ collect(temporality: Temporality, time: number): MetricData | undefined }, (v: number, l: LabelsInput | undefined) => void],
    fallback: BridgeObservable | Observable,
  ): BridgeObservable {
    const next = this.next();
    if (next !== undefined) return again(next) as BridgeObservable;
    const follow = (): Observable | undefined => {
      const m = this.next();
      return m && again(m);
    };
    return this.provider.create(
      kind,
      name,
      this.scope,
      () => {
        const int = this.provider.isInt(kind, name, this.scope, options);
        const [inst, set] = make(this.provider.unit(kind, name, this.scope, options?.unit));
        const diag = this.provider.diag;
        if (int && !this.provider.owns(name)) collectAsInt(inst);
        return new BridgeObservable(this.provider, name, int ? (v, l) => set(intValue(v, name, diag), l) : set, follow);
      },
      fallback as BridgeObservable,
      // not created (an invalid name): its callbacks still run at collection, each observation counted
      (drop) => new BridgeObservable(this.provider, name, drop, follow),
    );
  }
}

/** An observable instrument of the bridge: its callbacks run at each collection of `monitor.metrics`. */
class BridgeObservable implements ObservableGauge {
  private gen = generation;
  private succ: Observable | undefined;
  constructor(
    private readonly provider: BridgeMeterProvider,
    /** @internal */
    readonly name: string,
    /** @internal Records one observation (the last of its attribute set in a collection). */
    readonly record: (v: number, l: LabelsInput | undefined) => void,
    private readonly again?: () => Observable | undefined,
  ) {}

  /** The same observable of a later registration, once one replaced this one's (one per registration, so a callback can be removed). @internal */
  next(): Observable | undefined {
    if (this.gen !== generation) {
      this.gen = generation;
      this.succ = this.again?.();
    }
    return this.succ;
  }

  addCallback(callback: ObservableCallback): void {
    const next = this.next();
    if (next !== undefined) next.addCallback(callback);
    else this.provider.addCallback(callback, this);
  }

  removeCallback(callback: ObservableCallback): void {
    const next = this.next();
    if (next !== undefined) next.removeCallback(callback);
    else this.provider.removeCallback(callback, this);
  }
}

/** `o` as the latest registration has it (a batch callback may name observables taken before it). */
function current(o: unknown): unknown {
  return o instanceof BridgeObservable ? (o.next() ?? o) : o;
}
