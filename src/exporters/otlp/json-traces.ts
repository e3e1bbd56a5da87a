import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { jsonEnvelope } from './envelope.js';
import { SizeHint } from './byte-buffer.js';
import { JsonKeySlots, TextCache, jsonAttributes } from './json-common.js';
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
  const w = new JsonWriter(SIZE.size(n));
  jsonEnvelope(w, batch, batch.spans, 'Spans', 'spans', writeSpans);
  SIZE.learn(w.pos, n);
  return w.finish();
}

const SIZE = /* @__PURE__ */ new SizeHint(900, 8192);
/** Spans, events and links each tend to repeat their own keys in their own order. */
const SPAN_KEYS = /* @__PURE__ */ new JsonKeySlots();
const EVENT_KEYS = /* @__PURE__ */ new JsonKeySlots();
const LINK_KEYS = /* @__PURE__ */ new JsonKeySlots();

/** One scope's spans; span and event names repeat within a scope, so their text is cached there. */
function writeSpans(w: JsonWriter, spans: readonly SpanData[]): void {
  const names = new TextCache();
  const eventNames = new TextCache();
  for (let i = 0; i < spans.length; i++) jsonSpan(w, spans[i], i > 0, names, eventNames);
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
/** `,"flags":<flags>,"name":` for the usual flags (sampled or not, parent remote or not). */
const L_FLAGS_NAME = /* @__PURE__ */ [0x100, 0x101, 0x300, 0x301].map((f) => lit(`,"flags":${f},"name":`));
/** `,"kind":<kind>,"startTimeUnixNano":"` for each kind. */
const L_KIND_START = /* @__PURE__ */ [0, 1, 2, 3, 4, 5].map((k) => lit(`,"kind":${k},"startTimeUnixNano":"`));
const L_NO_DROPPED_ATTRS_EVENTS = /* @__PURE__ */ lit(',"droppedAttributesCount":0,"events":[');
const L_EVENT_END = /* @__PURE__ */ lit(',"droppedAttributesCount":0}');
/** After the events: nothing dropped, no links, status unset. */
const L_EVENTS_TAIL = /* @__PURE__ */ lit('],"droppedEventsCount":0,"links":[],"droppedLinksCount":0,"status":{"code":0}}');
/** The usual tail: nothing dropped, no events or links, status unset. */
const L_PLAIN_TAIL = /* @__PURE__ */ lit(',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"links":[],"droppedLinksCount":0,"status":{"code":0}}');

function jsonSpan(w: JsonWriter, s: SpanData, next: boolean, names: TextCache, eventNames: TextCache): void {
  w.lit(next ? L_NEXT_TRACE_ID : L_TRACE_ID);
  w.hexId(s.traceId, 32);
  w.lit(L_SPAN_ID);
  w.hexId(s.spanId, 16);
  w.byte(0x22);
  if (s.traceState) {
    w.lit(L_TRACE_STATE);
    w.str(s.traceState);
  }
  w.idField(L_PARENT, s.parentSpanId, 16);
  const flags = spanFlags(s.traceFlags, s.parentIsRemote);
  if ((flags & 0xfe) === 0) {
    w.lit(L_FLAGS_NAME[(flags & 1) | ((flags >> 8) & 2)]);
  } else {
    w.lit(L_FLAGS);
    w.uint(flags);
    w.lit(L_NAME);
  }
  names.write(w, s.name);
  const kind = s.kind | 0;
  if (kind >= 0 && kind <= 5) {
    w.lit(L_KIND_START[kind]);
  } else {
    w.lit(L_KIND);
    w.uint(kind);
    w.lit(L_START);
  }
  w.unixNano(s.startTime);
  w.lit(L_END);
  w.unixNano(s.endTime);
  w.lit(L_ATTRS);
  jsonAttributes(w, s.attributes, SPAN_KEYS);
  const events = s.events;
  const links = s.links;
  const st = s.status;
  if (events.length === 0 && links.length === 0 && (s.droppedAttributesCount | 0) === 0 && (s.droppedEventsCount | 0) === 0 && (s.droppedLinksCount | 0) === 0 && !st.message && (st.code | 0) === 0) {
    w.lit(L_PLAIN_TAIL);
    return;
  }
  const droppedAttributes = s.droppedAttributesCount | 0;
  if (droppedAttributes === 0) {
    w.lit(L_NO_DROPPED_ATTRS_EVENTS);
  } else {
    w.lit(L_DROPPED_ATTRS);
    w.uint(droppedAttributes);
    w.lit(L_EVENTS);
  }
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    w.lit(i > 0 ? L_NEXT_EVENT_TIME : L_EVENT_TIME);
    w.unixNano(e.time);
    w.lit(L_EVENT_NAME);
    eventNames.write(w, e.name);
    w.lit(L_ATTRIBUTES);
    jsonAttributes(w, e.attributes, EVENT_KEYS);
    const dropped = e.droppedAttributesCount | 0;
    if (dropped === 0) {
      w.lit(L_EVENT_END);
    } else {
      w.lit(L_DROPPED_ATTRS);
      w.uint(dropped);
      w.byte(0x7d);
    }
  }
  if (links.length === 0 && (s.droppedEventsCount | 0) === 0 && (s.droppedLinksCount | 0) === 0 && !st.message && (st.code | 0) === 0) {
    w.lit(L_EVENTS_TAIL);
    return;
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
    jsonAttributes(w, l.attributes, LINK_KEYS);
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
