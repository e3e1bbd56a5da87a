// ENV-16: OTEL_PROPAGATORS (default tracecontext,baggage) chooses which W3C headers are read
// from incoming requests and written on outgoing ones.
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { configFromEnv } from '../config/env.js';
import { handleRequest } from './handle-request.js';
import { instrumentFetch } from './instrument-fetch.js';
import { injectContext } from '../trace/propagation/propagation.js';
import { SpanKind } from '../model/span-data.js';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

async function roundTrip(env: Record<string, string>) {
  const { monitor, memory } = createTestMonitor(configFromEnv(env));
  const sent: [string | null, string | null][] = [];
  const downstream = instrumentFetch(monitor, async (input) => {
    const h = (input as Request).headers;
    sent.push([h.get('traceparent'), h.get('baggage')]);
    return new Response('ok');
  });
  const waits: Promise<unknown>[] = [];
  await handleRequest(monitor, new Request('https://edge.example/x', { headers: { traceparent: TP, baggage: 'tenant=acme' } }), async () => {
    await downstream('https://api.example/y');
    return new Response('done');
  }, (p) => waits.push(p));
  await Promise.all(waits);
  const server = memory.spans.find((s) => s.kind === SpanKind.SERVER)!;
  return { parent: server.parentSpanId, traceparent: sent[0]![0] !== null, baggage: sent[0]![1] };
}

describe('OTEL_PROPAGATORS (ENV-16)', () => {
  it('default and tracecontext,baggage: both headers read and written', async () => {
    const both = { parent: 'b7ad6b7169203331', traceparent: true, baggage: 'tenant=acme' };
    expect(await roundTrip({})).toEqual(both);
    expect(await roundTrip({ OTEL_PROPAGATORS: 'tracecontext,baggage' })).toEqual(both);
  });

  it('tracecontext alone: no baggage read or written', async () => {
    expect(await roundTrip({ OTEL_PROPAGATORS: 'TraceContext' })).toEqual({ parent: 'b7ad6b7169203331', traceparent: true, baggage: null });
  });

  it('baggage alone: baggage goes on, in a new trace, with no traceparent sent', async () => {
    expect(await roundTrip({ OTEL_PROPAGATORS: 'baggage' })).toEqual({ parent: undefined, traceparent: false, baggage: 'tenant=acme' });
  });

  it('none: nothing read or written, unsampled spans included', async () => {
    expect(await roundTrip({ OTEL_PROPAGATORS: 'none' })).toEqual({ parent: undefined, traceparent: false, baggage: null });
    const { monitor } = createTestMonitor({ ...configFromEnv({ OTEL_PROPAGATORS: 'none' }), sampler: 'always_off' });
    expect(injectContext({}, monitor.tracer.startSpan('s'))).toEqual({});
  });

  it('deduplicated, case-insensitive; unsupported values warned once and ignored; only unsupported ones keep the default', () => {
    const warnings: string[] = [];
    const read = (v: string) => configFromEnv({ OTEL_PROPAGATORS: v }, { onWarning: (w) => warnings.push(w) }).propagators;
    expect(read(' TraceContext, tracecontext ,baggage')).toEqual(['tracecontext', 'baggage']);
    expect(warnings).toEqual([]);
    expect(read('tracecontext,b3,b3multi,jaeger')).toEqual(['tracecontext']);
    expect(read('xray,ottrace')).toBeUndefined();
    expect(warnings).toEqual(['OTEL_PROPAGATORS: b3,b3multi,jaeger not supported (only none,tracecontext,baggage); ignored', 'OTEL_PROPAGATORS: xray,ottrace not supported (only none,tracecontext,baggage); ignored']);
  });

  it('a baggage header left out by the propagators counts no dropped members (only tracecontext on)', async () => {
    for (const propagators of [['tracecontext'], ['tracecontext', 'baggage']] as const) {
      const seen: string[] = [];
      const { monitor } = createTestMonitor({ propagators, onDiagnostic: (d) => void seen.push(d.message) });
      await handleRequest(monitor, new Request('https://edge.example/x', { headers: { traceparent: TP, baggage: 'ok=1,=bad' } }), () => new Response('done'));
      expect(seen.some((m) => m.includes('baggage'))).toBe(propagators.length === 2);
    }
  });

  it('the option is checked at construction', () => {
    expect(() => createTestMonitor({ propagators: ['b3'] as never })).toThrow(/propagators/);
    // The message names the value to change and how to say none.
    expect(() => createTestMonitor({ propagators: ['tracecontext', 'b3'] as never })).toThrow('`propagators` lists "tracecontext" and/or "baggage" ([] for none), got "b3".');
    expect(() => createTestMonitor({ propagators: 'none' as never })).toThrow('([] for none), got "none".');
    expect(() => createTestMonitor({ propagators: [undefined] as never })).toThrow(/propagators/);
    expect(() => createTestMonitor({ propagators: [] })).not.toThrow();
  });
});
