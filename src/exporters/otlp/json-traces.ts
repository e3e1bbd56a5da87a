import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { groupByScope } from './group-by-scope.js';
import { jsonAttributes, jsonResource, jsonScope } from './json-common.js';
import { JsonWriter } from './json-writer.js';
import { spanFlags } from './span-flags.js';

/**
 * Encodes the batch's spans as an OTLP JSON `ExportTraceServiceRequest`, as UTF-8 bytes: hex
 * ids, integer enums, nanosecond times as decimal strings, lowerCamelCase keys (OTLP-J1…J9).
 *
 * @example
 * const body = encodeTracesJson(batch); // POST to /v1/traces as application/json
 * JSON.parse(new TextDecoder().decode(body)).resourceSpans[0].scopeSpans[0].spans[0].traceId;
 */
export function encodeTracesJson(batch: TelemetryBatch): Uint8Array {
  const w = new JsonWriter(4096 + batch.spans.length * 1024);
  w.raw('{"resourceSpans":[{"resource":');
  jsonResource(w, batch.resource);
  w.raw(',"scopeSpans":[');
  const groups = groupByScope(batch.spans, batch.scope);
  for (let g = 0; g < groups.length; g++) {
    w.raw(g > 0 ? ',{"scope":' : '{"scope":');
    jsonScope(w, groups[g].scope);
    w.raw(',"spans":[');
    const spans = groups[g].items;
    for (let i = 0; i < spans.length; i++) {
      if (i > 0) w.raw(',');
      jsonSpan(w, spans[i]);
    }
    w.raw(']}');
  }
  w.raw(']}]}');
  return w.finish();
}

function jsonSpan(w: JsonWriter, s: SpanData): void {
  w.raw('{"traceId":"');
  w.hexId(s.traceId, 32);
  w.raw('","spanId":"');
  w.hexId(s.spanId, 16);
  w.raw('"');
  if (s.traceState) {
    w.raw(',"traceState":');
    w.str(s.traceState);
  }
  w.idField(',"parentSpanId":"', s.parentSpanId, 16);
  w.raw(',"flags":');
  w.uint(spanFlags(s.traceFlags, s.parentIsRemote));
  w.raw(',"name":');
  w.str(s.name);
  w.raw(',"kind":');
  w.uint(s.kind | 0);
  w.raw(',"startTimeUnixNano":"');
  w.unixNano(s.startTime);
  w.raw('","endTimeUnixNano":"');
  w.unixNano(s.endTime);
  w.raw('","attributes":');
  jsonAttributes(w, s.attributes);
  w.raw(',"droppedAttributesCount":');
  w.uint(s.droppedAttributesCount | 0);
  w.raw(',"events":[');
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i];
    w.raw(i > 0 ? ',{"timeUnixNano":"' : '{"timeUnixNano":"');
    w.unixNano(e.time);
    w.raw('","name":');
    w.str(e.name);
    w.raw(',"attributes":');
    jsonAttributes(w, e.attributes);
    w.raw(',"droppedAttributesCount":');
    w.uint(e.droppedAttributesCount | 0);
    w.raw('}');
  }
  w.raw('],"droppedEventsCount":');
  w.uint(s.droppedEventsCount | 0);
  w.raw(',"links":[');
  for (let i = 0; i < s.links.length; i++) {
    const l = s.links[i];
    w.raw(i > 0 ? ',{"traceId":"' : '{"traceId":"');
    w.hexId(l.traceId, 32);
    w.raw('","spanId":"');
    w.hexId(l.spanId, 16);
    w.raw('"');
    if (l.traceState) {
      w.raw(',"traceState":');
      w.str(l.traceState);
    }
    w.raw(',"attributes":');
    jsonAttributes(w, l.attributes);
    w.raw(',"droppedAttributesCount":');
    w.uint(l.droppedAttributesCount | 0);
    w.raw(',"flags":');
    w.uint(spanFlags(l.traceFlags, l.isRemote));
    w.raw('}');
  }
  w.raw('],"droppedLinksCount":');
  w.uint(s.droppedLinksCount | 0);
  w.raw(',"status":{');
  const st = s.status;
  if (st.message) {
    w.raw('"message":');
    w.str(st.message);
    w.raw(',');
  }
  w.raw('"code":');
  w.uint(st.code | 0);
  w.raw('}}');
}
