import type { AnyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { toBase64 } from './hex.js';
import type { JsonWriter } from './json-writer.js';
import { MAX_ANY_VALUE_DEPTH, isInt64 } from './proto-common.js';

/** One AnyValue object: exactly one oneof key, 64-bit integers as decimal strings (OTLP-J5, J7). */
export function jsonAnyValue(w: JsonWriter, value: AnyValue | undefined, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.raw('{"stringValue":');
      w.str(value);
      w.raw('}');
      return;
    case 'number':
      if (!isInt64(value)) {
        w.raw('{"doubleValue":');
        w.double(value);
        w.raw('}');
        return;
      }
      w.raw('{"intValue":"');
      // String(2 ** 60) rounds to "1152921504606847000"; BigInt prints the exact integer.
      w.raw(Number.isSafeInteger(value) ? String(value) : BigInt(value).toString());
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

function jsonKeyValues(w: JsonWriter, attrs: Readonly<Record<string, AnyValue | undefined>>, depth: number): void {
  w.raw('[');
  let first = true;
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined) continue;
    if (first) first = false;
    else w.raw(',');
    w.keyPrefix(key);
    jsonAnyValue(w, v, depth);
    w.raw('}');
  }
  w.raw(']');
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
