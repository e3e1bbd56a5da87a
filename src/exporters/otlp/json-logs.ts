import type { TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import { jsonEnvelope } from './envelope.js';
import { TextCache, jsonAttributes } from './json-common.js';
import { JsonWriter, lit } from './json-writer.js';

/**
 * Encodes the batch's log records as an OTLP JSON `ExportLogsServiceRequest` (UTF-8 bytes).
 * Trace and span ids appear only when the record was made inside a span.
 *
 * @example
 * const body = encodeLogsJson(batch); // POST to /v1/logs as application/json
 */
export function encodeLogsJson(batch: TelemetryBatch): Uint8Array {
  const w = new JsonWriter(1024 + batch.logs.length * 384);
  jsonEnvelope(w, batch, batch.logs, 'Logs', 'logRecords', writeLogRecords);
  return w.finish();
}

/** One scope's log records; severity texts repeat, so they are cached per scope. */
function writeLogRecords(w: JsonWriter, logs: readonly LogRecordData[]): void {
  const severities = new TextCache();
  for (let i = 0; i < logs.length; i++) {
    if (i > 0) w.byte(0x2c);
    jsonLogRecord(w, logs[i], severities);
  }
}

const L_TIME = /* @__PURE__ */ lit('{"timeUnixNano":"');
const L_OBSERVED = /* @__PURE__ */ lit('","observedTimeUnixNano":"');
const L_SEVERITY_NUMBER = /* @__PURE__ */ lit('","severityNumber":');
const L_SEVERITY_TEXT = /* @__PURE__ */ lit(',"severityText":');
const L_BODY = /* @__PURE__ */ lit(',"body":{"stringValue":');
const L_ATTRIBUTES = /* @__PURE__ */ lit('},"attributes":');
const L_DROPPED_ATTRS = /* @__PURE__ */ lit(',"droppedAttributesCount":');
const L_TRACE_ID = /* @__PURE__ */ lit(',"traceId":"');
const L_SPAN_ID = /* @__PURE__ */ lit(',"spanId":"');
const L_FLAGS = /* @__PURE__ */ lit(',"flags":');

function jsonLogRecord(w: JsonWriter, r: LogRecordData, severities: TextCache): void {
  w.lit(L_TIME);
  const start = w.pos;
  w.unixNano(r.time);
  const end = w.pos;
  w.lit(L_OBSERVED);
  // The same digits again: copied from the bytes just written.
  w.ensure(end - start);
  w.buf.copyWithin(w.pos, start, end);
  w.pos += end - start;
  w.lit(L_SEVERITY_NUMBER);
  w.uint(r.severityNumber | 0);
  w.lit(L_SEVERITY_TEXT);
  severities.write(w, r.severityText ?? '');
  w.lit(L_BODY);
  w.str(r.body ?? '');
  w.lit(L_ATTRIBUTES);
  jsonAttributes(w, r.attributes);
  w.lit(L_DROPPED_ATTRS);
  w.uint(r.droppedAttributesCount | 0);
  if (w.idField(L_TRACE_ID, r.traceId, 32)) {
    w.idField(L_SPAN_ID, r.spanId, 16);
    if (r.traceFlags) {
      w.lit(L_FLAGS);
      w.uint(r.traceFlags & 0xff);
    }
  }
  w.byte(0x7d);
}
