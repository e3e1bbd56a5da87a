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
 * writer serves both; `writeItem` writes one item's fields.
 */
export function protoEnvelope<T extends Scoped>(w: ProtoWriter, batch: TelemetryBatch, items: readonly T[], writeItem: (w: ProtoWriter, item: T) => void): void {
  w.byte(0x0a);
  const resource = w.fork();
  writeResource(w, batch.resource);
  for (const group of groupByScope(items, batch.scope)) {
    w.byte(0x12);
    const scope = w.fork();
    writeScope(w, group.scope);
    const list = group.items;
    for (let i = 0; i < list.length; i++) {
      w.byte(0x12);
      const item = w.fork();
      writeItem(w, list[i]);
      w.ldelim(item);
    }
    w.ldelim(scope);
  }
  w.ldelim(resource);
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
    w.raw(']}');
  }
  w.raw(']}]}');
}
