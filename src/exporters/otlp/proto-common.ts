import type { AnyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { binaryLitOf, type Lit } from './byte-buffer.js';
import type { ProtoWriter } from './proto-writer.js';

/**
 * AnyValue nesting deeper than this becomes an empty value; it also stops cycles. Lower than
 * the SDK's AttributeValueDepthLimit of 64 (ENV-14) on purpose: each map level costs three
 * nested messages, and protoc-based receivers refuse messages nested more than 100 deep, which
 * would lose the whole batch. 24 levels stay below that with the envelope included.
 */
export const MAX_ANY_VALUE_DEPTH = 24;

/** int64 can hold it and it is integral: OTLP `int_value`; otherwise `double_value` (OTLP-J7). */
export function isInt64(v: number): boolean {
  return Number.isInteger(v) && v < 9223372036854775808 && v >= -9223372036854775808;
}

/**
 * `repeated KeyValue` under field tag `tag`; undefined values are skipped.
 *
 * With `slots` (one per kind of attribute map: spans', events', log records'), each position
 * remembers its last key, that key's bytes and its last primitive value with, once the value has
 * come twice in a row, the whole tagged KeyValue. The items of a batch mostly set the same keys
 * in the same order, and keys read by `for…in` are interned strings, so a repeated key is found
 * by one pointer compare and a repeated value (a method, a route, a status code) is copied
 * eight bytes per store instead of encoded; a value that changes every time costs one store.
 */
export function writeAttributes(w: ProtoWriter, tag: number, attrs: Readonly<Record<string, AnyValue | undefined>>, slots?: KeySlot[]): void {
  let i = 0;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    if (slots === undefined || i >= SLOTS) {
      writeKeyValue(w, tag, key, KEY_CACHE.get(key) ?? keyPrefix(w, key), value, 0);
      continue;
    }
    const slot = (slots[i++] ??= new KeySlot());
    let keep = false;
    if (slot.key === key) {
      if (value === slot.value) {
        if (slot.kv !== undefined) {
          w.lit(slot.kv);
          continue;
        }
        keep = true;
      }
    } else {
      slot.key = key;
      slot.prefix = KEY_CACHE.get(key) ?? keyPrefix(w, key);
    }
    if (!keep) {
      const t = typeof value;
      slot.value = t === 'number' || t === 'boolean' || (t === 'string' && (value as string).length <= VALUE_CACHE_MAX_CHARS) ? (value as string | number | boolean) : undefined;
      slot.kv = undefined;
    }
    const start = w.pos;
    writeKeyValue(w, tag, key, slot.prefix, value, 0);
    if (keep) {
      slot.kv = binaryLitOf(w.buf.subarray(start, w.pos));
      // A double whose bytes read as a NaN word: encoded each time, not retried.
      if (slot.kv === undefined) slot.value = undefined;
    }
  }
}

/** Positions remembered per kind of attribute map; later attributes use the key cache only. */
const SLOTS = 16;

class KeySlot {
  key: string | undefined = undefined;
  /** `KEY_CACHE`'s bytes for `key` (undefined when the cache is full). */
  prefix: Lit | undefined = undefined;
  value: string | number | boolean | undefined = undefined;
  /** The whole KeyValue for `value`, tag and length included. */
  kv: Lit | undefined = undefined;
}

/** See {@link writeAttributes}. The cached KeyValues include the field tag: one list per tag. */
export type KeySlots = KeySlot[];

/**
 * Per attribute key, the KeyValue bytes before the value's length: `0x0a`, the key as a
 * string, `0x12`. Bounded in count and key length, so that unbounded attribute keys cannot
 * grow memory; other keys are encoded each time.
 */
const KEY_CACHE = /* @__PURE__ */ new Map<string, Lit>();
const KEY_CACHE_LIMIT = 4096;
const KEY_CACHE_MAX_CHARS = 256;
/** Longer values are not kept, so the caches hold a bounded amount whatever the input. */
const VALUE_CACHE_MAX_CHARS = 128;

function keyPrefix(w: ProtoWriter, key: string): Lit | undefined {
  if (KEY_CACHE.size >= KEY_CACHE_LIMIT || key.length > KEY_CACHE_MAX_CHARS) return undefined;
  const start = w.pos;
  w.byte(0x0a); // KeyValue.key = 1
  w.string(key);
  w.byte(0x12); // KeyValue.value = 2
  const prefix = binaryLitOf(w.buf.subarray(start, w.pos));
  w.pos = start;
  if (prefix !== undefined) KEY_CACHE.set(key, prefix);
  return prefix;
}

/** One KeyValue under `tag`; `prefix` is the key's cached bytes, if any. */
function writeKeyValue(w: ProtoWriter, tag: number, key: string, prefix: Lit | undefined, value: AnyValue, depth: number): void {
  w.byte(tag);
  const kv = w.fork();
  if (prefix !== undefined) {
    w.lit(prefix);
  } else {
    w.byte(0x0a);
    w.string(key);
    w.byte(0x12);
  }
  const av = w.fork();
  writeAnyValueBody(w, value, depth);
  w.ldelim(av);
  w.ldelim(kv);
}

/**
 * One string field's last value (a span name, an event name, a severity text) and, once it
 * has come twice in a row, its bytes with tag and length: the items of a batch mostly share a
 * few values.
 */
export class StringCache {
  private text: string | undefined = undefined;
  private bytes: Lit | undefined = undefined;

  constructor(private readonly tag: number) {}

  /** The field: tag, then `s` as a length-delimited string. */
  write(w: ProtoWriter, s: string): void {
    if (s === this.text) {
      if (this.bytes !== undefined) {
        w.lit(this.bytes);
        return;
      }
      const start = w.pos;
      w.byte(this.tag);
      w.string(s);
      this.bytes = binaryLitOf(w.buf.subarray(start, w.pos));
      if (this.bytes === undefined) this.text = undefined;
      return;
    }
    this.text = s.length <= VALUE_CACHE_MAX_CHARS ? s : undefined;
    this.bytes = undefined;
    w.byte(this.tag);
    w.string(s);
  }
}

/** The fields of one AnyValue message (its length is written by the caller). */
export function writeAnyValueBody(w: ProtoWriter, value: AnyValue | undefined, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.byte(0x0a);
      w.string(value);
      return;
    case 'number':
      if (isInt64(value)) {
        w.byte(0x18);
        w.int64(value);
      } else {
        w.byte(0x21);
        w.double(value);
      }
      return;
    case 'boolean':
      w.byte(0x10);
      w.byte(value ? 1 : 0);
      return;
    case 'object':
      break;
    default:
      return; // undefined, bigint, function, symbol: an empty AnyValue
  }
  if (value === null || depth >= MAX_ANY_VALUE_DEPTH) return;
  if (value instanceof Uint8Array) {
    w.byte(0x3a);
    w.bytes(value);
    return;
  }
  if (Array.isArray(value)) {
    w.byte(0x2a); // array_value = 5
    const arr = w.fork();
    for (let i = 0; i < value.length; i++) {
      w.byte(0x0a); // ArrayValue.values = 1
      const item = w.fork();
      writeAnyValueBody(w, value[i], depth + 1);
      w.ldelim(item);
    }
    w.ldelim(arr);
    return;
  }
  w.byte(0x32); // kvlist_value = 6
  const list = w.fork();
  for (const key in value) {
    const v = (value as Record<string, AnyValue>)[key];
    // KeyValueList.values = 1
    if (v !== undefined) writeKeyValue(w, 0x0a, key, undefined, v, depth + 1);
  }
  w.ldelim(list);
}

/** `Resource` as field 1 of a Resource{Spans,Metrics,Logs} message. */
export function writeResource(w: ProtoWriter, resource: Resource): void {
  w.byte(0x0a);
  const r = w.fork();
  writeAttributes(w, 0x0a, resource.attributes);
  w.ldelim(r);
}

/** `InstrumentationScope` as field 1 of a Scope{Spans,Metrics,Logs} message. */
export function writeScope(w: ProtoWriter, scope: InstrumentationScope): void {
  w.byte(0x0a);
  const s = w.fork();
  if (scope.name) {
    w.byte(0x0a);
    w.string(scope.name);
  }
  if (scope.version) {
    w.byte(0x12);
    w.string(scope.version);
  }
  w.ldelim(s);
}
