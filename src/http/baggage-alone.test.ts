// W3C Baggage is its own header: a caller may send baggage without a traceparent (a new trace
// that still carries the caller's keys), and OpenTelemetry's baggage propagator reads it either way.
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { handleRequest } from './handle-request.js';
import { instrumentFetch } from './instrument-fetch.js';
import { SpanKind } from '../model/span-data.js';

async function forwarded(headers: Record<string, string>, trustIncomingTrace?: boolean) {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const sent: (string | null)[] = [];
  const downstream = instrumentFetch(monitor, async (input) => {
    sent.push((input as Request).headers.get('baggage'));
    return new Response('ok');
  });
  const waits: Promise<unknown>[] = [];
  await handleRequest(
    monitor,
    new Request('https://edge.example/x', { headers }),
    async () => {
      await downstream('https://api.example/y');
      return new Response('done');
    },
    (p) => waits.push(p),
    trustIncomingTrace === undefined ? {} : { trustIncomingTrace },
  );
  await Promise.all(waits);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [];
  return { sent, server: memory.spans.find((s) => s.kind === SpanKind.SERVER)!, dropped };
}

describe('baggage without a traceparent', () => {
  it('is forwarded on outgoing calls, in a new trace', async () => {
    const { sent, server } = await forwarded({ baggage: 'tenant=acme,role=admin' });
    expect(sent).toEqual(['tenant=acme,role=admin']);
    expect(server.parentSpanId).toBeUndefined();
  });

  it('counts its left-out members as invalid_value, as with a traceparent', async () => {
    const { sent, dropped } = await forwarded({ baggage: 'ok=1,broken' });
    expect(sent).toEqual(['ok=1']);
    expect(dropped.filter((p) => p.attributes.reason === 'invalid_value').map((p) => (p as { value: number }).value)).toEqual([1]);
  });

  it('is not taken from a caller that is not trusted (trustIncomingTrace: false)', async () => {
    const { sent } = await forwarded({ baggage: 'tenant=acme' }, false);
    expect(sent).toEqual([null]);
  });
});
