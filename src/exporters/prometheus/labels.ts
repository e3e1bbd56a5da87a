/**
 * Label sets → the text between `{` and `}`. The fast path handles attribute keys that are
 * already valid label names (nearly all of them) with one concatenation per label; anything
 * else goes through the slow path, which sanitises keys and merges collisions (MET-13).
 *
 * @module
 */

import type { PointAttributes } from '../../model/metric-data.js';
import { escapeLabelValue } from './escape.js';
import { sanitizeLabelName } from './names.js';

let slowPathUsed = false;

// Label text per attributes object. The model's label sets are readonly and the core keeps one
// object per series for the series' life, so a scrape re-renders 10,000 series from cache.
// Weak keys: the entry goes when the series does.
const bodyCache = new WeakMap<PointAttributes, string>();

/** Whether any `labelBody` call since the last `resetSlowPath()` had to rename a key. */
export function slowPathWasUsed(): boolean {
  return slowPathUsed;
}

/** Clears the flag that `slowPathWasUsed` reports. */
export function resetSlowPath(): void {
  slowPathUsed = false;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

// A lone surrogate has no UTF-8 form: the response carries U+FFFD, so values that differ only
// there would be one series written twice. Such sets take the slow path, which checks for that.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The label body `k1="v1",k2="v2"` for one series; a label whose value is empty is left out, as
 * Prometheus has it (PR-03). User labels named `le` or `quantile` are renamed `key_le` /
 * `key_quantile` on every type: histograms and summaries add those labels themselves, and
 * promtool flags them on any other type, so one rule keeps series identity stable. Attribute
 * objects are treated as immutable (the model types them readonly): the text is cached per
 * object. Renamed (slow-path) label sets are not cached.
 *
 * @example
 * labelBody({ method: 'GET', 'http.route': '/a"b' }) // 'method="GET",http_route="/a\\"b"'
 */
export function labelBody(attrs: PointAttributes): string {
  const cached = bodyCache.get(attrs);
  if (cached !== undefined) return cached;
  // join() gives a flat string; a `+=` rope kept in the cache would be walked again by every
  // scrape when the response text is encoded (measured: most of a 10,000-series render).
  const parts: string[] = [];
  for (const key in attrs) {
    const v = text(attrs[key]);
    if (v === '' || key === 'le' || key === 'quantile' || sanitizeLabelName(key) !== key || v.replace(LONE_SURROGATE, '') !== v) return slowLabelBody(attrs);
    parts.push(key + '="' + escapeLabelValue(v) + '"');
  }
  const body = parts.join(',');
  bodyCache.set(attrs, body);
  return body;
}

/**
 * The first label of a series, named as `labelBody` writes it, that `fixed` sets to another value;
 * `undefined` when none. A renamed key counts as a conflict whatever its value (it may be merged
 * with others). An equal value is no conflict: the receiver leaves it as it is.
 *
 * @example
 * conflictingLabel({ job: 'other' }, { job: 'nightly' }) // 'job'
 */
export function conflictingLabel(attrs: PointAttributes, fixed: Readonly<Record<string, string>>): string | undefined {
  for (const key in attrs) {
    let name = sanitizeLabelName(key);
    if (name === 'le' || name === 'quantile') name = 'key_' + name;
    if (Object.hasOwn(fixed, name) && (name !== key || text(attrs[key]) !== fixed[name])) return name;
  }
  return undefined;
}

function slowLabelBody(attrs: PointAttributes): string {
  slowPathUsed = true;
  let body = '';
  for (const [name, value] of labelPairs(attrs)) body += (body === '' ? '' : ',') + name + '="' + escapeLabelValue(value) + '"';
  return body;
}

/**
 * The labels of `attrs` as a series carries them, values unescaped: names made valid (`le` and
 * `quantile` renamed), keys equal once made valid merged, empty values left out, lone surrogates
 * as U+FFFD. Also the constant labels a render adds to every series (target.ts).
 */
export function labelPairs(attrs: PointAttributes): [name: string, value: string][] {
  const groups = new Map<string, string[]>();
  for (const key in attrs) {
    let name = sanitizeLabelName(key);
    if (name === 'le' || name === 'quantile') name = 'key_' + name;
    const keys = groups.get(name);
    if (keys === undefined) groups.set(name, [key]);
    else keys.push(key);
  }
  const pairs: [string, string][] = [];
  for (const [name, keys] of groups) {
    // Colliding keys are merged with `;` in the lexical order of the original keys (MET-13).
    let value: string;
    if (keys.length === 1) value = text(attrs[keys[0]!]);
    else {
      keys.sort();
      value = keys.map((k) => text(attrs[k])).join(';');
    }
    // An empty value is the same as no label (PR-03): written out, `{a=""}` and `{}` would be one
    // series to Prometheus, which keeps one of the two without a word. Left out, the second is
    // found by the duplicate check and reported.
    if (value === '') continue;
    pairs.push([name, value.replace(LONE_SURROGATE, '\uFFFD')]);
  }
  return pairs;
}
