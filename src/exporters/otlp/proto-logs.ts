import type { TelemetryBatch } from '../../model/batch.js';
import type { LogRecordData } from '../../model/log-data.js';
import { protoEnvelope } from './envelope.js';
import { type KeySlots, StringCache, writeAnyValueBody, writeAttributes } from './proto-common.js';
import { ProtoWriter } from './proto-writer.js';

/**
 * Encodes the batch's log records as a protobuf `ExportLogsServiceRequest` (`logs.proto`).
 * The body and attributes are AnyValues (maps, arrays and bytes may nest).
 *
 * @example
 * const body = encodeLogsProto(batch); // POST to /v1/logs
 */
export function encodeLogsProto(batch: TelemetryBatch): Uint8Array {
  const w = new ProtoWriter(1024 + batch.logs.length * 192);
  protoEnvelope(w, batch, batch.logs, writeLogRecord);
  return w.finish();
}

/** Severity texts repeat from record to record, and so do attribute keys in their order. */
const SEVERITIES = /* @__PURE__ */ new StringCache(0x1a); // LogRecord.severity_text = 3
const LOG_KEYS = [] as KeySlots;

function writeLogRecord(w: ProtoWriter, r: LogRecordData): void {
  w.time(0x09, r.time); // time_unix_nano = 1
  if (r.severityNumber) {
    w.byte(0x10);
    w.uvarint(r.severityNumber);
  }
  if (r.severityText) SEVERITIES.write(w, r.severityText);
  if (r.body !== undefined) {
    w.byte(0x2a); // body = 5: text, or a Logs API record's structured body (absent when it gave none)
    const b = w.fork();
    writeAnyValueBody(w, r.body, 0);
    w.ldelim(b);
  }
  writeAttributes(w, 0x32, r.attributes, LOG_KEYS);
  if (r.droppedAttributesCount > 0) {
    w.byte(0x38);
    w.uvarint(r.droppedAttributesCount);
  }
  const hasTrace = w.hexId(0x4a, r.traceId, 32);
  if (hasTrace) {
    w.hexId(0x52, r.spanId, 16);
    if (r.traceFlags) {
      w.byte(0x45); // flags = 8, fixed32
      w.fixed32(r.traceFlags & 0xff);
    }
  }
  // observed_time_unix_nano = 11: the record is observed when it is made, unless it says otherwise.
  w.time(0x59, r.observedTime ?? r.time);
  if (r.eventName) {
    w.byte(0x62); // event_name = 12
    w.string(r.eventName);
  }
}
