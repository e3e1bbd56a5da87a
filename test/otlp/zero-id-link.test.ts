/**
 * A span link to an all-zero (invalid) SpanContext: OpenTelemetry's trace API says it SHOULD be
 * recorded when it has attributes or a tracestate. It is kept, and written as the SDK writes it:
 * 16 / 8 zero bytes in protobuf, zero hex in JSON, never left out (which decodes as no id).
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import type { Backend, SpanData } from '../../src/index.js';
import { OpenTelemetryBackend } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { toReadableSpans } from './helpers/sdk-spans.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const ZT = '0'.repeat(32);
const ZS = '0'.repeat(16);

async function record() {
  const sdk = new InMemorySpanExporter();
  const spans: SpanData[] = [];
  const capture: Backend = { name: 'capture', export: (b) => (spans.push(...b.spans), Promise.resolve({ ok: true })), forceFlush: async () => {}, shutdown: async () => {} };
  const { monitor } = createTestMonitor({ backends: [capture, new OpenTelemetryBackend({ spanExporter: sdk })] });
  const s = monitor.tracer.startSpan('consume', { links: [{ context: { traceId: ZT, spanId: ZS, traceFlags: 0 }, attributes: { 'messaging.message.id': 'm1' } }] });
  s.addLink({ context: { traceId: ZT, spanId: S, traceFlags: 1, traceState: 'a=1' } });
  s.addLink({ context: { traceId: T, spanId: ZS, traceFlags: 1 }, attributes: { n: null } }); // its only attribute is dropped
  s.addLink({ context: { traceId: ZT, spanId: ZS, traceFlags: 0 } }); // says nothing
  s.addLink({ context: { traceId: ZT.slice(1), spanId: ZS, traceFlags: 0 }, attributes: { a: 1 } }); // malformed
  s.end();
  await monitor.flush();
  const dropped = monitor.metrics
    .collect({ temporality: 'cumulative' })
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!
    .points.filter((p) => p.attributes.reason === 'invalid_attribute')
    .reduce((n, p) => n + (p as { value: number }).value, 0);
  return { span: spans[0]!, sdk: sdk.getFinishedSpans(), dropped };
}

describe('a link with an all-zero id', () => {
  it('is kept with attributes or a tracestate; without either, or malformed, it is dropped and counted', async () => {
    const { span, dropped } = await record();
    expect(span.links.map((l) => [l.traceId, l.spanId, l.traceState, { ...l.attributes }])).toEqual([
      [ZT, ZS, undefined, { 'messaging.message.id': 'm1' }],
      [ZT, S, 'a=1', {}],
    ]);
    // The null attribute, the link left with nothing, the link saying nothing, the malformed one.
    expect(dropped).toBe(4);
    expect(span.droppedLinksCount).toBe(0);
  });

  it('is written as zero bytes / zero hex, as @opentelemetry/otlp-transformer writes it', async () => {
    const { span } = await record();
    const b = { ...batch({ spans: true }), spans: [span] };
    const sdkSpans = toReadableSpans(b);
    const proto = decodeProto('traces', encodeTracesProto(b));
    expect(proto.resourceSpans[0].scopeSpans[0].spans[0].links.map((l: any) => [l.traceId, l.spanId])).toEqual([[ZT, ZS], [ZT, S]]);
    expect(canonical(proto)).toEqual(canonical(decodeProto('traces', ProtobufTraceSerializer.serializeRequest(sdkSpans)!)));
    const json = parseJson(encodeTracesJson(b));
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].links.map((l: any) => [l.traceId, l.spanId])).toEqual([[ZT, ZS], [ZT, S]]);
    expect(canonical(json)).toEqual(canonical(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdkSpans)))));
  });

  it('reaches an SDK exporter through OpenTelemetryBackend unchanged', async () => {
    const { sdk } = await record();
    expect(sdk[0]!.links.map((l) => [l.context.traceId, l.context.spanId, l.context.traceState?.serialize(), l.attributes])).toEqual([
      [ZT, ZS, undefined, { 'messaging.message.id': 'm1' }],
      [ZT, S, 'a=1', {}],
    ]);
  });
});
