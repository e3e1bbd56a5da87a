import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { msToUnixNano } from '../../time.js';
import { groupByScope } from './group-by-scope.js';
import { jsonHexId } from './hex.js';
import { jsonAttributes, jsonResource, jsonScope, str } from './json-common.js';
import { spanFlags } from './span-flags.js';

/**
 * Encodes the batch's spans as an OTLP JSON `ExportTraceServiceRequest` string: hex ids,
 * integer enums, nanosecond times as decimal strings, lowerCamelCase keys (OTLP-J1…J9).
 *
 * @example
 * const json = encodeTracesJson(batch); // POST to /v1/traces as application/json
 */
export function encodeTracesJson(batch: TelemetryBatch): string {
  let out = '{"resourceSpans":[{"resource":' + jsonResource(batch.resource) + ',"scopeSpans":[';
  const groups = groupByScope(batch.spans, batch.scope);
  for (let g = 0; g < groups.length; g++) {
    if (g > 0) out += ',';
    out += '{"scope":' + jsonScope(groups[g].scope) + ',"spans":[';
    const spans = groups[g].items;
    for (let i = 0; i < spans.length; i++) {
      if (i > 0) out += ',';
      out += jsonSpan(spans[i]);
    }
    out += ']}';
  }
  return out + ']}]}';
}

function jsonSpan(s: SpanData): string {
  let out = '{"traceId":"' + (jsonHexId(s.traceId, 32) ?? '') + '","spanId":"' + (jsonHexId(s.spanId, 16) ?? '') + '"';
  if (s.traceState) out += ',"traceState":' + str(s.traceState);
  const parent = jsonHexId(s.parentSpanId, 16);
  if (parent !== undefined) out += ',"parentSpanId":"' + parent + '"';
  out +=
    ',"flags":' +
    spanFlags(s.traceFlags, s.parentIsRemote) +
    ',"name":' +
    str(s.name) +
    ',"kind":' +
    (s.kind | 0) +
    ',"startTimeUnixNano":"' +
    msToUnixNano(s.startTime) +
    '","endTimeUnixNano":"' +
    msToUnixNano(s.endTime) +
    '","attributes":' +
    jsonAttributes(s.attributes) +
    ',"droppedAttributesCount":' +
    (s.droppedAttributesCount | 0) +
    ',"events":[';
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i];
    if (i > 0) out += ',';
    out +=
      '{"timeUnixNano":"' +
      msToUnixNano(e.time) +
      '","name":' +
      str(e.name) +
      ',"attributes":' +
      jsonAttributes(e.attributes) +
      ',"droppedAttributesCount":' +
      (e.droppedAttributesCount | 0) +
      '}';
  }
  out += '],"droppedEventsCount":' + (s.droppedEventsCount | 0) + ',"links":[';
  for (let i = 0; i < s.links.length; i++) {
    const l = s.links[i];
    if (i > 0) out += ',';
    out += '{"traceId":"' + (jsonHexId(l.traceId, 32) ?? '') + '","spanId":"' + (jsonHexId(l.spanId, 16) ?? '') + '"';
    if (l.traceState) out += ',"traceState":' + str(l.traceState);
    out +=
      ',"attributes":' +
      jsonAttributes(l.attributes) +
      ',"droppedAttributesCount":' +
      (l.droppedAttributesCount | 0) +
      ',"flags":' +
      spanFlags(l.traceFlags, l.isRemote) +
      '}';
  }
  out += '],"droppedLinksCount":' + (s.droppedLinksCount | 0) + ',"status":{';
  const st = s.status;
  if (st.message) out += '"message":' + str(st.message) + ',';
  return out + '"code":' + (st.code | 0) + '}}';
}
