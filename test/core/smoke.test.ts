import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, getActiveSpan, handleRequest, instrumentFetch, SpanKind, SpanStatus } from '../../src/index.js';

describe('smoke', () => {
  it('records spans, metrics and logs into a scope and flushes them', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'smoke', backends: [memory], onDiagnostic: () => {} });
    const c = monitor.metrics.createCounter('requests_total', 'Requests', { labelNames: ['method'] });
    const scope = monitor.openScope({ name: 'req' });
    await scope.run(() =>
      monitor.tracer.startActiveSpan('outer', { kind: SpanKind.SERVER }, async (span) => {
        c.increment(1, { method: 'GET' });
        await new Promise((r) => setTimeout(r, 5));
        expect(getActiveSpan()).toBe(span);
        monitor.tracer.startActiveSpan('inner', (s) => s.setAttribute('k', 1));
        monitor.logger.info('hello', { password: 'hunter2', user: 'u1' });
      }),
    );
    const r = await scope.close();
    expect(r.spans).toBe(2);
    const outer = memory.findSpan('outer')!;
    const inner = memory.findSpan('inner')!;
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.traceId).toBe(outer.traceId);
    expect(outer.status.code).toBe(SpanStatus.UNSET);
    expect(memory.logs[0].attributes).toEqual({ password: '[REDACTED]', user: 'u1' });
    expect(memory.logs[0].spanId).toBe(outer.spanId);
    const m = memory.getMetric('requests_total')!;
    expect(m.points[0]).toMatchObject({ attributes: { method: 'GET' }, value: 1 });
  });
});

describe('metricExportIntervalMs', () => {
  it('request scopes carry metric changes at most once per interval; flush() always does', async () => {
    const memory = new MemoryBackend({ temporality: 'delta' });
    const monitor = createMonitor({ serviceName: 'm', backends: [memory], metricExportIntervalMs: 60_000, onDiagnostic: () => {} });
    const c = monitor.metrics.createCounter('hits_total', 'Hits');
    for (let i = 0; i < 3; i++) {
      const scope = monitor.openScope();
      scope.run(() => c.increment());
      await scope.close();
    }
    // The first scope exported (interval starts at 0); the next two waited for the interval.
    expect(memory.metricSnapshots.map((s) => (s.metrics[0].points[0] as { value: number }).value)).toEqual([1]);
    await monitor.flush();
    expect(memory.metricSnapshots.map((s) => (s.metrics[0].points[0] as { value: number }).value)).toEqual([1, 2]);
    expect(() => createMonitor({ metricExportIntervalMs: -1 })).toThrow(/metricExportIntervalMs/);
  });

  it('TC-09: a forwarded request whose incoming trace is not continued carries no stale tracestate', async () => {
    const monitor = createMonitor({ serviceName: 'proxy', backends: [new MemoryBackend()], onDiagnostic: () => {} });
    const sent: (string | null)[][] = [];
    const f = instrumentFetch(monitor, async (input: RequestInfo | URL, init?: RequestInit) => {
      const r = new Request(input, init);
      sent.push([r.headers.get('traceparent'), r.headers.get('tracestate'), r.headers.get('baggage')]);
      return new Response('ok');
    });
    const proxy = (req: Request) => f(new Request('https://origin.internal/x', req));
    const incoming = (traceparent: string) =>
      new Request('https://edge.example/x', { headers: { traceparent, tracestate: 'caller=opaque', baggage: 'role=admin' } });
    const trusted = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    await handleRequest(monitor, incoming(`00-${'0'.repeat(32)}-${'2'.repeat(16)}-01`), proxy, undefined);
    await handleRequest(monitor, incoming(trusted), proxy, undefined, { trustIncomingTrace: false });
    await handleRequest(monitor, incoming(trusted), proxy, undefined);
    const [invalid, untrusted, continued] = sent;
    for (const [tp, ts, bg] of [invalid, untrusted]) {
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(tp!.slice(3, 35)).not.toBe('1'.repeat(32));
      expect(ts).toBeNull();
      expect(bg).toBe('role=admin'); // the caller's copy, left as it is
    }
    expect(continued[0]!.slice(3, 35)).toBe('1'.repeat(32));
    expect(continued[1]).toBe('caller=opaque');
  });
});
