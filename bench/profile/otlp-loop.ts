/**
 * Profiling target: the batch of bench/otlp.bench.ts (1000 spans, 5 attributes, one event)
 * encoded many times. FORMAT=json for JSON, otherwise protobuf; N batches (default 3000).
 * Bundle and run with node --cpu-prof, e.g.
 *   npx esbuild bench/profile/otlp-loop.ts --bundle --platform=node --format=esm --outfile=.tmp/otlp-loop.mjs
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof .tmp/otlp-loop.mjs
 */
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import type { SpanData, TelemetryBatch } from '../../src/index.js';

const T0 = 1_700_000_000_123.4567;
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len);
const resourceAttributes = { 'service.name': 'checkout', 'service.version': '1.2.3', 'telemetry.sdk.name': '@lexigram/monitor', 'telemetry.sdk.language': 'webjs', 'cloud.region': 'eu-west-1' };
const spans: SpanData[] = Array.from({ length: 1000 }, (_, i) => ({
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
const batch: TelemetryBatch = { resource: { attributes: resourceAttributes }, scope: { name: '@lexigram/monitor', version: '0.1.0' }, spans, logs: [] };

const json = process.env.FORMAT === 'json';
const n = Number(process.env.N ?? 3000);
let sink = 0;
const t0 = performance.now();
for (let i = 0; i < n; i++) sink += (json ? encodeTracesJson(batch) : encodeTracesProto(batch)).length;
console.log(`${json ? 'json' : 'protobuf'}: ${(((performance.now() - t0) / n) * 1e3).toFixed(0)} µs per batch (${sink / n} B)`);
