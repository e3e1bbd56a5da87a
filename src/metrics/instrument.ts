import type { Redactor } from '../attributes/redact.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { Limits } from '../limits.js';
import type { DropReason } from '../model/batch.js';
import type { MetricData, MetricType, PointAttributes, Temporality } from '../model/metric-data.js';
import { now } from '../time.js';
import { clip, redactFirst } from '../attributes/sanitize.js';
import { isValidLabelName } from './names.js';

/** What instruments need from their collector. */
export interface InstrumentOwner {
  readonly limits: Limits;
  readonly diag: Diagnostics;
  /** True after shutdown, and always when telemetry is disabled: the one check a recording call makes. */
  readonly closed: boolean;
  /** Telemetry is off (OTEL_SDK_DISABLED): closed from the start, values dropped without being counted. */
  readonly disabled?: boolean;
  /** True when histogram observations inside a sampled span keep an exemplar. */
  readonly exemplars: boolean;
  /**
   * With tail sampling, the traces it kept: an exemplar is collected only once its trace is in
   * it, so none points at a trace that was dropped (or, its spans still open, may be).
   */
  readonly keptTraces?: { has(traceId: string): boolean } | undefined;
  /** Marks that some series changed since the last delta collection. */
  dirty: boolean;
  /** False when nothing collects deltas: a removed series' unsent change then is not kept for one. */
  readonly deltaReader?: boolean;
  /** False when only deltas are read: counter and histogram series idle for a whole delta cycle are then forgotten. */
  readonly cumulativeReader?: boolean;
  /** Redacts label values by label name (a secret name, a URL label) when a series is created. */
  readonly redactor?: Redactor | undefined;
}

/** State shared by every series: its labels and the times that start its intervals. */
export interface SeriesBase {
  readonly attributes: PointAttributes;
  /** Creation time: the start of cumulative intervals. */
  readonly startTime: number;
  /** Time of the previous delta collection: the start of the next delta interval. */
  deltaStart: number;
  /** Changed since the previous delta collection. */
  dirty: boolean;
  /**
   * Set by `remove()` and `reset()`: a `bind()` handle that still holds the series finds or
   * makes its series again on its next call instead of writing where no one reads.
   */
  removed: boolean;
}

// A boolean, as the spec has it (MET-11): OTLP carries boolValue true, Prometheus renders "true".
// Told from a user label of the same name and value by identity (observe.ts).
export const OVERFLOW_ATTRIBUTES: PointAttributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * The labels of one recording call: a value (string, number or boolean) for each of the label
 * names `L` declared by `labelNames` (any name when none were declared). A label left out, or
 * `undefined`, is recorded as absent. `createCounter('x', 'X', { labelNames: ['code'] })` gives a
 * `Counter<'code'>`, whose calls take `LabelValues<'code'>`: a misspelt `{ cod: 200 }` does not compile.
 */
export type LabelValues<L extends string = string> = { [K in L]?: string | number | boolean };

/** A new series' labels, each value as first given (a string, number or boolean). */
type Labels = Record<string, string | number | boolean>;
// Series keys: each label value (and, without declared names, each name) preceded by its
// length, so no value can imitate a separator and join two label sets into one series.
const SEP = '\u0001';
const KV = '\u0002';

/**
 * One metric: a map from attribute set to series, with the cardinality cap (MET-11) and
 * label checks. Keys are built from label values, so the order of label keys never matters.
 */
export abstract class Instrument<S extends SeriesBase, P = unknown, L extends string = string> {
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, S>();
  #overflow: S | undefined;
  /** Delta points of removed series that no delta collection sent yet: they leave with the next one. */
  #retired: P[] | undefined;
  /** @internal The library's own self-metrics keep counting after shutdown (drops still happen then). */
  selfMetric = false;
  readonly #labelSet: Set<string> | undefined;

  constructor(
    protected readonly owner: InstrumentOwner,
    readonly name: string,
    readonly help: string,
    readonly unit: string,
    /** Declared label names, sorted; undefined when any labels are accepted. */
    readonly labelNames: readonly string[] | undefined,
  ) {
    this.#labelSet = labelNames ? new Set(labelNames) : undefined;
    // Which declared labels the redactor may change is known now, so a first increment neither
    // asks nor compiles the redactor when none can (any labels: asked per new series).
    const r = owner.redactor;
    this.#redactNames = r === undefined ? [] : labelNames ? labelNames.filter((n) => r.mayRedact(n)) : undefined;
  }

  /** Declared labels the redactor may change ([] for none, or no redactor); undefined: any labels. */
  readonly #redactNames: readonly string[] | undefined;

  protected abstract createSeries(attributes: PointAttributes, time: number): S;

  /** Finds or creates the series for `labels`; undefined (counted) when the call is misuse. */
  protected resolve(labels: LabelValues | undefined): S | undefined {
    if (this.owner.closed && (!this.selfMetric || this.owner.disabled)) return this.afterShutdown();
    let key: string | undefined;
    if (labels === undefined || labels === null) {
      key = this.#labelSet ? this.#keyOfDeclared({}) : '';
    } else if (typeof labels !== 'object') {
      return this.#notAnObject();
    } else {
      // A label that throws when read (a getter, a revoked Proxy) is misuse too: counted, not thrown.
      try {
        const hit = this.lookupLearned(labels);
        if (hit !== undefined) return hit;
        key = this.#labelSet ? this.#keyOfDeclared(labels) : this.#keyOfAny(labels);
      } catch {
        return this.drop('invalid_label', `metric "${this.name}" got labels that cannot be read; the value was dropped`);
      }
    }
    if (key === undefined) return undefined;
    const found = this.series.get(key);
    // A series found by its key string is remembered in the lookup tree too: it may predate
    // the learned shape, or `remove()` may have cleared the tree.
    if (found !== undefined) {
      if (labels) this.#rememberLearned(labels, found);
      return found;
    }
    // A new series joins the lookup tree on its second call (found by its key above), not now:
    // a label set seen once (a request id, a user id) costs no tree node, and a first call
    // compiles and runs less.
    return this.#create(key, labels ?? {});
  }

  /** A value recorded while closed: counted after shutdown; nothing at all when telemetry is disabled. */
  protected afterShutdown(): undefined {
    return this.owner.disabled ? undefined : this.drop('after_shutdown', 'a metric was recorded after shutdown(); the value was dropped');
  }

  #notAnObject(): undefined {
    return this.drop('invalid_label', `metric "${this.name}" got labels that are not an object; the value was dropped`);
  }

  /**
   * Series are also found through nested maps keyed by each label value, in the key order of
   * the first labels object that made or found a series (the learned shape). Callers build
   * their labels object the same way every time, so a hit is a key-order check and a few
   * lookups of strings the caller already holds, instead of building and hashing a key string.
   * Other shapes, new sets and unusual values take the string-key path, which does every check.
   */
  readonly #tree = new Map<unknown, unknown>();
  #learned: readonly string[] | undefined;

  /**
   * The series of `labels` when they have the learned shape and their values are remembered:
   * one pass checks each key against the shape and looks its value up. A value read through the
   * for-in key takes V8's fast path for `obj[key]` inside `for (key in obj)`; reading
   * `labels[names[i]]` in a second loop after the shape check cost ~5 ns more a call.
   */
  private lookupLearned(labels: LabelValues): S | undefined {
    const names = this.#learned;
    if (names === undefined) return undefined;
    let n = 0;
    let node: unknown = this.#tree;
    for (const k in labels) {
      if (k !== names[n]) return undefined;
      let v = labels[k];
      if (typeof v !== 'string') {
        if (typeof v !== 'number' && typeof v !== 'boolean') return undefined;
        v = String(v);
      }
      node = (node as Map<unknown, unknown>).get(v);
      if (node === undefined) return undefined;
      n++;
    }
    // Fewer keys than the shape end on an inner map, not a series.
    return n === names.length ? (node as S) : undefined;
  }

  #rememberLearned(labels: LabelValues, series: S): void {
    const names = this.#learned;
    if (names === undefined) {
      const keys = Object.keys(labels);
      if (keys.length > 0 && keys.length <= 16 && this.#remember(keys, labels, series)) this.#learned = keys;
      return;
    }
    if (hasShape(labels, names)) this.#remember(names, labels, series);
    else this.#otherShape();
  }

  /** A shape other than the learned one: after many, learn again (the first call may have been the odd one). */
  #otherShape(): void {
    if (++this.#shapeMisses < 1024) return;
    this.#shapeMisses = 0;
    this.#learned = undefined;
    this.#tree.clear();
  }
  #shapeMisses = 0;

  /** Records `series` under `labels`' values in `names` order; false when a value cannot be (empty, too long, not text). */
  #remember(names: readonly string[], labels: LabelValues, series: S): boolean {
    const values: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const raw = labels[names[i]];
      const v = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
      if (typeof v !== 'string' || v === '' || (v.length > this.owner.limits.labelValueLengthLimit && !this.selfMetric)) return false;
      values.push(v);
    }
    let node = this.#tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(values[i], (next = new Map()));
      node = next;
    }
    node.set(values[last], series);
    return true;
  }

  #create(key: string, labels: LabelValues): S | undefined {
    // The library's own drop counter is exempt: its reasons are a fixed set, and capped it would
    // count its own overflow into itself until the stack overflowed, thrown into the app.
    const cap = this.owner.limits.cardinalityLimit;
    let full = this.series.size >= cap && !this.selfMetric;
    // Read as deltas only, the cap counts the series changed in this cycle: idle ones make room.
    if (full && !this.#swept && this.#forgets()) {
      this.#swept = true;
      this.#forgetIdle();
      full = this.series.size >= cap;
    }
    // Declared labels that nothing redacts: the key is the whole identity, so a full instrument
    // overflows at once. Otherwise the attributes come first even at the cap: an invalid label
    // name is dropped as below the cap, and a secret value finds the redacted series it shares.
    if (full && this.#labelSet !== undefined && this.#redactNames?.length === 0) return this.#overflowSeries();
    // Values keep their type (a status code 200 goes out as an OTLP int); the key is their text,
    // so a later "200" finds this series and its attributes stay those of this first call.
    let attributes: Labels | undefined;
    const names = this.labelNames;
    if (names) {
      attributes = {};
      // An empty label value is the same as an absent label (PR-03): it is not recorded.
      for (let i = 0; i < names.length; i++) {
        const v = labels[names[i]];
        const t = this.#text(v, false, names[i]);
        if (t) attributes[names[i]] = typeof v === 'string' ? t : v!;
      }
    } else {
      const cut = this.#cuts?.get(key);
      if (cut !== undefined) {
        this.#cut(cut[1]);
        return cut[0];
      }
      const all = this.#attributesOfAny(labels);
      if (all === undefined) return undefined;
      attributes = this.#capLabels(all);
      if (attributes !== all) {
        // Keyed by the labels kept: sets that differ only in dropped labels share one series.
        const k = this.#keyOfAny(attributes)!;
        const s = this.series.get(k) ?? this.#create(k, attributes);
        if (s !== undefined && s !== this.#overflow) {
          // Bounded: dropped labels that vary (a request id) must not grow it without end.
          const cuts = (this.#cuts ??= new Map());
          if (cuts.size >= this.owner.limits.cardinalityLimit) cuts.clear();
          cuts.set(key, [s, Object.keys(all).length - Object.keys(attributes).length]);
        }
        return s;
      }
    }
    if (wellFormed(attributes) | (this.#redactNames?.length !== 0 && this.#redactLabels(attributes) ? 1 : 0)) {
      // Keyed by the redacted values: every secret value shares one series, and none of them
      // is remembered in the lookup tree, so per-request tokens grow neither. So are values
      // with a lone surrogate, sent as U+FFFD: otherwise two series would be sent alike.
      key = (this.#labelSet ? this.#keyOfDeclared(attributes) : this.#keyOfAny(attributes)) ?? key;
      const same = this.series.get(key);
      if (same !== undefined) return same;
    }
    if (full) return this.#overflowSeries();
    const s = this.createSeries(attributes, now());
    this.series.set(key, s);
    return s;
  }

  /** Replaces secret label values in place (README: secrets are redacted in Prometheus and OTLP output); true when any changed. */
  #redactLabels(attributes: Labels): boolean {
    if (this.selfMetric) return false;
    const r = this.owner.redactor!;
    let changed = false;
    for (const k of this.#redactNames ?? Object.keys(attributes)) {
      const v = attributes[k];
      if (v === undefined) continue;
      const nv = r.apply(k, v);
      if (nv !== v) {
        attributes[k] = nv;
        changed = true;
      }
    }
    return changed;
  }

  // The rarer branches of a first call live in their own methods: V8 compiles a function on its
  // first call, so what a usual first increment runs through stays small (mitata, for one,
  // times call by call a task whose first call takes over 500 µs).

  /** Past the cardinality cap: the shared overflow series, counted. */
  #overflowSeries(): S {
    this.drop(
      'cardinality_overflow',
      () => `metric "${this.name}" passed ${this.owner.limits.cardinalityLimit} attribute sets (limits.cardinalityLimit); new sets go to the otel.metric.overflow=true series`,
    );
    return (this.#overflow ??= this.createSeries(OVERFLOW_ATTRIBUTES, now()));
  }

  /** The attributes of a new series of an instrument without declared label names. */
  #attributesOfAny(labels: LabelValues): Labels | undefined {
    const attributes: Labels = {};
    for (const k of Object.keys(labels)) {
      if (labels[k] === undefined) continue;
      if (!isValidLabelName(k)) {
        this.drop('invalid_label', `metric "${this.name}" got an invalid label name ${JSON.stringify(k.slice(0, 64))}; the value was dropped`);
        return undefined;
      }
      const v = labels[k];
      const t = this.#text(v, false, k);
      if (t) attributes[k] = typeof v === 'string' ? t : v;
    }
    return attributes;
  }

  /**
   * Undeclared labels past limits.labelCountLimit (128 by default; metric attributes are exempt
   * from the OpenTelemetry attribute limits, ENV-15): the first ones in name order are kept, so key order never matters, and the
   * rest are dropped and counted (`count`: false for `remove()`). Runs only when a series is made
   * or a capped set is first recorded; a found series never gets here. Declared labelNames are
   * configuration, not capped.
   */
  #capLabels(all: Labels, count = true): Labels {
    const max = this.owner.limits.labelCountLimit;
    const keys = Object.keys(all);
    if (keys.length <= max || this.selfMetric) return all;
    keys.sort();
    const kept: Labels = {};
    for (let i = 0; i < max; i++) kept[keys[i]!] = all[keys[i]!]!;
    if (count) this.#cut(keys.length - max);
    return kept;
  }

  /** Counts `n` labels dropped by the cap: on every call that passes them, as other drops are. */
  #cut(n: number): void {
    this.drop('attribute_limit', () => `metric "${this.name}" got more than ${this.owner.limits.labelCountLimit} labels (limits.labelCountLimit); the rest were dropped`, n);
  }

  /**
   * Over-cap label sets by their full key, with their series and how many labels the cap drops:
   * a set passed again skips the cap's validation and sorting. Not in the lookup tree, whose hit
   * would skip counting the drop.
   */
  #cuts: Map<string, [S, number]> | undefined;

  /**
   * Label value as text, the series key's part: a string truncated to the limit, a number or
   * boolean as String() writes it (`200` and `"200"` are one series; the series keeps the values
   * of the call that made it). `count` is false when re-reading a value already counted.
   */
  #text(v: unknown, count = true, name?: string): string | undefined {
    if (typeof v === 'string') return v.length > this.owner.limits.labelValueLengthLimit ? this.#truncate(v, count, name) : v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return v === undefined ? '' : undefined;
  }

  #truncate(s: string, count: boolean, name: string | undefined): string {
    // The library's own metrics are exempt: their values are short, known names, and counting
    // a truncation of one would record into the same metric again, without end.
    if (this.selfMetric) return s;
    const max = this.owner.limits.labelValueLengthLimit;
    // A secret is redacted before the cut: cut first, a URL cut before the `@` of `user:pw@`
    // would no longer read as one with credentials, and keep the start of the password.
    s = redactFirst(s, this.owner.redactor, name);
    if (s.length <= max) return s;
    if (count && !this.#quiet) this.drop('label_too_long', () => `metric "${this.name}": a label value over ${max} characters was truncated (limits.labelValueLengthLimit)`);
    return clip(s, max);
  }

  #keyOfDeclared(labels: LabelValues): string | undefined {
    const set = this.#labelSet!;
    for (const k in labels) if (!set.has(k) && labels[k] !== undefined) return this.#unknownLabel(k);
    const names = this.labelNames!;
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const t = this.#text(labels[names[i]], true, names[i]);
      if (t === undefined) return this.#invalidValue();
      key += t.length + SEP + t;
    }
    return key;
  }

  #unknownLabel(k: string): undefined {
    if (this.#quiet) return undefined;
    return this.drop(
      'unknown_label',
      `metric "${this.name}" got the undeclared label ${JSON.stringify(k.slice(0, 64))} (labelNames: ${this.labelNames!.join(', ')}); the value was dropped`,
    );
  }

  #invalidValue(): undefined {
    if (this.#quiet) return undefined;
    return this.drop('invalid_label', `metric "${this.name}" got a label value that is not a string, number or boolean; the value was dropped`);
  }

  #keyOfAny(labels: LabelValues): string | undefined {
    let keys = Object.keys(labels);
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1] > keys[i]) {
        keys = keys.slice().sort();
        break;
      }
    }
    let key = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const raw = labels[k];
      if (raw === undefined) continue;
      const t = this.#text(raw, true, k);
      if (t === undefined) return this.#invalidValue();
      // An empty value is the same as an absent label (PR-03).
      if (t !== '') key += k.length + KV + k + t.length + KV + t;
    }
    return key;
  }

  /**
   * Forgets the series of `labels` (a check that was unregistered, a queue that was deleted):
   * cumulative readers stop seeing it. Returns true when it existed. Never throws.
   */
  remove(labels?: LabelValues<L>): boolean {
    // Nothing is recorded: a label remove() cannot use (truncated, undeclared, not text) is no dropped value.
    this.#quiet = true;
    try {
      let key = labels === undefined || labels === null ? (this.#labelSet ? this.#keyOfDeclared({}) : '') : this.#labelSet ? this.#keyOfDeclared(labels) : this.#keyOfAny(labels);
      if (key === undefined) return false;
      let s = this.series.get(key);
      if (s === undefined && labels) {
        // A set the cap cut or the redactor changed is keyed by the labels stored (as #create keys it).
        const a: Labels = {};
        for (const k of this.labelNames ?? Object.keys(labels)) {
          const v = (labels as LabelValues)[k];
          const t = this.#text(v, false, k);
          if (t) a[k] = typeof v === 'string' ? t : v!;
        }
        const kept = this.#labelSet ? a : this.#capLabels(a, false);
        if ((this.#redactNames?.length !== 0 && this.#redactLabels(kept)) || kept !== a)
          s = this.series.get((key = (this.#labelSet ? this.#keyOfDeclared(kept) : this.#keyOfAny(kept))!));
      }
      if (s === undefined) return false;
      this.#quiet = false;
      this.series.delete(key);
      this.#retire(s, now());
      // The lookup tree and the over-cap sets may still point at the series: clear them (rebuilt on demand).
      this.#tree.clear();
      this.#learned = this.#cuts = undefined;
      return true;
    } catch {
      return false;
    } finally {
      this.#quiet = false;
    }
  }

  /** Set while remove() builds a key: its label checks count nothing. */
  #quiet = false;

  /** Forgets every series (the overflow series included). */
  reset(): void {
    const t = now();
    for (const s of this.#allSeries()) this.#retire(s, t);
    this.series.clear();
    this.#tree.clear();
    this.#learned = this.#cuts = this.#overflow = undefined;
  }

  /**
   * Marks `s` removed; a change of it that no delta collection sent yet is kept as its delta
   * point (ended now) for the next one, so delta readers lose nothing (cumulative ones stop
   * seeing it at once). Past limits.cardinalityLimit waiting points, the change is dropped and counted.
   */
  #retire(s: S, time: number): void {
    s.removed = true;
    const owner = this.owner;
    // A removal changes what cumulative readers see: the next flush must send it (a Pushgateway PUT drops the series).
    owner.dirty = true;
    if (!s.dirty || owner.deltaReader === false) return;
    const r = (this.#retired ??= []);
    // One more for the overflow series: reset() of a full instrument retires it after the cap's
    // series, and every value, the overflowed ones included, must reach the next delta collection (MET-11).
    if (r.length >= owner.limits.cardinalityLimit + (s.attributes === OVERFLOW_ATTRIBUTES ? 1 : 0)) {
      this.drop('buffer_full', () => `metric "${this.name}": a removed series' change was dropped (limits.cardinalityLimit unexported)`);
      return;
    }
    r.push(this.deltaPoint(s, time));
  }

  /**
   * A collection's points: every series for a cumulative one; for a delta one, the points kept
   * by `retire()` (handed over once) and the series changed since the previous delta collection
   * (every series of an up-down counter, which is always cumulative).
   */
  #points(temporality: Temporality, time: number): P[] {
    if (temporality !== 'delta') return Array.from(this.#allSeries(), (s) => this.point(s, time));
    const r = this.#retired ?? [];
    this.#retired = undefined;
    // The series idle through the cycle that ends now go before it is read (memory).
    const forgets = this.#forgets();
    if (forgets) this.#forgetIdle();
    this.#swept = false;
    for (const s of this.#allSeries()) if (s.dirty || this.type === 'updowncounter') r.push(this.deltaPoint(s, time));
    // The cap counts one cycle's sets here, so the overflow series is one cycle's too.
    const o = this.#overflow;
    if (forgets && o !== undefined) {
      o.removed = true;
      this.#overflow = undefined;
    }
    return r;
  }

  /**
   * Read as deltas only, a counter or histogram series that did not change since the previous
   * delta collection can be forgotten, as sdk-metrics forgets it: the cardinality limit counts a
   * cycle's points (MET-11), so label sets that come and go (tenants, the routes of a long-lived
   * isolate) neither fill the cap for good nor stay in memory. One that comes back starts again
   * at zero, which no delta reader can tell. Gauges (incremented values), up-down counters and
   * summaries carry state that must not restart; cumulative readers see every series.
   */
  #forgets(): boolean {
    return this.owner.cumulativeReader === false && (this.type === 'counter' || this.type === 'histogram' || this.type === 'exponential_histogram') && !this.observed;
  }

  /**
   * @internal Fed by observed totals (observe.ts): each set's change is taken against its last
   * total, which is remembered while its series is, so its series are never forgotten (a set
   * that came back would send its whole total again).
   */
  observed = false;

  /** Set when a full instrument forgot its idle series in this cycle: nothing else goes idle before the next collection. */
  #swept = false;

  #forgetIdle(): void {
    let forgot = false;
    for (const [key, s] of this.series) {
      if (s.dirty) continue;
      this.series.delete(key);
      s.removed = true;
      forgot = true;
    }
    const o = this.#overflow;
    if (o !== undefined && !o.dirty) {
      o.removed = true;
      this.#overflow = undefined;
    }
    if (forgot) {
      // As after remove(): the lookup tree and the over-cap sets may point at forgotten series.
      this.#tree.clear();
      this.#learned = this.#cuts = undefined;
    }
  }

  /** The cumulative point of `s`. */
  protected abstract point(s: S, time: number): P;

  /** The delta collection's point of `s`; starts its next delta interval (here: a cumulative point). */
  protected deltaPoint(s: S, time: number): P {
    s.dirty = false;
    return this.point(s, time);
  }

  /** Every series including overflow, for collection. */
  #allSeries(): IterableIterator<S> | S[] {
    if (!this.#overflow) return this.series.values();
    return [...this.series.values(), this.#overflow];
  }

  /** Number of distinct attribute sets held (overflow excluded). */
  get seriesCount(): number {
    return this.series.size;
  }

  /**
   * Builds this instrument's part of a snapshot. Up-down counters (ENV-08) and summaries (whose
   * count and sum OTLP takes as cumulative, see summary.ts) are always cumulative; a delta
   * collection only leaves out their series that did not change.
   */
  collect(temporality: Temporality, time: number): MetricData {
    const type = this.type;
    const t = type === 'updowncounter' || type === 'summary' ? 'cumulative' : temporality;
    const m = { name: this.name, help: this.help, unit: this.unit, type, temporality: t, points: this.#points(temporality, time) } as MetricData;
    // An observable counter's deltas carry its totals (what a cumulative collection reads) for a
    // `lowmemory` reader (ENV-08: Cumulative for observable counters), which shares this delta
    // collection; not enumerated, so the snapshot reads as before.
    if (this.observed && t === 'delta') Object.defineProperty(m, 'totals', { value: Array.from(this.#allSeries(), (s) => this.point(s, time)) });
    return m;
  }

  /**
   * The `observe` of a bound histogram (either kind): `record` takes each finite value into the
   * series of `labels`, found again after `remove()` or `reset()`; misuse is counted, not thrown.
   */
  protected boundObserve(labels: LabelValues | undefined, record: (s: S, v: number) => void): (v: number) => void {
    let s = unlessOverflow(this.resolve(labels));
    return (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return this.notFinite('histogram');
      if (s === undefined || s.removed) {
        // resolve() counts the drop when the labels are misuse or the monitor is closed, and
        // each value diverted to the overflow series (not kept: resolved again next call).
        const r = this.resolve(labels);
        if (r === undefined) return;
        s = unlessOverflow(r);
        return record(r, v);
      } else if (this.owner.closed) return this.afterShutdown();
      record(s, v);
    };
  }

  /** Counts a dropped value (one shared call: the drop paths of every instrument minify to it). */
  protected drop(reason: DropReason, message: string | (() => string), n?: number): undefined {
    this.owner.diag.drop(reason, message, n);
    return undefined;
  }

  /** Counts a value that is not a finite number; `kind` names the instrument in the message. */
  protected notFinite(kind: string): undefined {
    return this.drop('invalid_value', `${kind} "${this.name}" got a value that is not a finite number; it was dropped`);
  }

  protected markDirty(s: S): void {
    s.dirty = true;
    this.owner.dirty = true;
  }
}

// Shared argument handling: `increment(labels)` is accepted for `increment(1, labels)`, and so is
// prom-client's order, `inc(labels, value)`: ported JavaScript calling `increment({ code }, 0)` to
// start a series at zero recorded 1, unseen. Two scalar helpers rather than one returning a
// `[value, labels]` pair: wherever V8 does not inline the helper, a pair is an allocation and a
// destructuring on every call.

/**
 * The value of a call that may leave it out: `dflt` when omitted, or when labels came first
 * without a value after them; the second argument when labels came first with one.
 */
export function valueArg(value: unknown, dflt: number, second?: unknown): unknown {
  return value === undefined ? dflt : value !== null && typeof value === 'object' ? (second === undefined ? dflt : second) : value;
}

/**
 * The labels of such a call: the first argument when it is the labels object (then the second
 * argument is the value, not returned).
 */
export function labelsArg(value: unknown, labels: LabelValues | number | undefined): LabelValues | undefined {
  return value !== null && typeof value === 'object' ? (value as LabelValues) : (labels as LabelValues | undefined);
}

/** Replaces lone surrogates in string values with U+FFFD (as UTF-8 encoding does), in place; 1 when any changed. */
function wellFormed(attributes: Labels): number {
  let changed = 0;
  for (const k in attributes) {
    // A number or boolean has no isWellFormed: left as it is.
    const v = attributes[k] as string & { isWellFormed?(): boolean; toWellFormed(): string };
    if (v.isWellFormed?.() === false) {
      attributes[k] = v.toWellFormed();
      changed = 1;
    }
  }
  return changed;
}

/**
 * What a bind() handle keeps of a resolved series: not the overflow series. Kept, a handle made
 * at the cap would record into it for good, its values no longer counted as diverted (MET-11),
 * and would not find its own series once remove() or an idle delta cycle made room.
 */
export function unlessOverflow<S extends { readonly attributes: PointAttributes }>(s: S | undefined): S | undefined {
  return s === undefined || s.attributes === OVERFLOW_ATTRIBUTES ? undefined : s;
}

/** Whether `labels` has exactly the keys `names`, in that order (the learned shape). */
function hasShape(labels: LabelValues, names: readonly string[]): boolean {
  let n = 0;
  for (const k in labels) {
    if (k !== names[n]) return false;
    n++;
  }
  return n === names.length;
}
