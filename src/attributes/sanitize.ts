import type { AnyValue, AttributeValue } from '../model/attributes.js';
import type { Redactor } from './redact.js';

/** What a sanitiser tells its caller: the kept value, and whether it had to change or drop it. */
export const enum Fix {
  None = 0,
  Truncated = 1,
  Converted = 2,
  Dropped = 3,
}

export interface Sanitized<T> {
  value: T | undefined;
  fix: Fix;
}

const scratch: Sanitized<AttributeValue> = { value: undefined, fix: Fix.None };

/**
 * Turns any input into a valid span attribute value. Strings are truncated to `maxLength`,
 * bigints become numbers or strings, Errors and Dates become text, other objects become JSON
 * (cycles cut and throwing getters included), `null`/`undefined`/functions are dropped; in an
 * array, `null` and `undefined` elements are kept as `null`.
 * Returns a shared scratch object: read it before the next call. With a redactor, the keys of an
 * object turned into JSON are redacted as it is written (`setAttribute('user', { password })`),
 * and a text over `maxLength` under a `key` it may change is redacted before it is cut (see redactFirst).
 */
export function sanitizeAttribute(v: unknown, maxLength: number, redactor?: Redactor, key?: string): Sanitized<AttributeValue> {
  const out = scratch;
  out.fix = Fix.None;
  switch (typeof v) {
    case 'string':
      if (v.length > maxLength) {
        v = redactFirst(v, redactor, key);
        out.value = clip(v as string, maxLength);
        if ((v as string).length > maxLength) out.fix = Fix.Truncated;
      } else out.value = v;
      return out;
    case 'number':
    case 'boolean':
      out.value = v;
      return out;
    case 'bigint':
      // A safe integer is the same number (an OTLP int): nothing lost, nothing to report. Past
      // 2^53 it is written as its digits, a change of type that is reported.
      if (safeBigInt(v)) out.value = Number(v);
      else {
        out.value = v.toString();
        out.fix = Fix.Converted;
      }
      return out;
    case 'object':
      if (v === null) break;
      if (Array.isArray(v)) {
        // Redacted as it is set: a header list's secrets (see Redactor.apply) stand under indexes,
        // which export, judging the key alone, would keep. Only the part kept is looked at: a long
        // list cost a scan of every element (secret names judged in a rawHeaders) for 1000 kept.
        if (v.length > MAX_ARRAY) (out.fix = Fix.Truncated), (v = v.slice(0, MAX_ARRAY));
        out.value = sanitizeArray(redactor && key ? (redactor.apply(key, v) as unknown[]) : (v as unknown[]), maxLength, out, redactor, key);
        return out;
      }
      out.value = cutText(describe(v, redactor, maxLength), maxLength, redactor, key);
      out.fix = Fix.Converted;
      return out;
    default:
      break;
  }
  out.value = undefined;
  out.fix = Fix.Dropped;
  return out;
}

/** Whether a BigInt is the same value as a number (within ±(2^53 − 1)). */
function safeBigInt(v: bigint): boolean {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
}

/** The elements an array attribute keeps. */
const MAX_ARRAY = 1000;

/**
 * An array attribute: homogeneous arrays of strings, numbers (safe BigInts among them) or booleans are kept, with `null`
 * (and `undefined`, a hole) elements kept as `null` as the OpenTelemetry common spec asks; any
 * other mix becomes an array of strings, still with its nulls.
 */
function sanitizeArray(arr: unknown[], maxLength: number, out: Sanitized<AttributeValue>, redactor: Redactor | undefined, key: string | undefined): AttributeValue {
  // Within MAX_ARRAY: cut by the caller.
  const n = arr.length;
  let type: string | undefined;
  let homogeneous = true;
  for (let i = 0; i < n; i++) {
    const e = arr[i];
    if (e === null || e === undefined) continue;
    // A safe BigInt is a number here too, as a single one is: [1n, 2n] stays an int array.
    const t = typeof e === 'bigint' && safeBigInt(e) ? 'number' : typeof e;
    type ??= t;
    if (t !== type || (t !== 'string' && t !== 'number' && t !== 'boolean')) {
      homogeneous = false;
      break;
    }
  }
  const res: (string | number | boolean | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = arr[i];
    if (e === null || e === undefined) res[i] = null;
    else if (homogeneous) {
      if (typeof e === 'string' && e.length > maxLength) {
        const r = redactFirst(e, redactor, key);
        res[i] = clip(r, maxLength);
        if (r.length > maxLength) out.fix = Fix.Truncated;
      } else res[i] = typeof e === 'bigint' ? Number(e) : (e as string | number | boolean);
    } else {
      res[i] = cutText(typeof e === 'string' ? e : describe(e, redactor, maxLength), maxLength, redactor, key);
      out.fix = Fix.Converted;
    }
  }
  return res as AttributeValue;
}

/**
 * A text about to be cut, redacted whole first as the redactor would redact it under `key` at
 * export: what tells a secret may lie past the cut (a URL's `@` after `user:password`), and the
 * part of the secret before it would then be exported as it is. Only for texts over the limit,
 * so a value within it costs nothing more; redacting the result again changes nothing.
 */
export function redactFirst(s: string, redactor: Redactor | undefined, key: string | undefined): string {
  if (redactor === undefined || key === undefined || !redactor.mayRedact(key)) return s;
  const r = redactor.apply(key, s);
  return typeof r === 'string' ? r : s;
}

/** `s` within `maxLength`: as it is when it fits, else redacted (see redactFirst), then clipped. */
function cutText(s: string, maxLength: number, redactor: Redactor | undefined, key: string | undefined): string {
  return s.length <= maxLength ? s : clip(redactFirst(s, redactor, key), maxLength);
}

/**
 * `s` cut to `maxLength` UTF-16 units, one fewer when the cut would split a surrogate pair (an
 * emoji): half a pair has no UTF-8 form and would leave as U+FFFD on the wire.
 */
export function clip(s: string, maxLength: number): string {
  if (s.length <= maxLength) return s;
  const c = s.charCodeAt(maxLength - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? maxLength - 1 : maxLength);
}

/**
 * A text form of any value that never throws. With a redactor, each key of a structure is
 * redacted as it is serialised, so a secret never reaches the text (a log body given as an object).
 * A structure is written as JSON up to `max` characters (its first `max` are those of the whole
 * text; the caller cuts there), and 8 levels deep (deeper objects are '[Object]'); either cut sets
 * `cut.truncated`.
 */
export function describe(v: unknown, redactor?: Redactor, max = MAX_TEXT, cut?: Cut): string {
  try {
    // With a redactor, masked as exception.message is (an Error set as an attribute quotes the same URLs).
    if (v instanceof Error) {
      const t = v.name && v.message ? `${v.name}: ${v.message}` : String(v.message || v.name || 'Error');
      return (redactor?.apply('exception.message', t) ?? t) as string;
    }
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return `[Function ${v.name || 'anonymous'}]`;
    if (v === undefined) return 'undefined';
    const json = safeJson(v, redactor, max, cut);
    // An object whose toJSON() gives a string (a URL, a decimal) is that string, not its JSON literal.
    return json.charCodeAt(0) === 34 && typeof v === 'object' ? (JSON.parse(json) as string) : json;
  } catch {
    return UNSERIALIZABLE;
  }
}

/** What `describe` and `sanitizeAny` write for a value that throws when read. */
export const UNSERIALIZABLE = '[Unserializable]';

/** Objects written again after their first time (shared, not circular) before they become '[Repeated]'. */
const MAX_REPEATS = 1000;
/**
 * Characters written when the caller gives no limit of its own: a large object shared a thousand
 * times must not build megabytes on the request's path.
 */
const MAX_TEXT = 256 * 1024;

function safeJson(v: unknown, redactor: Redactor | undefined, max: number, cut: Cut | undefined): string {
  // Only an ancestor of the value being written makes a cycle: an object referenced twice
  // (`{ billing: address, shipping: address }`) is written twice, as JSON.stringify does. The
  // repeats are bounded so a graph that shares each level twice cannot grow the text exponentially.
  const path: object[] = [];
  // What each entry of `path` was made from: a Map or Set is written as the object or array of
  // its entries (JSON.stringify writes `{}`), so its cycles are found through the original.
  const from: object[] = [];
  const written = new WeakSet<object>();
  let repeats = 0;
  // At most the characters written so far (a string and its quotes, 1 for any other value, a
  // map's key with its quotes and colon, a list's commas; from -3, the root's key, which is not
  // written): once past `max`, what follows is past the caller's cut, so one '[Truncated]' is
  // written and then nothing (null in a list). A list is cut, when met, to the elements that reach
  // past `max` (2 characters each at least), so the walk, the redaction and the text stay within
  // `max` (at most MAX_TEXT) whatever the size of the value: a 500,000-row list as a log message
  // was walked whole, each row past the limit written as '[Truncated]'.
  max = Math.min(max, MAX_TEXT);
  let text = -3;
  let over = false;
  // The name each list that a redactor may change stands under: its elements are redacted under
  // it (`{ database_url: [[url]] }`), since their own keys are indexes, which name nothing.
  let lists: Map<object, string> | undefined;
  const s = JSON.stringify(v, function (this: unknown, k, val: unknown) {
    if (text > max) {
      if (over) return undefined;
      over = true;
      if (cut) cut.truncated = true;
      return '[Truncated]';
    }
    // The root's key is '' (never a secret name); toJSON() has run already, so what it returns is redacted too.
    let name = k;
    const inList = Array.isArray(this);
    if (redactor !== undefined) {
      if (lists !== undefined && inList) name = lists.get(this) ?? k;
      if (name !== '') val = redactor.apply(name, val);
    }
    const t = typeof val;
    // In a list: the value (null at least) and the comma before it. In a map: `"key":` and the
    // value, or nothing for one left out (undefined, a function, a symbol).
    if (inList) text += k === '0' ? 1 : 2;
    else if (t === 'undefined' || t === 'function' || t === 'symbol') return val;
    else text += k.length + 4;
    if (t === 'string') text += (val as string).length + 1;
    else if (t === 'bigint') return (val as bigint).toString();
    if (typeof val === 'object' && val !== null) {
      if (val instanceof Error) {
        const d = describe(val, redactor);
        text += d.length + 1;
        return d;
      }
      // `this` is the object holding `val`: what is above it on the path is done with.
      let depth = path.length;
      while (depth > 0 && path[depth - 1] !== this) depth--;
      path.length = depth;
      from.length = depth;
      // As deep as a log attribute value is kept (sanitizeAny): a 5000-level chain overflowed
      // the stack and was written as '[Unserializable]'.
      if (depth >= MAX_DEPTH) {
        if (cut) cut.truncated = true;
        return '[Object]';
      }
      if (from.includes(val)) return '[Circular]';
      if (!written.has(val)) written.add(val);
      else if (++repeats > MAX_REPEATS) return '[Repeated]';
      const original = val;
      val = collectionAsJson(val);
      const room = (max - text) / 2 + 2;
      if (Array.isArray(val) && val.length > room) val = val.slice(0, room);
      path.push(val as object);
      from.push(original);
      if (redactor !== undefined && name !== '' && Array.isArray(val) && redactor.mayRedact(name)) (lists ??= new Map()).set(val, name);
    }
    return val;
  });
  return s === undefined ? String(v) : s;
}

/**
 * A Map, Headers or URLSearchParams as an object of its entries (keys as text), a Set as an array;
 * anything else as it is. JSON.stringify writes each as `{}`: a span attribute set to a request's
 * headers kept none of them (and no secret header could be redacted by its name).
 */
function collectionAsJson(v: object): unknown {
  if ((typeof Headers === 'function' && v instanceof Headers) || (typeof URLSearchParams === 'function' && v instanceof URLSearchParams)) {
    const out: Record<string, unknown> = {};
    (v as Headers).forEach((e, k) => defineSafe(out, k, e));
    return out;
  }
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, e] of v) {
      if (++n > MAX_ENTRIES) break;
      defineSafe(out, String(k), e);
    }
    return out;
  }
  if (!(v instanceof Set)) return v;
  const out: unknown[] = [];
  for (const e of v) if (out.push(e) >= MAX_ENTRIES) break;
  return out;
}

/** Object.prototype's own hasOwnProperty, for objects whose own may be missing or replaced. */
export const hasOwn = Object.prototype.hasOwnProperty;

/** Levels of nesting a log value keeps (deeper values become '[Object]'); buffer size estimates follow it. */
export const MAX_DEPTH = 8;

/**
 * A cheap estimate of a value's retained size, what the monitor's buffer counts against
 * limits.maxBufferedBytes: 16 bytes for a primitive plus 2 per character, 32 for an array or a
 * map plus its entries, as deep as sanitizeAny keeps (MAX_DEPTH), or a nested payload would
 * escape the bound.
 */
export function valueBytes(v: unknown, depth = 0): number {
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (v === null || typeof v !== 'object' || depth >= MAX_DEPTH) return 16;
  if (v instanceof Uint8Array) return 64 + v.byteLength;
  if (Array.isArray(v)) {
    let n = 32;
    for (const x of v) n += valueBytes(x, depth + 1);
    return n;
  }
  return 32 + attributesBytes(v as Record<string, unknown>, depth + 1);
}

/** The estimated size of a map of attributes: 48 bytes plus 2 per key character, plus each value's (see valueBytes). */
export function attributesBytes(attrs: Record<string, unknown> | undefined, depth = 0): number {
  let n = 0;
  for (const k in attrs) n += 48 + 2 * k.length + valueBytes(attrs[k], depth);
  return n;
}
const MAX_ENTRIES = 128;
/** Objects (maps, lists) one log value may hold in all; the rest is '[Truncated]', counted as a cut. */
const MAX_NODES = 4096;
let nodes = 0;

/** Set by `sanitizeAny` when it cut something (a long string, a wide map or list, a deep level); the caller resets it. */
export interface Cut {
  truncated: boolean;
  /** Set when a nested value threw when read and was written as '[Unserializable]'. */
  unreadable?: boolean;
  /** Set when a nested function or symbol (no log value) was left out, or written as null in a list. */
  noValue?: boolean;
  /** Set when a BigInt past 2^53 or an invalid Date (no log type) was written as text, at any depth. */
  converted?: boolean;
}

/**
 * Turns any input into an OTLP `AnyValue` for log records, keeping nested maps and arrays
 * (bounded in depth and width), cutting cycles and never throwing. Cuts are flagged in `cut`.
 * At any depth an Error is the map `errorValue` makes, and a BigInt past 2^53 or an invalid Date
 * is text, flagged `cut.converted` (a change of type) for the caller to count.
 * With a redactor, a text over `maxLength` is redacted before it is cut (see redactFirst), under
 * `key` (the attribute's name) at the top and in lists, under its own key in a map.
 */
export function sanitizeAny(v: unknown, maxLength: number, depth = 0, seen?: WeakSet<object>, cut?: Cut, redactor?: Redactor, key?: string): AnyValue | undefined {
  switch (typeof v) {
    case 'string':
      if (v.length <= maxLength) return v;
      v = redactFirst(v, redactor, key);
      if ((v as string).length <= maxLength) return v as string;
      if (cut) cut.truncated = true;
      return clip(v as string, maxLength);
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      if (safeBigInt(v)) return Number(v);
      if (cut) cut.converted = true;
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (v === null) return null;
  const obj = v as object;
  if (obj instanceof Uint8Array) {
    if (obj.length <= maxLength) return obj;
    if (cut) cut.truncated = true;
    return obj.slice(0, maxLength);
  }
  if (obj instanceof Date) {
    // Written as text, so cut as text is (its 24 characters too, under a smaller limit).
    const text = describe(obj);
    if (text === 'Invalid Date' && cut) cut.converted = true;
    return sanitizeAny(text, maxLength, depth, seen, cut, redactor, key);
  }
  if (depth >= MAX_DEPTH) {
    if (cut) cut.truncated = true;
    return '[Object]';
  }
  // A value shared at several places is written at each (only a cycle is cut): without a bound on
  // the objects walked, 8 levels of 8 keys sharing one child were 16 million nodes (seconds, on the request's path).
  if (seen === undefined) nodes = 0;
  if (++nodes > MAX_NODES) {
    if (cut) cut.truncated = true;
    return '[Truncated]';
  }
  const s = seen ?? new WeakSet<object>();
  if (s.has(obj)) return '[Circular]';
  s.add(obj);
  try {
    // Before toJSON: an Error's own would write what it chose, not its stack and cause.
    if (obj instanceof Error) return errorValue(obj, maxLength, depth, s, cut, redactor);
    // What JSON would write for it: a URL its href, a decimal or an ObjectId its text (own keys: none, it was {}).
    if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return sanitizeAny((obj as { toJSON(): unknown }).toJSON(), maxLength, depth, s, cut, redactor, key);
    // Other typed arrays are lists of numbers (they were maps of index → number).
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) return sanitizeAny(Array.prototype.slice.call(obj, 0, MAX_ENTRIES + 1), maxLength, depth, s, cut);
    // A Map, Headers or URLSearchParams keeps its entries and a Set its values (their own keys
    // are none: they were `{}`). A Map or Set is cut to MAX_ENTRIES as it is read.
    const json = collectionAsJson(obj);
    if (json !== obj) {
      if ((obj as Set<unknown>).size > MAX_ENTRIES && cut) cut.truncated = true;
      return sanitizeAny(json, maxLength, depth, s, cut, redactor, key);
    }
    if (Array.isArray(obj)) {
      const n = Math.min(obj.length, MAX_ENTRIES);
      if (n < obj.length && cut) cut.truncated = true;
      const out: AnyValue[] = [];
      for (let i = 0; i < n; i++) {
        const item: unknown = obj[i];
        const e = sanitizeAny(item, maxLength, depth + 1, s, cut, redactor, key);
        if (e === undefined && cut && (typeof item === 'function' || typeof item === 'symbol')) cut.noValue = true;
        out.push(e === undefined ? null : e);
      }
      return out;
    }
    const out: { [k: string]: AnyValue } = {};
    let n = 0;
    for (const k of Object.keys(obj)) {
      if (++n > MAX_ENTRIES) {
        if (cut) cut.truncated = true;
        break;
      }
      const item = (obj as Record<string, unknown>)[k];
      const e = sanitizeAny(item, maxLength, depth + 1, s, cut, redactor, k);
      if (e !== undefined) defineSafe(out, k, e);
      else if (cut && (typeof item === 'function' || typeof item === 'symbol')) cut.noValue = true;
    }
    return out;
  } catch {
    if (cut) cut.unreadable = true;
    return UNSERIALIZABLE;
  } finally {
    s.delete(obj);
  }
}

/**
 * An Error as a log value: the map of its `name`, `message`, `code` (a string or number, as
 * Node's `ENOENT`), `stack` and `cause` (a log value again: an Error's is such a map, within the
 * depth and cycle bounds of the value it is in), each read on its own (one that throws is left
 * out and flagged `cut.unreadable`). Its text alone ("TypeError: boom") lost the stack and cause.
 * Texts meet the value length limit (`max`), and the message and stack are redacted as
 * `exception.message` and `exception.stacktrace` are (URL secrets quoted in them); the caller
 * redacts the map by its keys.
 */
function errorValue(e: Error, max: number, depth: number, seen: WeakSet<object>, cut: Cut | undefined, redactor: Redactor | undefined): AnyValue {
  const out: Record<string, AnyValue> = {};
  const read = (key: string): unknown => {
    try {
      return (e as unknown as Record<string, unknown>)[key];
    } catch {
      if (cut) cut.unreadable = true;
    }
  };
  const put = (key: string, as?: string, v: unknown = read(key)): void => {
    if (typeof v === 'number' && key === 'code') out.code = v;
    if (typeof v !== 'string') return;
    if (as !== undefined && redactor !== undefined) v = redactor.apply(as, v);
    if (typeof v !== 'string') return;
    if (v.length > max && cut) cut.truncated = true;
    out[key] = clip(v, max);
  };
  put('name');
  put('message', 'exception.message');
  put('code');
  put('stack', 'exception.stacktrace');
  const cause = read('cause');
  // A text cause is text like the message (`{ cause: 'connect to postgres://u:pw@db refused' }`),
  // masked as exception.stacktrace masks it in its `Caused by:` line.
  if (typeof cause === 'string') put('cause', 'exception.message', cause);
  else if (cause !== undefined && cause !== null) {
    const v = sanitizeAny(cause, max, depth + 1, seen, cut, redactor, 'cause');
    if (v !== undefined) out.cause = v;
    else if (cut) cut.noValue = true;
  }
  return out;
}

/** Sets a key without invoking the `__proto__` setter, so input cannot change a prototype. */
export function defineSafe<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
