import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { instrumentFetch } from './instrument-fetch.js';
import { SpanKind } from '../model/span-data.js';
import type { HistogramPoint } from '../model/metric-data.js';

async function inScope<T>(monitor: ReturnType<typeof createTestMonitor>['monitor'], fn: () => Promise<T>): Promise<T> {
  return monitor.tracer.startActiveSpan('parent', async (span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
}

describe('instrumentFetch (review)', () => {
  it('injects traceparent whatever form the headers take, keeping the caller’s headers', async () => {
    const { monitor } = createTestMonitor();
    const seen: Array<[string | null, string | null, string]> = [];
    const f = instrumentFetch(monitor, async (input, init) => {
      const r = input as Request;
      seen.push([r.headers.get('traceparent'), r.headers.get('x-a'), init ? JSON.stringify(init) : '-']);
      if (r.body) await r.text();
      return new Response('ok');
    });
    await inScope(monitor, async () => {
      await f('https://a.test/', { headers: [['x-a', '1']] });
      await f('https://a.test/', { headers: { 'x-a': '2' } });
      await f('https://a.test/', { headers: new Headers({ 'x-a': '3' }) });
      await f(new Request('https://a.test/', { headers: { 'x-a': '4' } }));
      await f(new Request('https://a.test/', { headers: { 'x-a': 'no' } }), { headers: { 'x-a': '5' } });
      await f(new URL('https://a.test/'), { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('x')); c.close(); } }), duplex: 'half', headers: { 'x-a': '6' } } as RequestInit);
    });
    expect(seen.map((s) => [s[0]?.slice(0, 3), s[1], s[2]])).toEqual([1, 2, 3, 4, 5, 6].map((n) => ['00-', String(n), '-']));
  });

  it('names a span of an unknown method HTTP and keeps the method in http.request.method_original; error.type on 4xx/5xx', async () => {
    const { monitor, memory } = createTestMonitor();
    const f = instrumentFetch(monitor, async () => new Response('x', { status: 503 }));
    await inScope(monitor, async () => {
      await f('https://a.test/k', { method: 'PURGE' });
    });
    await monitor.flush();
    const client = memory.spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect([client.name, client.attributes['http.request.method'], client.attributes['http.request.method_original'], client.attributes['error.type']]).toEqual(['HTTP', '_OTHER', 'PURGE', '503']);
  });

  it('a propagateTo that is not a function or { allow?, deny? } of host names throws at construction', () => {
    const { monitor } = createTestMonitor();
    const f = async (): Promise<Response> => new Response('ok');
    for (const bad of [['api.internal'], 'api.internal', { allow: 'api.internal' }, { deny: [1] }, { alow: ['x'] }]) {
      expect(() => instrumentFetch(monitor, f, { propagateTo: bad as never })).toThrow(/propagateTo/);
    }
    expect(() => instrumentFetch(monitor, f, { propagateTo: { allow: ['a'], deny: [] } })).not.toThrow();
  });

  it('records server.port, the scheme default when the URL has none (HTTP semconv: required on CLIENT spans); a streamed Request body still arrives', async () => {
    const { monitor, memory } = createTestMonitor();
    const bodies: string[] = [];
    const f = instrumentFetch(monitor, async (input) => {
      bodies.push(await (input as Request).text());
      return new Response('ok');
    });
    await inScope(monitor, async () => {
      await f('https://a.test/');
      await f('http://a.test/');
      await f(new Request('http://a.test:8080/', { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } }), duplex: 'half' } as RequestInit));
    });
    await monitor.flush();
    expect(memory.spans.filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.attributes['server.port'])).toEqual([443, 80, 8080]);
    expect(bodies).toEqual(['', '', 'streamed']);
  });

  it('a fetch that throws synchronously or answers without a promise still ends its span (error.type on a throw)', async () => {
    const { monitor, memory } = createTestMonitor();
    const throwing = instrumentFetch(monitor, () => { throw new TypeError('bad'); });
    const sync = instrumentFetch(monitor, (() => new Response('ok')) as never);
    await inScope(monitor, async () => {
      expect(() => throwing('https://a.test/')).toThrow('bad'); // as the wrapped fetch did
      expect((await sync('https://a.test/')).status).toBe(200);
    });
    await monitor.flush();
    expect(memory.spans.filter((s) => s.kind === SpanKind.CLIENT).map((s) => [s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([['TypeError', undefined], [undefined, 200]]);
  });

  it('records http.client.request.duration (HTTP semconv, a required metric) in seconds, by method, server address and port, status and error.type', async () => {
    const { monitor, memory } = createTestMonitor();
    const f = instrumentFetch(monitor, async (input) => ((input as Request).url.endsWith('/gone') ? new Response('x', { status: 404 }) : new Response('ok')));
    const down = instrumentFetch(monitor, async () => Promise.reject(new TypeError('network')));
    await inScope(monitor, async () => {
      await f('https://a.test/');
      await f('http://a.test:8080/gone', { method: 'POST' });
      await down('https://b.test/').catch(() => {});
    });
    await monitor.flush();
    const m = memory.getMetric('http.client.request.duration')!;
    expect(m.unit).toBe('s');
    expect((m.points[0] as HistogramPoint).bounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    expect(m.points.map((p) => p.attributes)).toEqual([
      { 'http.request.method': 'GET', 'server.address': 'a.test', 'server.port': 443, 'http.response.status_code': 200 },
      { 'http.request.method': 'POST', 'server.address': 'a.test', 'server.port': 8080, 'http.response.status_code': 404, 'error.type': '404' },
      { 'http.request.method': 'GET', 'server.address': 'b.test', 'server.port': 443, 'error.type': 'TypeError' },
    ]);
  });
});
