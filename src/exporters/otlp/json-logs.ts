import type { TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import { groupByScope } from './group-by-scope.js';
import { jsonAttributes, jsonResource, jsonScope } from './json-common.js';
import { JsonWriter } from './json-writer.js';

/**
 * Encodes the batch's log records as an OTLP JSON `ExportLogsServiceRequest` (UTF-8 bytes).
 * Trace and span ids appear only when the record was made inside a span.
 *
 * @example
 * const body = encodeLogsJson(batch); // POST to /v1/logs as application/json
 */
export function encodeLogsJson(batch: TelemetryBatch): Uint8Array {
  const w = new JsonWriter(1024 + batch.logs.length * 384);
  w.raw('{"resourceLogs":[{"resource":');
  jsonResource(w, batch.resource);
  w.raw(',"scopeLogs":[');
  const groups = groupByScope(batch.logs, batch.scope);
  for (let g = 0; g < groups.length; g++) {
    w.raw(g > 0 ? ',{"scope":' : '{"scope":');
    jsonScope(w, groups[g].scope);
    w.raw(',"logRecords":[');
    const logs = groups[g].items;
    for (let i = 0; i < logs.length; i++) {
      if (i > 0) w.raw(',');
      jsonLogRecord(w, logs[i]);
    }
    w.raw(']}');
  }
  w.raw(']}]}');
  return w.finish();
}

function jsonLogRecord(w: JsonWriter, r: LogRecordData): void {
  w.raw('{"timeUnixNano":"');
  w.unixNano(r.time);
  w.raw('","observedTimeUnixNano":"');
  w.unixNano(r.time);
  w.raw('","severityNumber":');
  w.uint(r.severityNumber | 0);
  w.raw(',"severityText":');
  w.str(r.severityText ?? '');
  w.raw(',"body":{"stringValue":');
  w.str(r.body ?? '');
  w.raw('},"attributes":');
  jsonAttributes(w, r.attributes);
  w.raw(',"droppedAttributesCount":');
  w.uint(r.droppedAttributesCount | 0);
  if (w.idField(',"traceId":"', r.traceId, 32)) {
    w.idField(',"spanId":"', r.spanId, 16);
    if (r.traceFlags) {
      w.raw(',"flags":');
      w.uint(r.traceFlags & 0xff);
    }
  }
  w.raw('}');
}
