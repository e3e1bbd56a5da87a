import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { jsonEnvelope } from './envelope.js';
import { TextCache, jsonAttributes } from './json-common.js';
import { JsonWriter, lit } from './json-writer.js';
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
  const n = batch.spans.length;
  const w = new JsonWriter(4096 + n * bytesPerSpan);
  jsonEnvelope(w, batch, batch.spans, 'Spans', 'spans', writeSpans);
  if (n >= 16) bytesPerSpan = Math.min(8192, ((w.pos / n) * 1.125) | 0);
  return w.finish();
}

/** What the last batch needed per span, plus an eighth, capped (as in the protobuf encoder). */
let bytesPerSpan = 1024;

/** One scope's spans; span and event names repeat within a scope, so their text is cached there. */
function writeSpans(w: JsonWriter, spans: readonly SpanData[]): void {
  const names = new TextCache();
  const eventNames = new TextCache();
  for (let i = 0; i < spans.length; i++) {
    if (i > 0) w.byte(0x2c);
    jsonSpan(w, spans[i], names, eventNames);
  }
}

const L_TRACE_ID = /* @__PURE__ */ lit('{"traceId":"');
const L_NEXT_TRACE_ID = /* @__PURE__ */ lit(',{"traceId":"');
const L_SPAN_ID = /* @__PURE__ */ lit('","spanId":"');
const L_TRACE_STATE = /* @__PURE__ */ lit(',"traceState":');
const L_PARENT = /* @__PURE__ */ lit(',"parentSpanId":"');
const L_FLAGS = /* @__PURE__ */ lit(',"flags":');
const L_NAME = /* @__PURE__ */ lit(',"name":');
const L_KIND = /* @__PURE__ */ lit(',"kind":');
const L_START = /* @__PURE__ */ lit(',"startTimeUnixNano":"');
const L_END = /* @__PURE__ */ lit('","endTimeUnixNano":"');
const L_ATTRS = /* @__PURE__ */ lit('","attributes":');
const L_DROPPED_ATTRS = /* @__PURE__ */ lit(',"droppedAttributesCount":');
const L_EVENTS = /* @__PURE__ */ lit(',"events":[');
const L_EVENT_TIME = /* @__PURE__ */ lit('{"timeUnixNano":"');
const L_NEXT_EVENT_TIME = /* @__PURE__ */ lit(',{"timeUnixNano":"');
const L_EVENT_NAME = /* @__PURE__ */ lit('","name":');
const L_ATTRIBUTES = /* @__PURE__ */ lit(',"attributes":');
const L_DROPPED_EVENTS = /* @__PURE__ */ lit('],"droppedEventsCount":');
const L_LINKS = /* @__PURE__ */ lit(',"links":[');
const L_DROPPED_LINKS = /* @__PURE__ */ lit('],"droppedLinksCount":');
const L_STATUS = /* @__PURE__ */ lit(',"status":{');
const L_MESSAGE = /* @__PURE__ */ lit('"message":');
const L_CODE = /* @__PURE__ */ lit('"code":');
/** The usual tail: nothing dropped, no events or links, status unset. */
const L_PLAIN_TAIL = /* @__PURE__ */ lit(',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"links":[],"droppedLinksCount":0,"status":{"code":0}}');

function jsonSpan(w: JsonWriter, s: SpanData, names: TextCache, eventNames: TextCache): void {
  w.lit(L_TRACE_ID);
  w.hexId(s.traceId, 32);
  w.lit(L_SPAN_ID);
  w.hexId(s.spanId, 16);
  w.byte(0x22);
  if (s.traceState) {
    w.lit(L_TRACE_STATE);
    w.str(s.traceState);
  }
  w.idField(L_PARENT, s.parentSpanId, 16);
  w.lit(L_FLAGS);
  w.uint(spanFlags(s.traceFlags, s.parentIsRemote));
  w.lit(L_NAME);
  names.write(w, s.name);
  w.lit(L_KIND);
  w.uint(s.kind | 0);
  w.lit(L_START);
  w.unixNano(s.startTime);
  w.lit(L_END);
  w.unixNano(s.endTime);
  w.lit(L_ATTRS);
  jsonAttributes(w, s.attributes);
  const events = s.events;
  const links = s.links;
  const st = s.status;
  if (events.length === 0 && links.length === 0 && (s.droppedAttributesCount | 0) === 0 && (s.droppedEventsCount | 0) === 0 && (s.droppedLinksCount | 0) === 0 && !st.message && (st.code | 0) === 0) {
    w.lit(L_PLAIN_TAIL);
    return;
  }
  w.lit(L_DROPPED_ATTRS);
  w.uint(s.droppedAttributesCount | 0);
  w.lit(L_EVENTS);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    w.lit(i > 0 ? L_NEXT_EVENT_TIME : L_EVENT_TIME);
    w.unixNano(e.time);
    w.lit(L_EVENT_NAME);
    eventNames.write(w, e.name);
    w.lit(L_ATTRIBUTES);
    jsonAttributes(w, e.attributes);
    w.lit(L_DROPPED_ATTRS);
    w.uint(e.droppedAttributesCount | 0);
    w.byte(0x7d);
  }
  w.lit(L_DROPPED_EVENTS);
  w.uint(s.droppedEventsCount | 0);
  w.lit(L_LINKS);
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    w.lit(i > 0 ? L_NEXT_TRACE_ID : L_TRACE_ID);
    w.hexId(l.traceId, 32);
    w.lit(L_SPAN_ID);
    w.hexId(l.spanId, 16);
    w.byte(0x22);
    if (l.traceState) {
      w.lit(L_TRACE_STATE);
      w.str(l.traceState);
    }
    w.lit(L_ATTRIBUTES);
    jsonAttributes(w, l.attributes);
    w.lit(L_DROPPED_ATTRS);
    w.uint(l.droppedAttributesCount | 0);
    w.lit(L_FLAGS);
    w.uint(spanFlags(l.traceFlags, l.isRemote));
    w.byte(0x7d);
  }
  w.lit(L_DROPPED_LINKS);
  w.uint(s.droppedLinksCount | 0);
  w.lit(L_STATUS);
  if (st.message) {
    w.lit(L_MESSAGE);
    w.str(st.message);
    w.byte(0x2c);
  }
  w.lit(L_CODE);
  w.uint(st.code | 0);
  w.byte(0x7d);
  w.byte(0x7d);
}
