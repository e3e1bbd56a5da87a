/**
 * Informal encode timings against @opentelemetry/otlp-transformer 0.223.1 for 1000 spans.
 * Skipped unless OTLP_BENCH=1 (no timing asserts in CI): `OTLP_BENCH=1 npx vitest run test/otlp/bench.test.ts`.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, it } from 'vitest';
import { encodeSignal } from '../../src/exporters/otlp/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { SpanData } from '../../src/model/span-data.js';
import { resource, scope, T0 } from './helpers/fixtures.js';
import { toReadableSpans } from './helpers/sdk-spans.js';

function hex(n: number, len: number): string {
  return n.toString(16).padStart(len, '0').slice(-len);
}

function spans(n: number): SpanData[] {
  return Array.from({ length: n }, (_, i) => ({
    name: 'GET /api/items/:id',
    kind: 2,
    traceId: hex(i + 1, 16) + hex(0xabcdef + i, 16),
    spanId: hex(i + 7, 16),
    parentSpanId: i % 2 ? hex(i + 3, 16) : undefined,
    traceFlags: 1,
    startTime: T0 + i,
    endTime: T0 + i + 12.345,
    attributes: { 'http.request.method': 'GET', 'http.route': '/api/items/:id', 'http.response.status_code': 200, 'url.path': `/api/items/${i}`, 'server.duration': 12.345 },
    events: [{ name: 'cache.hit', time: T0 + i + 1, attributes: { key: `item:${i}` }, droppedAttributesCount: 0 }],
    links: [],
    status: { code: 0 },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
}

function time(label: string, fn: () => unknown, rounds = 200): number {
  for (let i = 0; i < 30; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  const ms = (performance.now() - t0) / rounds;
  console.log(`${label.padEnd(40)} ${ms.toFixed(3)} ms`);
  return ms;
}

describe.skipIf(!process.env.OTLP_BENCH)('encode 1000 spans', () => {
  it('ours vs otlp-transformer', () => {
    const batch: TelemetryBatch = { resource, scope, spans: spans(1000), logs: [] };
    const sdk = toReadableSpans(batch);
    const a = time('lexigram protobuf', () => encodeSignal(batch, 'traces', 'http/protobuf'));
    const b = time('otlp-transformer protobuf', () => ProtobufTraceSerializer.serializeRequest(sdk));
    const c = time('lexigram json (bytes)', () => encodeSignal(batch, 'traces', 'http/json'));
    const d = time('otlp-transformer json (bytes)', () => JsonTraceSerializer.serializeRequest(sdk));
    console.log(`speed-up: protobuf ${(b / a).toFixed(1)}×, json ${(d / c).toFixed(1)}×`);
  });
});
