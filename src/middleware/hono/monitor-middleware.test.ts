import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, test, vi } from 'vitest';
import { createTestMonitor, MemoryBackend } from '../../testing/index.js';
import { monitorMiddleware, mountMonitoring, tracedMiddleware } from './index.js';
import { HookRegistry } from '../../hooks/registry.js';
import { healthHandler } from '../../health/handler.js';
import { handleRequest } from '../../http/handle-request.js';
import { SpanKind, SpanStatus } from '../../model/span-data.js';

function app(monitor: ReturnType<typeof createTestMonitor>['monitor']) {
  const a = new Hono();
  a.use(monitorMiddleware(monitor));
  a.use('/users/*', tracedMiddleware('auth', async (_c, next) => next()));
  a.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  a.get('/fail', () => {
    throw new TypeError('bad');
  });
  a.onError((err, c) => c.text(err.message, 500));
  return a;
}

describe('monitorMiddleware (Hono on Node, app.request)', () => {
  test('a SERVER span named by the matched route, with http.route and status', async () => {
    const { monitor, memory } = createTestMonitor();
    const res = await app(monitor).request('/users/42', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(await res.json()).toEqual({ id: '42' });
    await monitor.forceFlush();
    const server = memory.spans.find((s) => s.kind === 2)!;
    expect(server.name).toBe('GET /users/:id');
    expect(server.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(server.attributes).toMatchObject({ 'http.route': '/users/:id', 'http.response.status_code': 200, 'url.path': '/users/42' });
    const auth = memory.spans.find((s) => s.name === 'middleware auth')!;
    expect(auth.parentSpanId).toBe(server.spanId);
  });

  test("under an adapter: its span is named by the route, also for a rewritten Request; a request the app makes to itself gets its own SERVER span, a child", async () => {
    const { monitor, memory } = createTestMonitor();
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.get('/inner', (c) => c.text('inner'));
    a.get('/outer/:id', async (c) => c.text(`outer+${await (await a.request('/inner')).text()}`));
    const res = await handleRequest(monitor, new Request('http://x/outer/1'), (r) => a.fetch(r), undefined);
    expect(await res.text()).toBe('outer+inner');
    // A prefix stripped before app.fetch: a new Request object, still the adapter's request.
    await handleRequest(monitor, new Request('http://x/api/inner'), (r) => a.fetch(new Request(r.url.replace('/api', ''), r)), undefined);
    await monitor.flush();
    const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /inner', 'GET /inner', 'GET /outer/:id']);
    const outer = servers.find((s) => s.name === 'GET /outer/:id')!;
    const nested = servers.find((s) => s.name === 'GET /inner' && s.traceId === outer.traceId)!;
    expect(nested.parentSpanId).toBe(outer.spanId);
    expect(outer.attributes['http.route']).toBe('/outer/:id');
  });

  test('without an adapter, a request the app makes to itself gets its own SERVER span, a child, and its own duration point; the outer span keeps its route', async () => {
    const { monitor, memory } = createTestMonitor();
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.get('/inner/:id', (c) => c.text('inner'));
    a.get('/outer', async (c) => c.text(`outer+${await (await a.request('/inner/1')).text()}`));
    expect(await (await a.request('/outer')).text()).toBe('outer+inner');
    await monitor.flush();
    const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /inner/:id', 'GET /outer']);
    const outer = servers.find((s) => s.name === 'GET /outer')!;
    expect(servers.find((s) => s.name === 'GET /inner/:id')!.parentSpanId).toBe(outer.spanId);
    const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.points.map((p) => p.attributes['http.route']).sort()).toEqual(['/inner/:id', '/outer']);
  });

  test("under an adapter with another monitor: the middleware's monitor records its own span and metrics, and says once to give both the same monitor", async () => {
    const adapter = createTestMonitor();
    const diagnostics: string[] = [];
    const own = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
    const a = app(own.monitor);
    mountMonitoring(a, own.monitor);
    for (const id of ['1', '2']) await (await handleRequest(adapter.monitor, new Request(`http://x/users/${id}`), (r) => a.fetch(r), undefined)).text();
    await own.monitor.flush();
    expect(own.memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id']);
    expect(await (await a.request('/metrics')).text()).toContain('http_route="/users/:id"');
    expect(diagnostics.filter((m) => m.includes('same monitor'))).toHaveLength(1);
    // Options instead of a monitor: the adapter's span is named, nothing recorded twice.
    const b = new Hono();
    b.use(monitorMiddleware({ serviceName: 'api', backends: [] }));
    b.get('/users/:id', (c) => c.text('ok'));
    await (await handleRequest(adapter.monitor, new Request('http://x/users/3'), (r) => b.fetch(r), undefined)).text();
    await adapter.monitor.flush();
    expect(adapter.memory.spans.map((s) => s.name)).toContain('GET /users/:id');
  });

  test("under an adapter its own options are not read (the adapter's span has started): a config diagnostic names them once and says to give them to the adapter", async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
    const a = new Hono();
    a.use(monitorMiddleware(monitor, { trustIncomingTrace: false, captureHeaders: { requestHeaders: ['x-a'] }, waitForBody: undefined }));
    a.get('/users/:id', (c) => c.text('ok'));
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    for (const id of ['1', '2']) await (await handleRequest(monitor, new Request(`http://x/users/${id}`, { headers: { traceparent } }), (r) => a.fetch(r), undefined)).text();
    await monitor.flush();
    // The adapter trusted the caller: the middleware's trustIncomingTrace: false came too late.
    expect(memory.spans.map((s) => [s.name, s.traceId])).toEqual([
      ['GET /users/:id', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['GET /users/:id', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ]);
    expect(diagnostics).toEqual([
      'monitorMiddleware: options not read under an adapter, whose span has started: trustIncomingTrace, captureHeaders; give them to instrument() or serve()',
    ]);
    // Without an adapter they apply, and nothing is said.
    await (await a.request('/users/3', { headers: { traceparent } })).text();
    await monitor.flush();
    expect(memory.spans[2].traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(diagnostics).toHaveLength(1);
  });

  test('RED metrics by method, route and status', async () => {
    const { monitor } = createTestMonitor();
    const a = app(monitor);
    for (const path of ['/users/1', '/users/2', '/fail']) await (await a.request(path)).text();
    const snap = monitor.metrics.collect({ temporality: 'cumulative' });
    const duration = snap.metrics.find((m) => m.name === 'http.server.request.duration')!;
    const byRoute = (route: string) => duration.points.filter((p) => p.attributes['http.route'] === route);
    expect(byRoute('/users/:id').reduce((n, p) => n + (p as { count: number }).count, 0)).toBe(2);
    expect(byRoute('/fail')[0]!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 500, 'error.type': '500' });
  });

  test('an exception Hono caught (c.error) is an ERROR span with the exception event', async () => {
    const { monitor, memory } = createTestMonitor();
    const res = await app(monitor).request('/fail');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('bad');
    await monitor.forceFlush();
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect(span.status.code).toBe(2);
    expect(span.events.some((e) => e.name === 'exception')).toBe(true);
  });

  test('the export goes to c.executionCtx.waitUntil when there is one', async () => {
    const { monitor, memory } = createTestMonitor();
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException() {}, props: {} };
    const res = await app(monitor).request('/users/1', {}, {}, ctx);
    await res.text();
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(memory.spans.some((s) => s.kind === 2)).toBe(true);
  });

  test("without an execution context (Node, Bun, Deno) Hono's throwing getter is read with no stack trace, and Error.stackTraceLimit is restored", async () => {
    const { monitor, memory } = createTestMonitor();
    const limit = Error.stackTraceLimit;
    const seen: number[] = [];
    const a = new Hono();
    a.use(async (c, next) => {
      // What the getter sees: wrap it to read the limit while it runs.
      const proto = Object.getPrototypeOf(c) as object;
      const get = Object.getOwnPropertyDescriptor(proto, 'executionCtx')!.get!;
      Object.defineProperty(c, 'executionCtx', { get: () => (seen.push(Error.stackTraceLimit), get.call(c)) });
      await next();
    });
    a.use(monitorMiddleware(monitor));
    a.get('/x', (c) => c.text(String(Error.stackTraceLimit)));
    const res = await a.request('/x');
    expect(await res.text()).toBe(String(limit));
    expect(seen).toEqual([0]);
    expect(Error.stackTraceLimit).toBe(limit);
    await monitor.forceFlush();
    expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(1);
  });

  test('with an execution context the span ends when the handler returns, unless waitForBody is set', async () => {
    for (const waitForBody of [undefined, true]) {
      const { monitor, memory } = createTestMonitor();
      const a = new Hono();
      a.use(monitorMiddleware(monitor, waitForBody === undefined ? {} : { waitForBody }));
      let close!: () => void;
      a.get('/stream', () => new Response(new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode('a')); close = () => c.close(); } })));
      const waited: Promise<unknown>[] = [];
      const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException() {}, props: {} };
      const res = await a.request('/stream', {}, {}, ctx);
      expect(waited).toHaveLength(1);
      // The body is still open: only the default (no body watching) has ended and exported the span.
      await Promise.race([Promise.all(waited), new Promise((r) => setTimeout(r, 20))]);
      expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(waitForBody ? 0 : 1);
      close();
      expect(await res.text()).toBe('a');
      await Promise.all(waited);
      expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(1);
    }
  });

  test('a monitor built from options batches requests ending within 100 ms of the last export', async () => {
    const memory = new MemoryBackend();
    const a = new Hono();
    a.use(monitorMiddleware({ serviceName: 'api', backends: [memory] }));
    a.get('/items/:id', (c) => c.text(c.req.param('id')));
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException() {}, props: {} };
    for (const id of ['1', '2', '3']) expect(await (await a.request(`/items/${id}`, {}, {}, ctx)).text()).toBe(id);
    // The first exports at once; the second waits out the window carrying the third's data too.
    expect(waited).toHaveLength(2);
    expect(memory.exports).toBe(1);
    await Promise.all(waited);
    expect(memory.exports).toBe(2);
    expect(memory.spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(['/items/1', '/items/2', '/items/3']);
  });

  test('mountMonitoring serves /metrics in Prometheus text', async () => {
    const { monitor } = createTestMonitor();
    const a = app(monitor);
    mountMonitoring(a, monitor);
    await (await a.request('/users/1')).text();
    const res = await a.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_server_request_duration_seconds_bucket');
  });

  test('mountMonitoring: a misspelled option throws, listing the known ones, instead of mounting nothing or no auth', () => {
    const { monitor } = createTestMonitor();
    expect(() => mountMonitoring(new Hono(), monitor, { helth: { handler: healthHandler(monitor) } } as never)).toThrow(/^mountMonitoring: unknown option `helth`; known options are metrics, health\.$/);
    expect(() => mountMonitoring(new Hono(), monitor, { metrics: { auht: { bearerToken: 't' } } } as never)).toThrow(/^metricsHandler: unknown option `auht`/);
  });

  test('mountMonitoring: a health path without its "/", a misspelled health option or a handler that is not a function throws at once', () => {
    const { monitor } = createTestMonitor();
    const handler = healthHandler(monitor, { livenessPath: '/live' });
    // 'health' was accepted: Hono served /health, but the handler's /live was left unmounted with nobody told.
    expect(() => mountMonitoring(new Hono(), monitor, { health: { handler, path: 'health' } })).toThrow(/^mountMonitoring: health\.path must start with "\/", got "health"\.$/);
    expect(() => mountMonitoring(new Hono(), monitor, { health: { handler, pth: '/health' } } as never)).toThrow(/^mountMonitoring: health: unknown option `pth`; known options are handler, path\.$/);
    expect(() => mountMonitoring(new Hono(), monitor, { health: { handler: undefined } } as never)).toThrow(/^mountMonitoring: health\.handler must be a function such as healthHandler\(monitor\), got undefined\.$/);
  });

  test("mountMonitoring mounts a healthHandler's liveness and readiness paths beside its main one", async () => {
    const { monitor } = createTestMonitor();
    monitor.health.register('db', () => true);
    const handler = healthHandler(monitor, { path: '/healthz', livenessPath: '/live', readinessPath: '/ready' });
    expect(handler.paths).toEqual(['/healthz', '/live', '/ready']);
    const a = mountMonitoring(new Hono().basePath('/api'), monitor, { health: { handler } });
    const got: [string, number][] = [];
    for (const path of ['/api/healthz', '/api/live', '/api/ready', '/api/health']) got.push([path, (await a.request(path)).status]);
    expect(got).toEqual([['/api/healthz', 200], ['/api/live', 200], ['/api/ready', 200], ['/api/health', 404]]);
    expect(await (await a.request('/api/ready')).json()).toMatchObject({ status: 'pass', checks: expect.anything() });
  });

  test('mountMonitoring serves the route Hono matched under basePath, route() and strict: false, standalone handlers unchanged', async () => {
    const { monitor } = createTestMonitor();
    const health = { handler: healthHandler(monitor) };
    const api = mountMonitoring(new Hono().basePath('/api'), monitor, { health });
    const root = new Hono().route('/admin', mountMonitoring(new Hono(), monitor, { health }));
    const loose = mountMonitoring(new Hono({ strict: false }), monitor, { health });
    const tokened = mountMonitoring(new Hono().basePath('/api'), monitor, { metrics: { path: '/m', auth: { bearerToken: 't' } } });
    const cases: [Hono, string, number][] = [
      [api, '/api/metrics', 200],
      [api, '/api/health', 200],
      [root, '/admin/metrics', 200],
      [root, '/admin/health', 200],
      [loose, '/metrics/', 200],
      [loose, '/health/', 200],
      [api, '/metrics', 404],
      [tokened, '/api/m', 401],
    ];
    const got: [string, number][] = [];
    for (const [a, path] of cases) got.push([path, (await a.request(path, { headers: { accept: 'text/plain' } })).status]);
    expect(got).toEqual(cases.map(([, path, status]) => [path, status]));
    expect((await tokened.request('/api/m', { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    expect(await (await api.request('/api/health')).json()).toMatchObject({ status: 'pass' });
    expect(await health.handler(new Request('http://x/api/health'))).toBeUndefined();
  });

  test('a method reported as _OTHER names the span "HTTP <route>" (HTTP semconv span name)', async () => {
    const { monitor, memory } = createTestMonitor();
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.on('PURGE', '/cache/:key', (c) => c.text('purged'));
    expect(await (await a.request('/cache/k1', { method: 'PURGE' })).text()).toBe('purged');
    await (await a.request('/nothing', { method: 'PURGE' })).text();
    await monitor.forceFlush();
    expect(memory.spans.filter((s) => s.kind === 2).map((s) => [s.name, s.attributes['http.request.method']])).toEqual([
      ['HTTP /cache/:key', '_OTHER'],
      ['HTTP', '_OTHER'],
    ]);
  });

  test('with monitor.subscribeHooks, each request also emits the web.request hook', async () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    const seen: { method: string; route?: string; status: number; traced?: boolean }[] = [];
    hooks.on('web.request', (e) => seen.push(e));
    monitor.subscribeHooks(hooks);
    const a = app(monitor);
    for (const path of ['/users/1', '/fail']) await (await a.request(path)).text();
    expect(seen.map((e) => [e.method, e.route, e.status, e.traced])).toEqual([
      ['GET', '/users/:id', 200, true],
      ['GET', '/fail', 500, true],
    ]);
    const requests = monitor.metrics.collect().metrics.find((m) => m.name === 'http_server_requests_total')!;
    expect(requests.points.map((p) => p.attributes.route).sort()).toEqual(['/fail', '/users/:id']);
  });

  test('the web.request hook and http_server_requests_total carry the status the client got when onError answered 4xx', async () => {
    const { monitor } = createTestMonitor();
    monitor.subscribeHooks(new HookRegistry());
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.get('/secret', () => {
      throw new HTTPException(401, { message: 'no token' });
    });
    a.get('/validate', () => {
      throw new RangeError('bad input');
    });
    a.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.json({ error: err.message }, 400)));
    const sent: number[] = [];
    for (const path of ['/secret', '/validate']) sent.push((await a.request(path)).status);
    expect(sent).toEqual([401, 400]);
    const snap = monitor.metrics.collect({ temporality: 'cumulative' });
    const requests = snap.metrics.find((m) => m.name === 'http_server_requests_total')!;
    expect(requests.points.map((p) => [p.attributes.route, p.attributes.status]).sort()).toEqual([
      ['/secret', '401'],
      ['/validate', '400'],
    ]);
    const duration = snap.metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.points.map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code']]).sort()).toEqual([
      ['/secret', 401],
      ['/validate', 400],
    ]);
  });

  test('HTTP semconv: an error onError answered with a 4xx leaves the server span unset (exception recorded); a 5xx is ERROR', async () => {
    const { monitor, memory } = createTestMonitor();
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.get('/secret', () => {
      throw new HTTPException(401, { message: 'no token' });
    });
    a.get('/broken', () => {
      throw new TypeError('db down');
    });
    a.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.json({ error: err.message }, 503)));
    expect((await a.request('/secret')).status).toBe(401);
    expect((await a.request('/broken')).status).toBe(503);
    await monitor.forceFlush();
    const secret = memory.spans.find((s) => s.attributes['http.route'] === '/secret')!;
    const broken = memory.spans.find((s) => s.attributes['http.route'] === '/broken')!;
    expect(secret.status.code).toBe(0);
    expect(secret.events.map((e) => e.name)).toEqual(['exception']);
    expect(broken.status).toEqual({ code: 2, message: 'db down' });
  });

  test('a handler that returns no Response is recorded as the 500 Hono answers, an ERROR span', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    const statuses: number[] = [];
    hooks.on('web.request', (e) => statuses.push(e.status));
    monitor.subscribeHooks(hooks);
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.get('/oops', (async (c: { header(name: string, value: string): void }) => {
      c.header('x-a', '1');
    }) as unknown as () => Response);
    let errors = 0;
    a.onError((err, c) => {
      errors++;
      return c.text(err.message, 500);
    });
    const res = await a.request('/oops');
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('Context is not finalized');
    expect(errors).toBe(1);
    await monitor.forceFlush();
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect([span.name, span.attributes['http.response.status_code'], span.status.code]).toEqual(['GET /oops', 500, 2]);
    const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.points[0]!.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
    expect(statuses).toEqual([500]);
  });

  test('a thrown non-Error, which Hono rethrows, still names the span and the metric by the matched route', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    const seen: { route?: string; status: number; error?: unknown }[] = [];
    hooks.on('web.request', (e) => seen.push(e));
    monitor.subscribeHooks(hooks);
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    const legacy = { code: 'E_LEGACY' };
    a.get('/orders/:id', () => {
      throw legacy;
    });
    await expect(a.request('/orders/9')).rejects.toBe(legacy);
    await monitor.forceFlush();
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect([span.name, span.attributes['http.route'], span.status.code]).toEqual(['GET /orders/:id', '/orders/:id', 2]);
    expect(span.events.filter((e) => e.name === 'exception')).toHaveLength(1);
    const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.points[0]!.attributes).toMatchObject({ 'http.route': '/orders/:id', 'http.response.status_code': 500, 'error.type': 'object' });
    expect(seen.map((e) => [e.route, e.status, e.error])).toEqual([['/orders/:id', 500, legacy]]);
  });

  test('a sub-app with its own monitorMiddleware(monitor), mounted with route(), adds nothing: one span, one web.request, one duration point per request', async () => {
    for (const underAdapter of [false, true]) {
      const { monitor, memory } = createTestMonitor();
      const hooks = new HookRegistry();
      const seen: unknown[] = [];
      hooks.on('web.request', (e) => seen.push(e.route));
      monitor.subscribeHooks(hooks);
      const sub = new Hono();
      sub.use(monitorMiddleware(monitor));
      sub.get('/items/:id', (c) => c.text('item'));
      const a = new Hono();
      a.use(monitorMiddleware(monitor));
      a.route('/admin', sub);
      const res = underAdapter ? await handleRequest(monitor, new Request('http://x/admin/items/1'), (r) => a.fetch(r), undefined) : await a.request('/admin/items/1');
      expect(await res.text()).toBe('item');
      await monitor.flush();
      expect(seen).toEqual(['/admin/items/:id']);
      expect(memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.name)).toEqual(['GET /admin/items/:id']);
      const snap = monitor.metrics.collect({ temporality: 'cumulative' }).metrics;
      expect(snap.find((m) => m.name === 'http_server_requests_total')!.points.map((p) => (p as { value: number }).value)).toEqual([1]);
    }
  });

  test('tracedMiddleware: an HTTPException with a 4xx (a failed bearerAuth) records the exception but leaves the span unset, as the server span does, so keepErrors does not keep every 401', async () => {
    const { monitor, memory } = createTestMonitor();
    const a = new Hono();
    a.use(monitorMiddleware(monitor));
    a.use(
      '/private/*',
      tracedMiddleware('auth', async (c, next) => {
        if (c.req.header('authorization') !== 'Bearer ok') throw new HTTPException(401, { message: 'no token' });
        await next();
      }),
    );
    a.use('/boom/*', tracedMiddleware('explode', async () => {
      throw new HTTPException(503, { message: 'down' });
    }));
    a.get('/private/x', (c) => c.text('x'));
    a.get('/boom/x', (c) => c.text('x'));
    expect((await a.request('/private/x')).status).toBe(401);
    expect((await a.request('/boom/x')).status).toBe(503);
    await monitor.flush();
    const auth = memory.findSpan('middleware auth')!;
    expect(auth.status.code).toBe(SpanStatus.UNSET);
    expect(auth.events.map((e) => e.name)).toEqual(['exception']);
    expect(memory.findSpan('middleware explode')!.status.code).toBe(SpanStatus.ERROR);
  });

  test('an options object with a mistake throws where the app is built, as createMonitor does; a function of the env is checked at its first request', async () => {
    // It threw at the first request instead: printed, with the app running uninstrumented.
    expect(() => monitorMiddleware({ serviceName: 'x', servceVersion: '1' } as never)).toThrow(/unknown option `servceVersion`; known options are serviceName, serviceVersion,/);
    expect(() => monitorMiddleware({ serviceName: '' })).toThrow(/`serviceName` must be a non-empty string/);
    expect(() => monitorMiddleware({ backends: {} as never })).toThrow(/`backends` must be an array/);
    // Fine without backends (the middleware picks OTLP or the console from the env), `otlp` included.
    expect(() => monitorMiddleware({ serviceName: 'api', otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } })).not.toThrow();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const a = new Hono();
      a.use(monitorMiddleware(() => ({ serviceName: 'x', servceVersion: '1' }) as never));
      a.get('/', (c) => c.text('ok'));
      expect(await (await a.request('/')).text()).toBe('ok');
      expect(String(printed.mock.calls[0]![0])).toMatch(/unknown option `servceVersion`/);
    } finally {
      printed.mockRestore();
    }
  });

  test('a configuration that throws is printed once, not on every request, and the app keeps answering', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const a = new Hono();
      // A function of the env is called at the first request (an options object is checked at once).
      a.use(monitorMiddleware((() => ({ sampler: 'bogus' })) as never));
      a.get('/', (c) => c.text('ok'));
      for (let i = 0; i < 3; i++) expect(await (await a.request('/')).text()).toBe('ok');
      expect(printed).toHaveBeenCalledTimes(1);
      expect(String(printed.mock.calls[0]![0])).toMatch(/unknown sampler "bogus"/);
    } finally {
      printed.mockRestore();
    }
  });

  test('mountMonitoring: a health handler made for another path than the one mounted is reported, not a silent 404', async () => {
    const reported: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => reported.push(`${d.kind}: ${d.message}`) });
    const a = new Hono();
    mountMonitoring(a, monitor, { health: { handler: healthHandler(monitor), path: '/healthz' } });
    expect((await a.request('/healthz')).status).toBe(404);
    expect((await a.request('/healthz')).status).toBe(404);
    expect(reported).toEqual([expect.stringMatching(/^config: mountMonitoring: the health handler does not answer \/healthz/)]);
    const b = new Hono();
    mountMonitoring(b, monitor, { health: { handler: healthHandler(monitor, { path: '/healthz' }), path: '/healthz' } });
    expect((await b.request('/healthz')).status).toBe(200);
  });
});

test("monitorMiddleware's misspelled option throws where the app is built, listing the known ones (it was ignored, its default in force)", () => {
  const { monitor } = createTestMonitor();
  expect(() => monitorMiddleware(monitor, { waitForBdy: true } as never)).toThrow(/^monitorMiddleware: unknown option `waitForBdy`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest\.$/);
  expect(() => monitorMiddleware(monitor, { trustIncomingTrace: false, captureHeaders: { requestHeaders: ['x-id'] }, waitForBody: true })).not.toThrow();
});

test('monitorMiddleware keeps `route` (read by handleRequest): it names a request no Hono route matched, as before option keys were checked', async () => {
  const { monitor, memory } = createTestMonitor();
  const a = new Hono();
  a.use(monitorMiddleware(monitor, { route: () => '/fallback' }));
  a.get('/a', (c) => c.text('a'));
  await a.request('/nope');
  await a.request('/a');
  await monitor.flush();
  expect(memory.spans.map((s) => [s.name, s.attributes['http.route']])).toEqual([
    ['GET /fallback', '/fallback'],
    ['GET /a', '/a'],
  ]);
});
