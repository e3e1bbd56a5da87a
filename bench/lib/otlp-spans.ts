/**
 * The batch every OTLP comparison encodes: 1000 spans with a resource, a scope, ids, times,
 * 5 attributes, one event and a parent on every other span, as this library's `TelemetryBatch`
 * and as the SDK's `ReadableSpan`s carrying the same data (one resource and one scope object, as
 * its tracers share them). Used by otlp.bench.ts and the profiling targets in bench/profile.
 */
import type { HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanData, TelemetryBatch } from '../../src/index.js';

const T0 = 1_700_000_000_123.4567;
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len);
const hr = (ms: number): HrTime => {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
};

const resourceAttributes = { 'service.name': 'checkout', 'service.version': '1.2.3', 'telemetry.sdk.name': '@lexigram/monitor', 'telemetry.sdk.language': 'webjs', 'cloud.region': 'eu-west-1' };
const scope = { name: '@lexigram/monitor', version: '0.1.0' };

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
export const batch: TelemetryBatch = { resource: { attributes: resourceAttributes }, scope, spans, logs: [] };

const sdkResource = resourceFromAttributes(resourceAttributes);
export const sdkSpans: ReadableSpan[] = spans.map(
  (s) =>
    ({
      name: s.name,
      kind: s.kind - 1, // the API's SpanKind has no UNSPECIFIED
      spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: s.traceFlags }),
      parentSpanContext: s.parentSpanId ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: s.traceFlags, isRemote: false } : undefined,
      startTime: hr(s.startTime),
      endTime: hr(s.endTime),
      duration: hr(s.endTime - s.startTime),
      ended: true,
      status: { code: s.status.code },
      attributes: s.attributes,
      links: [],
      events: s.events.map((e) => ({ name: e.name, time: hr(e.time), attributes: e.attributes, droppedAttributesCount: 0 })),
      resource: sdkResource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    }) as unknown as ReadableSpan,
);
