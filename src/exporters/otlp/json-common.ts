import type { AnyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { toBase64 } from './hex.js';
import { MAX_ANY_VALUE_DEPTH, isInt64 } from './proto-common.js';

/**
 * OTLP JSON is built as text, not as an object tree handed to JSON.stringify: one string per
 * field appended to a rope is cheaper than allocating the tree, and only user strings need
 * escaping (through `JSON.stringify(string)`, the fastest escaper the engine has).
 */
export const str: (s: string) => string = JSON.stringify;

/** A JSON `double`: NaN and ±Infinity as strings (OTLP-J8). */
export function jsonDouble(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

/** One AnyValue object: exactly one oneof key, 64-bit integers as decimal strings (OTLP-J5, J7). */
export function jsonAnyValue(value: AnyValue | undefined, depth: number): string {
  switch (typeof value) {
    case 'string':
      return '{"stringValue":' + str(value) + '}';
    case 'number':
      if (!isInt64(value)) return '{"doubleValue":' + jsonDouble(value) + '}';
      // String(2 ** 60) rounds to "1152921504606847000"; BigInt prints the exact integer.
      return '{"intValue":"' + (Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()) + '"}';
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'object':
      break;
    default:
      return '{}';
  }
  if (value === null || depth >= MAX_ANY_VALUE_DEPTH) return '{}';
  if (value instanceof Uint8Array) return '{"bytesValue":"' + toBase64(value) + '"}';
  if (Array.isArray(value)) {
    let out = '{"arrayValue":{"values":[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += jsonAnyValue(value[i], depth + 1);
    }
    return out + ']}}';
  }
  return '{"kvlistValue":{"values":' + jsonKeyValues(value as Record<string, AnyValue>, depth + 1) + '}}';
}

function jsonKeyValues(attrs: Readonly<Record<string, AnyValue | undefined>>, depth: number): string {
  let out = '[';
  let first = true;
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined) continue;
    if (first) first = false;
    else out += ',';
    out += '{"key":' + str(key) + ',"value":' + jsonAnyValue(v, depth) + '}';
  }
  return out + ']';
}

/** `repeated KeyValue` as a JSON array. */
export function jsonAttributes(attrs: Readonly<Record<string, AnyValue | undefined>>): string {
  return jsonKeyValues(attrs, 0);
}

export function jsonResource(resource: Resource): string {
  return '{"attributes":' + jsonAttributes(resource.attributes) + ',"droppedAttributesCount":0}';
}

export function jsonScope(scope: InstrumentationScope): string {
  let out = '{"name":' + str(scope.name ?? '');
  if (scope.version) out += ',"version":' + str(scope.version);
  return out + '}';
}
