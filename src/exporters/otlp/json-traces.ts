import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { jsonEnvelope } from './envelope.js';
import { TextCache, jsonAttributes } from './json-common.js';
import { JsonWriter, type Lit, lit, once } from './json-writer.js';
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
  prepareText();
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

/**
 * Fixed JSON text of this encoder, made by `prepareText()` on the first encode rather than at
 * module load (see {@link once}); plain variables so a bundler can shorten their names.
 */
let L_TRACE_ID: Lit, L_NEXT_TRACE_ID: Lit, L_SPAN_ID: Lit, L_TRACE_STATE: Lit, L_PARENT: Lit,
  L_FLAGS: Lit, L_NAME: Lit, L_KIND: Lit, L_START: Lit, L_END: Lit, L_ATTRS: Lit,
  L_DROPPED_ATTRS: Lit, L_EVENTS: Lit, L_EVENT_TIME: Lit, L_NEXT_EVENT_TIME: Lit,
  L_EVENT_NAME: Lit, L_ATTRIBUTES: Lit, L_DROPPED_EVENTS: Lit, L_LINKS: Lit, L_DROPPED_LINKS: Lit,
  L_STATUS: Lit, L_MESSAGE: Lit, L_CODE: Lit, L_PLAIN_TAIL: Lit;
const prepareText = /* @__PURE__ */ once(() => {
  L_TRACE_ID = lit('{"traceId":"');
  L_NEXT_TRACE_ID = lit(',{"traceId":"');
  L_SPAN_ID = lit('","spanId":"');
  L_TRACE_STATE = lit(',"traceState":');
  L_PARENT = lit(',"parentSpanId":"');
  L_FLAGS = lit(',"flags":');
  L_NAME = lit(',"name":');
  L_KIND = lit(',"kind":');
  L_START = lit(',"startTimeUnixNano":"');
  L_END = lit('","endTimeUnixNano":"');
  L_ATTRS = lit('","attributes":');
  L_DROPPED_ATTRS = lit(',"droppedAttributesCount":');
  L_EVENTS = lit(',"events":[');
  L_EVENT_TIME = lit('{"timeUnixNano":"');
  L_NEXT_EVENT_TIME = lit(',{"timeUnixNano":"');
  L_EVENT_NAME = lit('","name":');
  L_ATTRIBUTES = lit(',"attributes":');
  L_DROPPED_EVENTS = lit('],"droppedEventsCount":');
  L_LINKS = lit(',"links":[');
  L_DROPPED_LINKS = lit('],"droppedLinksCount":');
  L_STATUS = lit(',"status":{');
  L_MESSAGE = lit('"message":');
  L_CODE = lit('"code":');
  /** The usual tail: nothing dropped, no events or links, status unset. */
  L_PLAIN_TAIL = lit(',"droppedAttributesCount":0,"events":[],"droppedEventsCount":0,"links":[],"droppedLinksCount":0,"status":{"code":0}}');
});

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
    w.hexId(l.traceId, 32, true);
    w.lit(L_SPAN_ID);
    w.hexId(l.spanId, 16, true);
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
