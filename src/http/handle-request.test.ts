import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { getActiveSpan } from '../context/active.js';
import { handleRequest } from './handle-request.js';
import { instrumentFetch } from './instrument-fetch.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';

describe('handleRequest', () => {
  it('continues an incoming traceparent, records HTTP attributes and hands the flush to waitUntil', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    const seen: string[] = [];
    const downstream = instrumentFetch(monitor, async (input) => {
      seen.push((input as Request).headers.get('traceparent') ?? '');
      return new Response('ok');
    });
    const req = new Request('https://example.com/users/7?token=abc&x=1', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'user-agent': 'ua' },
    });
    const res = await handleRequest(
      monitor,
      req,
      async () => {
        await downstream('https://api.example.com/x');
        return new Response('hello', { status: 201 });
      },
      (p) => waits.push(p),
      { route: () => '/users/:id' },
    );
    expect(await res.text()).toBe('hello');
    expect(res.status).toBe(201);
    await Promise.all(waits);
    const server = memory.spans.find((s) => s.kind === SpanKind.SERVER)!;
    const client = memory.spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(server.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
    expect(server.name).toBe('GET /users/:id');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/users/7',
      'url.scheme': 'https',
      'http.route': '/users/:id',
      'http.response.status_code': 201,
      'user_agent.original': 'ua',
    });
    expect(String(server.attributes['url.query'])).not.toContain('abc');
    expect(client.parentSpanId).toBe(server.spanId);
    expect(seen[0]).toBe(`00-${server.traceId}-${client.spanId}-01`);
    const duration = memory.getMetric('http.server.request.duration')!;
    expect(duration.points[0].attributes).toMatchObject({ 'http.route': '/users/:id', 'http.response.status_code': 201 });
  });

  it('with waitForBody: true ends the server span only when a streamed body has been read', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    let push!: (s: string) => void;
    let close!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (s) => c.enqueue(new TextEncoder().encode(s));
        close = () => c.close();
      },
    });
    const res = await handleRequest(monitor, new Request('http://x/stream'), () => new Response(body), (p) => waits.push(p), { waitForBody: true });
    const reader = res.body!.getReader();
    push('a');
    await reader.read();
    await monitor.flush();
    expect(memory.spans).toHaveLength(0);
    close();
    await reader.read();
    await Promise.all(waits);
    expect(memory.spans).toHaveLength(1);
  });

  for (const options of [{}, { waitForBody: false }]) {
    it(`with ${JSON.stringify(options)} ends the server span at once and returns the response as it is (DESIGN 5)`, async () => {
      const { monitor, memory } = createTestMonitor();
      const waits: Promise<unknown>[] = [];
      const body = new ReadableStream<Uint8Array>({ pull() {} }); // never finishes
      const original = new Response(body, { status: 202 });
      const res = await handleRequest(monitor, new Request('http://x/stream'), () => original, (p) => waits.push(p), options);
      expect(res).toBe(original);
      expect(body.locked).toBe(false);
      await Promise.all(waits);
      expect(memory.spans).toHaveLength(1);
      expect(memory.spans[0].attributes['http.response.status_code']).toBe(202);
    });
  }

  it('with waitForBody: true a fetched response keeps no content-encoding or content-length of the body fetch decoded (DESIGN 5)', async () => {
    const { monitor } = createTestMonitor();
    const fetched = (coding: string, type = 'basic') => {
      const r = new Response('decoded text', { headers: { 'content-encoding': coding, 'content-length': '7', 'content-type': 'text/plain', 'set-cookie': 'a=1' } });
      Object.defineProperty(r, 'type', { value: type });
      return r;
    };
    const headersOf = async (response: Response) => {
      const res = await handleRequest(monitor, new Request('http://x/'), () => response, undefined, { waitForBody: true });
      expect(await res.text()).toBe('decoded text');
      return res.headers;
    };
    for (const coding of ['gzip', 'x-gzip', 'deflate', 'br', 'GZIP', 'gzip, br']) {
      const h = await headersOf(fetched(coding));
      expect([h.get('content-encoding'), h.get('content-length'), h.get('content-type'), h.get('set-cookie')]).toEqual([null, null, 'text/plain', 'a=1']);
    }
    // A coding fetch does not decode, or a Response the app built, is sent as the app said.
    expect((await headersOf(fetched('zstd'))).get('content-encoding')).toBe('zstd');
    expect((await headersOf(fetched('gzip', 'default'))).get('content-encoding')).toBe('gzip');
  });

  it('hands nothing to waitUntil when nothing is to export (span sampled out, no log, no metric change due)', async () => {
    const { monitor } = createTestMonitor({ sampler: { type: 'always_off' }, metricExportIntervalMs: 60_000 });
    const waits: Promise<unknown>[] = [];
    const call = async (body: string) => {
      const res = await handleRequest(monitor, new Request('http://x/'), () => new Response(body), (p) => waits.push(p), { waitForBody: false });
      expect(await res.text()).toBe(body);
    };
    await call('a'); // carries the first metric deltas
    expect(waits).toHaveLength(1);
    await call('b'); // nothing sampled, metrics not due for 60 s
    await call('c');
    expect(waits).toHaveLength(1);
    expect((await waits[0]) as { metricPoints: number }).toMatchObject({ spans: 0, logs: 0 });
  });

  it('a captureHeaders name no header can have (a typo with spaces) is skipped: the request is served and the valid names captured', async () => {
    const { monitor, memory } = createTestMonitor();
    const req = new Request('https://example.com/', { headers: { 'x-tenant': 'acme' } });
    const capture = { requestHeaders: ['X Forwarded For', 'x-tenant'], responseHeaders: ['bad name', 'content-type'] };
    const res = await handleRequest(monitor, req, () => new Response('ok', { headers: { 'content-type': 'text/plain' } }), undefined, { captureHeaders: capture });
    expect(res.status).toBe(200);
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({ 'http.request.header.x-tenant': ['acme'], 'http.response.header.content-type': ['text/plain'] });
  });

  it('HTTP semconv: captured headers are arrays of strings: repeated request headers as Headers joins them, each Set-Cookie line its own item', async () => {
    const { monitor, memory } = createTestMonitor({ logging: { redactDefaults: false } });
    const headers = new Headers([['x-multi', 'a'], ['x-multi', 'b']]);
    const out = new Headers([['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2, expires Wed']]);
    const capture = { requestHeaders: ['x-multi'], responseHeaders: ['set-cookie'] };
    await handleRequest(monitor, new Request('https://example.com/', { headers }), () => new Response('ok', { headers: out }), undefined, { captureHeaders: capture });
    await monitor.flush();
    expect(memory.spans[0]!.attributes).toMatchObject({ 'http.request.header.x-multi': ['a, b'], 'http.response.header.set-cookie': ['a=1; Path=/', 'b=2, expires Wed'] });
  });

  it('records an exception, rethrows the same error and still flushes', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    const boom = new Error('boom');
    await expect(
      handleRequest(monitor, new Request('http://x/'), () => {
        expect(getActiveSpan()).toBeDefined();
        throw boom;
      }, (p) => waits.push(p)),
    ).rejects.toBe(boom);
    await Promise.all(waits);
    expect(memory.spans[0].status.code).toBe(SpanStatus.ERROR);
    expect(memory.spans[0].events[0].name).toBe('exception');
  });

  it('names the span "HTTP" (and "HTTP <route>") for a method reported as _OTHER (HTTP semconv span name)', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    for (const route of [undefined, () => '/cache/:key']) {
      await handleRequest(monitor, new Request('http://x/cache/k', { method: 'PURGE' }), () => new Response('ok'), (p) => waits.push(p), route ? { route } : {});
    }
    await Promise.all(waits);
    expect(memory.spans.map((s) => [s.name, s.attributes['http.request.method'], s.attributes['http.request.method_original']])).toEqual([
      ['HTTP', '_OTHER', 'PURGE'],
      ['HTTP /cache/:key', '_OTHER', 'PURGE'],
    ]);
  });

  it('records 500 (what Workers, Deno and toNodeListener answer) when the handler returns something that is not a Response', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    const returned = await handleRequest(monitor, new Request('http://x/a'), () => undefined as unknown as Response, (p) => waits.push(p));
    expect(returned).toBeUndefined();
    await Promise.all(waits);
    const span = memory.spans[0];
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.status.code).toBe(SpanStatus.ERROR);
    const duration = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration') as unknown as { points: { attributes: Record<string, unknown> }[] };
    expect(duration.points.map((p) => p.attributes)).toEqual([{ 'http.request.method': 'GET', 'url.scheme': 'http', 'http.response.status_code': 500, 'error.type': 'TypeError' }]);
  });

  it('sets error.type on the SERVER span as on the duration metric: the exception type, or the 5xx status (HTTP semconv)', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    await handleRequest(monitor, new Request('http://x/a'), () => { throw new RangeError('x'); }, (p) => waits.push(p)).catch(() => {});
    await handleRequest(monitor, new Request('http://x/b'), () => new Response(null, { status: 503 }), (p) => waits.push(p));
    await handleRequest(monitor, new Request('http://x/c'), () => new Response(null, { status: 404 }), (p) => waits.push(p));
    await Promise.all(waits);
    expect(memory.spans.map((s) => s.attributes['error.type'])).toEqual(['RangeError', '503', undefined]);
  });

  it('an exception whose name cannot be read (a throwing getter) still ends the span, records the duration and brings active_requests back; error.type is always a string', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    class Unnamed extends Error {
      override get name(): string {
        throw new Error('no name');
      }
    }
    const thrown = [new Unnamed('u'), Object.assign(new Error('n'), { name: 42 })];
    for (const err of thrown) {
      await expect(handleRequest(monitor, new Request('http://x/a'), () => { throw err; }, (p) => waits.push(p))).rejects.toBe(err);
    }
    await Promise.all(waits);
    expect(memory.spans.map((s) => [s.attributes['error.type'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
      ['Error', 500, SpanStatus.ERROR],
      ['Error', 500, SpanStatus.ERROR],
    ]);
    const metrics = monitor.metrics.collect({ temporality: 'cumulative' }).metrics;
    const active = metrics.find((m) => m.name === 'http.server.active_requests')!.points as unknown as { value: number }[];
    expect(active.map((p) => p.value)).toEqual([0]);
    const duration = metrics.find((m) => m.name === 'http.server.request.duration')!.points as unknown as { attributes: Record<string, unknown>; count: number }[];
    expect(duration.map((p) => [p.attributes['error.type'], p.count])).toEqual([['Error', 2]]);
  });

  it('keeps a method normalized by case in http.request.method_original (HTTP semconv: set when it differs)', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    await handleRequest(monitor, new Request('http://x/', { method: 'patch' }), () => new Response('ok'), (p) => waits.push(p));
    await Promise.all(waits);
    expect([memory.spans[0].attributes['http.request.method'], memory.spans[0].attributes['http.request.method_original']]).toEqual(['PATCH', 'patch']);
  });

  it('times the server span and http.server.request.duration by the same clock readings', async () => {
    const { monitor, memory } = createTestMonitor();
    const waits: Promise<unknown>[] = [];
    await handleRequest(monitor, new Request('http://x/'), async () => new Response('ok'), (p) => waits.push(p));
    await Promise.all(waits);
    const span = memory.spans[0];
    const point = memory.getMetric('http.server.request.duration')!.points[0] as unknown as { sum: number };
    expect(point.sum).toBe((span.endTime - span.startTime) / 1000);
  });
});
