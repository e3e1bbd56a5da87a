import type { AnyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { toBase64 } from './hex.js';
import { type JsonWriter, type Lit, lit, once } from './json-writer.js';
import { MAX_ANY_VALUE_DEPTH, isInt64 } from './proto-common.js';

/**
 * Fixed JSON text of AnyValues, made by `prepareText()` on the first value written rather than at
 * module load (see {@link once}), as in the encoders of each signal.
 */
let L_STRING_VALUE: Lit, L_INT_VALUE: Lit;
const prepareText = /* @__PURE__ */ once(() => {
  L_STRING_VALUE = lit('{"stringValue":');
  L_INT_VALUE = lit('{"intValue":"');
});

/** One AnyValue object: exactly one oneof key, 64-bit integers as decimal strings (OTLP-J5, J7). */
export function jsonAnyValue(w: JsonWriter, value: AnyValue | undefined, depth: number): void {
  prepareText();
  switch (typeof value) {
    case 'string':
      w.lit(L_STRING_VALUE);
      w.str(value);
      w.byte(0x7d);
      return;
    case 'number':
      if (!isInt64(value)) {
        w.raw('{"doubleValue":');
        w.double(value);
        w.raw('}');
        return;
      }
      w.lit(L_INT_VALUE);
      if (value >= 0 && value < 2147483648) w.uint(value);
      // String(2 ** 60) rounds to "1152921504606847000"; BigInt prints the exact integer.
      else w.raw(Number.isSafeInteger(value) ? String(value) : BigInt(value).toString());
      w.raw('"}');
      return;
    case 'boolean':
      w.raw(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'object':
      break;
    default:
      w.raw('{}');
      return;
  }
  if (value === null || depth >= MAX_ANY_VALUE_DEPTH) {
    w.raw('{}');
    return;
  }
  if (value instanceof Uint8Array) {
    w.raw('{"bytesValue":"');
    w.raw(toBase64(value));
    w.raw('"}');
    return;
  }
  if (Array.isArray(value)) {
    w.raw('{"arrayValue":{"values":[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) w.raw(',');
      jsonAnyValue(w, value[i], depth + 1);
    }
    w.raw(']}}');
    return;
  }
  w.raw('{"kvlistValue":{"values":');
  jsonKeyValues(w, value as Record<string, AnyValue>, depth + 1);
  w.raw('}}');
}

/**
 * Per attribute key: its `{"key":<key>,"value":` prefix, and the last primitive value seen
 * under it with, once that value has been seen twice in a row, its whole finished KeyValue.
 * Keys repeat across spans and so do many values (methods, routes, status codes), so both are
 * copied instead of re-encoded; a value that changes every time costs one reference store.
 */
interface KeyEntry {
  readonly prefix: Lit;
  value: string | number | boolean | undefined;
  json: Lit | undefined;
}

/** Bounded so that unbounded attribute keys cannot grow memory; other keys are encoded each time. */
const KEY_CACHE_LIMIT = 4096;
const KEY_CACHE_MAX_CHARS = 256;
/** Longer values are not kept, so the cache holds a bounded amount whatever the input. */
const VALUE_CACHE_MAX_CHARS = 128;
const KEY_CACHE = /* @__PURE__ */ new Map<string, KeyEntry>();

function keyEntry(w: JsonWriter, key: string): KeyEntry | undefined {
  if (KEY_CACHE.size >= KEY_CACHE_LIMIT || key.length > KEY_CACHE_MAX_CHARS) return undefined;
  const start = w.pos;
  w.raw('{"key":');
  w.str(key);
  w.raw(',"value":');
  const prefix = w.litSince(start);
  w.pos = start;
  const entry: KeyEntry = { prefix, value: undefined, json: undefined };
  KEY_CACHE.set(key, entry);
  return entry;
}

function jsonKeyValue(w: JsonWriter, key: string, v: AnyValue, depth: number): void {
  const entry = KEY_CACHE.get(key) ?? keyEntry(w, key);
  if (entry === undefined) {
    w.raw('{"key":');
    w.str(key);
    w.raw(',"value":');
    jsonAnyValue(w, v, depth);
    w.byte(0x7d);
    return;
  }
  let keep = false;
  if (v === entry.value) {
    if (entry.json !== undefined) {
      w.lit(entry.json);
      return;
    }
    keep = true;
  } else {
    const t = typeof v;
    entry.json = undefined;
    entry.value = t === 'number' || t === 'boolean' || (t === 'string' && (v as string).length <= VALUE_CACHE_MAX_CHARS) ? (v as string | number | boolean) : undefined;
  }
  const start = w.pos;
  w.lit(entry.prefix);
  jsonAnyValue(w, v, depth);
  w.byte(0x7d);
  if (keep) entry.json = w.litSince(start);
}

function jsonKeyValues(w: JsonWriter, attrs: Readonly<Record<string, AnyValue | undefined>>, depth: number): void {
  w.byte(0x5b);
  let first = true;
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined) continue;
    if (first) first = false;
    else w.byte(0x2c);
    jsonKeyValue(w, key, v, depth);
  }
  w.byte(0x5d);
}

/** `repeated KeyValue` as a JSON array. */
export function jsonAttributes(w: JsonWriter, attrs: Readonly<Record<string, AnyValue | undefined>>): void {
  jsonKeyValues(w, attrs, 0);
}

export function jsonResource(w: JsonWriter, resource: Resource): void {
  w.raw('{"attributes":');
  jsonAttributes(w, resource.attributes);
  w.raw(',"droppedAttributesCount":0}');
}

export function jsonScope(w: JsonWriter, scope: InstrumentationScope): void {
  w.raw('{"name":');
  w.str(scope.name ?? '');
  if (scope.version) {
    w.raw(',"version":');
    w.str(scope.version);
  }
  w.raw('}');
}

/**
 * One string field's last value (a span name, an event name, a severity text) and, once it
 * has come twice in a row, its JSON bytes: the items of a batch mostly share a few values.
 */
export class TextCache {
  name: string | undefined = undefined;
  bytes: Lit | undefined = undefined;

  write(w: JsonWriter, name: string): void {
    if (name === this.name) {
      if (this.bytes !== undefined) {
        w.lit(this.bytes);
        return;
      }
      const start = w.pos;
      w.str(name);
      this.bytes = w.litSince(start);
      return;
    }
    this.name = name.length <= 128 ? name : undefined;
    this.bytes = undefined;
    w.str(name);
  }
}
