import type { TelemetryBatch } from '../../model/batch.js';
import { groupByScope, type Scoped } from './group-by-scope.js';
import { jsonResource, jsonScope } from './json-common.js';
import type { JsonWriter } from './json-writer.js';
import { writeResource, writeScope } from './proto-common.js';
import type { ProtoWriter } from './proto-writer.js';

/**
 * The envelope traces and logs share: one resource, then one entry per instrumentation scope
 * holding that scope's items. In trace.proto and logs.proto the field numbers agree
 * (resource_spans/resource_logs = 1, scope_spans/scope_logs = 2, spans/log_records = 2), so one
 * writer serves both (schema_url = 3 too); `writeItem` writes one item's fields.
 */
export function protoEnvelope<T extends Scoped>(w: ProtoWriter, batch: TelemetryBatch, items: readonly T[], writeItem: (w: ProtoWriter, item: T) => void): void {
  // The resource and scope messages hold (nearly) the whole body: their lengths get as many
  // bytes as the room left in the buffer (sized for the batch) would need, so that the body is
  // not moved to make room for them once written.
  const outer = varintSize(w.buf.length - w.pos);
  w.byte(0x0a);
  const resource = w.forkN(outer);
  writeResource(w, batch.resource);
  // Each item reserves as many length bytes as the one before it needed.
  let reserve = 1;
  for (const group of groupByScope(items, batch.scope)) {
    w.byte(0x12);
    const scope = w.forkN(outer);
    writeScope(w, group.scope);
    const list = group.items;
    for (let i = 0; i < list.length; i++) {
      w.byte(0x12);
      const item = w.forkN(reserve);
      writeItem(w, list[i]);
      reserve = w.ldelimN(item, reserve);
    }
    const url = group.scope.schemaUrl;
    if (url) {
      w.byte(0x1a); // schema_url = 3 (ScopeSpans, ScopeLogs)
      w.string(url);
    }
    w.ldelimN(scope, outer);
  }
  w.ldelimN(resource, outer);
}

function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5;
}

/**
 * The same envelope in OTLP JSON: `{"resource<Kind>":[{"resource":…,"scope<Kind>":[{"scope":…,
 * "<itemsKey>":[…]}]}]}`. `writeItems` writes one scope's items, comma-separated, so it can keep
 * per-scope caches.
 */
export function jsonEnvelope<T extends Scoped>(
  w: JsonWriter,
  batch: TelemetryBatch,
  items: readonly T[],
  kind: 'Spans' | 'Logs',
  itemsKey: 'spans' | 'logRecords',
  writeItems: (w: JsonWriter, items: readonly T[]) => void,
): void {
  w.raw(`{"resource${kind}":[{"resource":`);
  jsonResource(w, batch.resource);
  w.raw(`,"scope${kind}":[`);
  const groups = groupByScope(items, batch.scope);
  for (let g = 0; g < groups.length; g++) {
    w.raw(g > 0 ? ',{"scope":' : '{"scope":');
    jsonScope(w, groups[g].scope);
    w.raw(`,"${itemsKey}":[`);
    writeItems(w, groups[g].items);
    const url = groups[g].scope.schemaUrl;
    if (url) {
      w.raw('],"schemaUrl":');
      w.str(url);
      w.byte(0x7d);
    } else w.raw(']}');
  }
  w.raw(']}]}');
}
