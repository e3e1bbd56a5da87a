import type { TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import { jsonEnvelope } from './envelope.js';
import { TextCache, jsonAnyValue, jsonAttributes } from './json-common.js';
import { JsonWriter, type Lit, lit, once } from './json-writer.js';

/**
 * Encodes the batch's log records as an OTLP JSON `ExportLogsServiceRequest` (UTF-8 bytes).
 * Trace and span ids appear only when the record was made inside a span.
 *
 * @example
 * const body = encodeLogsJson(batch); // POST to /v1/logs as application/json
 */
export function encodeLogsJson(batch: TelemetryBatch): Uint8Array {
  prepareText();
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

/**
 * Fixed JSON text of this encoder, made by `prepareText()` on the first encode rather than at
 * module load (see {@link once}); plain variables so a bundler can shorten their names.
 */
let L_TIME: Lit, L_OBSERVED: Lit, L_SEVERITY_NUMBER: Lit, L_SEVERITY_TEXT: Lit, L_BODY: Lit,
  L_ATTRIBUTES: Lit, L_DROPPED_ATTRS: Lit, L_TRACE_ID: Lit, L_SPAN_ID: Lit, L_FLAGS: Lit, L_EVENT_NAME: Lit;
const prepareText = /* @__PURE__ */ once(() => {
  L_TIME = lit('{"timeUnixNano":"');
  L_OBSERVED = lit('","observedTimeUnixNano":"');
  L_SEVERITY_NUMBER = lit('","severityNumber":');
  L_SEVERITY_TEXT = lit(',"severityText":');
  L_BODY = lit(',"body":');
  L_ATTRIBUTES = lit(',"attributes":');
  L_DROPPED_ATTRS = lit(',"droppedAttributesCount":');
  L_TRACE_ID = lit(',"traceId":"');
  L_SPAN_ID = lit(',"spanId":"');
  L_FLAGS = lit(',"flags":');
  L_EVENT_NAME = lit(',"eventName":');
});

function jsonLogRecord(w: JsonWriter, r: LogRecordData, severities: TextCache): void {
  w.lit(L_TIME);
  const start = w.pos;
  w.unixNano(r.time);
  const end = w.pos;
  w.lit(L_OBSERVED);
  if (r.observedTime !== undefined) w.unixNano(r.observedTime);
  else {
    // The same digits again: copied from the bytes just written.
    w.ensure(end - start);
    w.buf.copyWithin(w.pos, start, end);
    w.pos += end - start;
  }
  w.lit(L_SEVERITY_NUMBER);
  w.uint(r.severityNumber | 0);
  w.lit(L_SEVERITY_TEXT);
  severities.write(w, r.severityText ?? '');
  // Body is optional (logs data model): a Logs API record that gave none has none on the wire.
  if (r.body !== undefined) {
    w.lit(L_BODY);
    jsonAnyValue(w, r.body, 0);
  }
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
  if (r.eventName) {
    w.lit(L_EVENT_NAME);
    w.str(r.eventName);
  }
  w.byte(0x7d);
}
