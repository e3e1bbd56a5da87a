/**
 * An independent decoder: protobufjs loading the official OTLP .proto files (never our code).
 * Output uses proto3 JSON conventions so it can be compared with our JSON directly: camelCase,
 * 64-bit integers as decimal strings, enums as numbers, NaN as "NaN"; ids are turned to hex.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The official files, vendored beside this helper (test/otlp/proto/README.md).
export const PROTO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../proto');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => resolve(PROTO_DIR, target);
root.loadSync([
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
]);

export const types = {
  traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
  logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
  tracesResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  metricsResponse: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
  logsResponse: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
};

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function idsToHex(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => idsToHex(x));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = idsToHex(x, k);
    return out;
  }
  if (key && ID_KEYS.has(key) && typeof v === 'string') return Buffer.from(v, 'base64').toString('hex');
  return v;
}

export type Signal = 'traces' | 'metrics' | 'logs';

/** Decodes a request body; throws if it is not valid protobuf for that message. */
export function decodeProto(signal: Signal, body: Uint8Array): any {
  const type = types[signal];
  const msg = type.decode(body);
  const obj = type.toObject(msg, { longs: String, enums: Number, bytes: String, json: true, defaults: false });
  return idsToHex(obj);
}
