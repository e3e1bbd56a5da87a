import type { LabelsInput } from '../model/attributes.js';
import type { PointAttributes } from '../model/metric-data.js';
import type { Counter, UpDownCounter } from './counter.js';
import { now } from '../time.js';
import { OVERFLOW_ATTRIBUTES } from './instrument.js';

/** What an observed total writes into (a SumSeries of counter.ts). */
interface Series {
  readonly attributes: PointAttributes;
  readonly startTime: number;
  deltaStart: number;
  dirty: boolean;
  value: number;
  delta: number;
  removed: boolean;
}

/** The last total observed for one attribute set, and the series it went to. */
interface Last {
  total: number;
  series: Series;
}

/**
 * Per instrument: attribute set → its last observed total. Kept for two cases the series alone
 * cannot answer. Past the cardinality limit every set shares the overflow series, so each set's
 * change is taken against its own last total (keyed by its labels) and summed there; and
 * `reset()` or `remove()` forgets a series, not the source's total, so the set's next change is
 * taken against what it observed before (keyed by the series' attributes). Bounded at three
 * times limits.cardinalityLimit (the live series, and twice as many overflowed sets): past it,
 * sets whose series were forgotten and not observed since are let go, then an overflowed set
 * not yet known is dropped and counted (cardinality_overflow).
 */
const lasts = new WeakMap<object, Map<string, Last>>();

function keyOf(attrs: LabelsInput | PointAttributes): string {
  let key = '';
  for (const k of Object.keys(attrs).sort()) {
    const v = attrs[k];
    if (v === undefined || v === null || v === '') continue;
    const s = String(v);
    key += `${k.length}:${k}${s.length}:${s}`;
  }
  return key;
}

/**
 * An observed total (OpenTelemetry observable instruments), read at collection: the series takes
 * the total. A counter's delta moves by the change since the previous observation of that
 * attribute set, or restarts from the total when it went down (a reset, as sdk-metrics reads it).
 * Past the cardinality limit the overflow series holds the sum of the overflowed sets' totals
 * and moves by the sum of their changes. A function of its own rather than a method, so bundles
 * without the OpenTelemetry bridge leave it out.
 */
export function observeTotal(inst: Counter | UpDownCounter, total: number, labels: LabelsInput | undefined): void {
  const counter = inst.type === 'counter';
  const diag = inst['owner'].diag;
  if (typeof total !== 'number' || !Number.isFinite(total) || (counter && total < 0)) {
    diag.drop('invalid_value', `observable ${counter ? '' : 'up-down '}counter "${inst.name}" observed a value that is not a finite${counter ? ' non-negative' : ''} number; it was dropped`);
    return;
  }
  inst.observed = true;
  const s = inst['resolve'](labels) as Series | undefined;
  if (s === undefined) return;
  // By identity: a user label otel.metric.overflow=true is no overflow series.
  const overflow = s.attributes === OVERFLOW_ATTRIBUTES;
  let memo = lasts.get(inst);
  if (memo === undefined) lasts.set(inst, (memo = new Map()));
  const key = overflow ? '\u0001' + keyOf(labels ?? {}) : keyOf(s.attributes);
  const last = memo.get(key);
  const room = memo.size < 3 * inst['owner'].limits.cardinalityLimit;
  if (last === undefined && !room && !sweep(memo) && overflow) {
    // Without its last total, its change cannot be told from its total: dropped, not added whole.
    diag.drop('cardinality_overflow', () => `observable counter "${inst.name}" observed more attribute sets past limits.cardinalityLimit than it keeps the last total of; the observation was dropped`);
    return;
  }
  const previous = last !== undefined ? last.total : overflow ? 0 : s.value;
  // A series made again after reset() or remove() continues the one it replaces (its start time).
  if (last !== undefined && last.series !== s && last.series.removed && (last.series.attributes === OVERFLOW_ATTRIBUTES) === overflow) {
    (s as { startTime: number }).startTime = last.series.startTime;
  }
  const change = counter && total < previous ? total : total - previous;
  s.delta += change;
  // The overflow series holds the sum of its sets' totals: this set's part moves from what it added before.
  const value = overflow ? s.value + total - (last?.series === s ? last.total : 0) : total;
  // A counter's total that went down is a reset: its cumulative series starts again, after the
  // last reported time (MET-04), so that no cumulative stream of one start time ever decreases (MET-05).
  if (counter && value < s.value) (s as { startTime: number }).startTime = now();
  s.value = value;
  if (last !== undefined) {
    last.total = total;
    last.series = s;
  } else if (memo.size < 3 * inst['owner'].limits.cardinalityLimit) memo.set(key, { total, series: s });
  inst['markDirty'](s);
}

/** Forgets the sets whose series reset() or remove() forgot and that were not observed since; true when room was made. */
function sweep(memo: Map<string, Last>): boolean {
  const before = memo.size;
  for (const [k, l] of memo) if (l.series.removed) memo.delete(k);
  return memo.size < before;
}
