import type { TelemetryBatch } from '../../model/batch.js';
import type { SpanData } from '../../model/span-data.js';
import { protoEnvelope } from './envelope.js';
import { type KeySlots, StringCache, writeAttributes } from './proto-common.js';
import { ProtoWriter } from './proto-writer.js';
import { spanFlags } from './span-flags.js';

/**
 * Encodes the batch's spans as a protobuf `ExportTraceServiceRequest`: one ResourceSpans, one
 * ScopeSpans per instrumentation scope. Field numbers are those of `trace.proto`.
 *
 * @example
 * const body = encodeTracesProto(batch); // POST to /v1/traces as application/x-protobuf
 */
export function encodeTracesProto(batch: TelemetryBatch): Uint8Array {
  const n = batch.spans.length;
  const w = new ProtoWriter(1024 + n * bytesPerSpan);
  protoEnvelope(w, batch, batch.spans, writeSpan);
  if (n >= 16) bytesPerSpan = Math.min(4096, ((w.pos / n) * 1.125) | 0);
  return w.finish();
}

/**
 * What the last batch needed per span, plus an eighth: the buffer is then neither grown (a copy
 * of everything written so far) nor much larger than needed (allocation costs grow with size).
 * Capped, so that one batch of huge spans does not make the next allocate megabytes.
 */
let bytesPerSpan = 320;

/** Span and event names repeat from span to span. */
const NAMES = /* @__PURE__ */ new StringCache(0x2a); // Span.name = 5
const EVENT_NAMES = /* @__PURE__ */ new StringCache(0x12); // Event.name = 2
/** Spans, events and links each tend to repeat their own keys in their own order. */
const SPAN_KEYS = [] as KeySlots;
const EVENT_KEYS = [] as KeySlots;
const LINK_KEYS = [] as KeySlots;

function writeSpan(w: ProtoWriter, span: SpanData): void {
  w.hexId(0x0a, span.traceId, 32);
  w.hexId(0x12, span.spanId, 16);
  if (span.traceState) {
    w.byte(0x1a);
    w.string(span.traceState);
  }
  if (span.parentSpanId !== undefined) w.hexId(0x22, span.parentSpanId, 16);
  NAMES.write(w, span.name);
  if (span.kind) {
    w.byte(0x30);
    w.uvarint(span.kind);
  }
  w.time(0x39, span.startTime);
  w.time(0x41, span.endTime);
  writeAttributes(w, 0x4a, span.attributes, SPAN_KEYS);
  if (span.droppedAttributesCount > 0) {
    w.byte(0x50);
    w.uvarint(span.droppedAttributesCount);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    w.byte(0x5a); // events = 11
    const ev = w.fork();
    w.time(0x09, e.time);
    EVENT_NAMES.write(w, e.name);
    writeAttributes(w, 0x1a, e.attributes, EVENT_KEYS);
    if (e.droppedAttributesCount > 0) {
      w.byte(0x20);
      w.uvarint(e.droppedAttributesCount);
    }
    w.ldelim(ev);
  }
  if (span.droppedEventsCount > 0) {
    w.byte(0x60);
    w.uvarint(span.droppedEventsCount);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    w.byte(0x6a); // links = 13
    const lk = w.fork();
    w.hexId(0x0a, l.traceId, 32, true);
    w.hexId(0x12, l.spanId, 16, true);
    if (l.traceState) {
      w.byte(0x1a);
      w.string(l.traceState);
    }
    writeAttributes(w, 0x22, l.attributes, LINK_KEYS);
    if (l.droppedAttributesCount > 0) {
      w.byte(0x28);
      w.uvarint(l.droppedAttributesCount);
    }
    w.byte(0x35); // flags = 6, fixed32
    w.fixed32(spanFlags(l.traceFlags, l.isRemote));
    w.ldelim(lk);
  }
  if (span.droppedLinksCount > 0) {
    w.byte(0x70);
    w.uvarint(span.droppedLinksCount);
  }
  const status = span.status;
  if (status.code || status.message) {
    w.byte(0x7a); // status = 15
    const st = w.fork();
    if (status.message) {
      w.byte(0x12);
      w.string(status.message);
    }
    if (status.code) {
      w.byte(0x18);
      w.uvarint(status.code);
    }
    w.ldelim(st);
  }
  // flags = 16, fixed32: tag 133 needs two varint bytes.
  w.byte(0x85);
  w.byte(0x01);
  w.fixed32(spanFlags(span.traceFlags, span.parentIsRemote));
}
