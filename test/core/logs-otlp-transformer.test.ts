/**
 * `monitor.logger` records, as exported: our OTLP logs encoders (protobuf and JSON) against
 * @opentelemetry/otlp-transformer's ProtobufLogsSerializer / JsonLogsSerializer given the same
 * records as sdk-logs ReadableLogRecords. The protobuf bodies are decoded by protobufjs from the
 * official .proto files; JSON is compared once int64 numbers are strings (OTLP-J5).
 */
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { encodeLogsJson, encodeLogsProto } from '../../src/exporters/otlp/index.js';
import type { RecordedLog } from '../../src/testing/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { canonical, parseJson } from '../otlp/helpers/canonical.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

/** Records of every level and attribute kind, in and out of a span, from a child logger, over the limits. */
async function records() {
  const { monitor, memory } = createTestMonitor({ serviceName: 'api', logging: { level: 'trace' }, limits: { logAttributeCountLimit: 6, logAttributeValueLengthLimit: 8 } });
  const log = monitor.logger;
  log.trace('t', { n: 0 });
  log.debug('d', { f: -1.5, big: 2n ** 70n, safe: 7n, neg: -3 });
  log.info('ünïcödé ✓ 🎉', { s: 'a long value cut', arr: [1, null, 3], mixed: ['a', 1, true, null], nested: { k: { deep: [{ x: 'y' }] } }, bytes: new Uint8Array([1, 2, 255]) });
  log.child({ region: 'eu', password: 'p' }).warn('w', { map: new Map([['token', 't'], ['k', 'v']]), set: new Set([1, 2]), when: new Date(0) });
  monitor.tracer.startActiveSpan('s', () => {
    log.error('failed', new Error('boom', { cause: new TypeError('inner') }));
    log.fatal({ user: 'u', secret: 'x' } as never, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 });
  });
  await monitor.flush();
  return { logs: memory.logs, resource: memory.resource! };
}

/** The same records as sdk-logs hands them to its exporter. */
function readable(logs: readonly RecordedLog[], resource: { attributes: Record<string, unknown> }): ReadableLogRecord[] {
  const hr = (ns: string): [number, number] => [Number(BigInt(ns) / 1_000_000_000n), Number(BigInt(ns) % 1_000_000_000n)];
  const res = { attributes: resource.attributes };
  const scope = logs[0]!.instrumentationScope;
  return logs.map(
    (l) =>
      ({
        hrTime: hr(l.timeUnixNano),
        hrTimeObserved: hr(l.timeUnixNano),
        severityNumber: l.severityNumber,
        severityText: l.severityText,
        body: l.body,
        attributes: l.attributes,
        droppedAttributesCount: l.droppedAttributesCount,
        spanContext: l.traceId ? { traceId: l.traceId, spanId: l.spanId!, traceFlags: l.traceFlags ?? 0 } : undefined,
        resource: res,
        instrumentationScope: scope,
      }) as unknown as ReadableLogRecord,
  );
}

describe('monitor.logger records: OTLP logs encoding vs @opentelemetry/otlp-transformer', () => {
  it('protobuf decodes to the same ExportLogsServiceRequest as ProtobufLogsSerializer', async () => {
    const { logs, resource } = await records();
    expect(logs).toHaveLength(6);
    const batch = { resource, scope: logs[0]!.instrumentationScope, spans: [], logs };
    const ours = canonical(decodeProto('logs', encodeLogsProto(batch)));
    const sdk = canonical(decodeProto('logs', ProtobufLogsSerializer.serializeRequest(readable(logs, resource))!));
    expect(ours).toEqual(sdk);
    // What the comparison covers: the cut, dropped and redacted values and the span's ids.
    const recs = ours.resourceLogs[0].scopeLogs[0].logRecords;
    expect(recs.map((r: { severityNumber: number }) => r.severityNumber)).toEqual([1, 5, 9, 13, 17, 21]);
    expect(recs[5].droppedAttributesCount).toBe(2);
    expect(recs[4].traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('JSON is the same ExportLogsServiceRequest as JsonLogsSerializer once int64 numbers are strings (OTLP-J5)', async () => {
    const { logs, resource } = await records();
    const batch = { resource, scope: logs[0]!.instrumentationScope, spans: [], logs };
    const ours = canonical(parseJson(encodeLogsJson(batch)));
    const sdk = canonical(JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(readable(logs, resource)))));
    expect(ours).toEqual(sdk);
  });
});
