import type { AnyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
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

/** `repeated KeyValue` under field tag `tag`; undefined values are skipped. */
export function writeAttributes(w: ProtoWriter, tag: number, attrs: Readonly<Record<string, AnyValue | undefined>>): void {
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    w.byte(tag);
    const kv = w.fork();
    w.byte(0x0a); // KeyValue.key = 1
    w.string(key);
    w.byte(0x12); // KeyValue.value = 2
    const av = w.fork();
    writeAnyValueBody(w, value, 0);
    w.ldelim(av);
    w.ldelim(kv);
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
    if (v === undefined) continue;
    w.byte(0x0a); // KeyValueList.values = 1
    const kv = w.fork();
    w.byte(0x0a);
    w.string(key);
    w.byte(0x12);
    const av = w.fork();
    writeAnyValueBody(w, v, depth + 1);
    w.ldelim(av);
    w.ldelim(kv);
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
