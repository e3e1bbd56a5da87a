import type { TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import { msToUnixNano } from '../../time.js';
import { groupByScope } from './group-by-scope.js';
import { jsonHexId } from './hex.js';
import { jsonAttributes, jsonResource, jsonScope, str } from './json-common.js';

/**
 * Encodes the batch's log records as an OTLP JSON `ExportLogsServiceRequest` string. Trace and
 * span ids appear only when the record was made inside a span.
 *
 * @example
 * const json = encodeLogsJson(batch); // POST to /v1/logs as application/json
 */
export function encodeLogsJson(batch: TelemetryBatch): string {
  let out = '{"resourceLogs":[{"resource":' + jsonResource(batch.resource) + ',"scopeLogs":[';
  const groups = groupByScope(batch.logs, batch.scope);
  for (let g = 0; g < groups.length; g++) {
    if (g > 0) out += ',';
    out += '{"scope":' + jsonScope(groups[g].scope) + ',"logRecords":[';
    const logs = groups[g].items;
    for (let i = 0; i < logs.length; i++) {
      if (i > 0) out += ',';
      out += jsonLogRecord(logs[i]);
    }
    out += ']}';
  }
  return out + ']}]}';
}

function jsonLogRecord(r: LogRecordData): string {
  const t = msToUnixNano(r.time);
  let out =
    '{"timeUnixNano":"' +
    t +
    '","observedTimeUnixNano":"' +
    t +
    '","severityNumber":' +
    (r.severityNumber | 0) +
    ',"severityText":' +
    str(r.severityText ?? '') +
    ',"body":{"stringValue":' +
    str(r.body ?? '') +
    '},"attributes":' +
    jsonAttributes(r.attributes) +
    ',"droppedAttributesCount":' +
    (r.droppedAttributesCount | 0);
  const traceId = jsonHexId(r.traceId, 32);
  if (traceId !== undefined) {
    out += ',"traceId":"' + traceId + '"';
    const spanId = jsonHexId(r.spanId, 16);
    if (spanId !== undefined) out += ',"spanId":"' + spanId + '"';
    if (r.traceFlags) out += ',"flags":' + (r.traceFlags & 0xff);
  }
  return out + '}';
}
