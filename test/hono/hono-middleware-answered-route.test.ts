/**
 * A request a path-scoped middleware refused (basicAuth's 401, a rate limiter's 429, a failing
 * use()'s 500) is named by the route Hono matched for it (the handler of its method after that
 * middleware), as if the handler had answered: the endpoint's error rate holds its refused
 * requests, and http.route stays a route template (HTTP semconv); an app.all() handler (one taking
 * no next, as Hono tells them apart) is a handler too. A middleware that served the
 * request itself (a static file, a CORS preflight: a status below 400) keeps its own pattern, as
 * does one with no handler of the method matched after it; @hono/otel names all of them by the
 * middleware's pattern.
 */
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { cors } from 'hono/cors';
import { describe, expect, test } from 'vitest';
import { handleRequest } from '../../src/http/handle-request.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind, SpanStatus } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

function build(mw: ReturnType<typeof monitorMiddleware>): Hono {
  const app = new Hono();
  app.use(mw);
  app.use('/admin/*', basicAuth({ username: 'u', password: 'p' }));
  app.get('/admin/users/:id', (c) => c.text('user'));
  app.use('/api/*', cors());
  app.use('/api/*', async (c, next) => {
    if (c.req.header('x-break')) throw new Error('db down');
    await next();
  });
  app.get('/api/items/:id', (c) => c.text('item'));
  app.use('/static/*', async (c, next) => (c.req.path.endsWith('.js') ? c.text('asset') : next()));
  app.use('/limited/*', async (c, next) => (c.req.header('x-flood') ? c.text('slow down', 429) : next()));
  app.get('/limited/:id', (c) => c.text('ok'));
  app.post('/api/items', (c) => c.text('made'));
  app.all('/api/rpc', (c) => c.text('rpc'));
  app.get('*', (c) => c.text('spa'));
  // Hono's default answers, without its console.error of each error.
  app.onError((err, c) => ('getResponse' in err ? (err as { getResponse(): Response }).getResponse() : c.text('Internal Server Error', 500)));
  return app;
}

const requests: Array<[string, RequestInit?]> = [
  ['/admin/users/7'],
  ['/admin/users/7', { method: 'POST' }],
  ['/api/items/1', { headers: { 'x-break': '1' } }],
  ['/api/items', { method: 'OPTIONS', headers: { origin: 'http://o', 'access-control-request-method': 'POST' } }],
  ['/api/rpc', { headers: { 'x-break': '1' } }],
  ['/api/items/2'],
  ['/static/app.js'],
  ['/static/page'],
  ['/limited/3', { headers: { 'x-flood': '1' } }],
];

const expected = [
  ['GET /admin/users/:id', '/admin/users/:id', 401, SpanStatus.UNSET],
  ['POST /admin/*', '/admin/*', 401, SpanStatus.UNSET],
  ['GET /api/items/:id', '/api/items/:id', 500, SpanStatus.ERROR],
  ['OPTIONS /api/*', '/api/*', 204, SpanStatus.UNSET],
  ['GET /api/rpc', '/api/rpc', 500, SpanStatus.ERROR],
  ['GET /api/items/:id', '/api/items/:id', 200, SpanStatus.UNSET],
  ['GET /static/*', '/static/*', 200, SpanStatus.UNSET],
  ['GET /*', '/*', 200, SpanStatus.UNSET],
  ['GET /limited/:id', '/limited/:id', 429, SpanStatus.UNSET],
];

describe('a request a middleware answered is named by the route Hono matched for it', () => {
  for (const adapter of [false, true]) {
    test(adapter ? 'under an adapter' : 'the middleware alone', async () => {
      const { monitor, memory } = createTestMonitor();
      const app = build(monitorMiddleware(monitor));
      const statuses: number[] = [];
      for (const [path, init] of requests) {
        const res = adapter ? await handleRequest(monitor, new Request(`http://x${path}`, init), (r) => app.fetch(r), undefined) : await app.request(path, init);
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 500, 204, 500, 200, 200, 200, 429]);
      await monitor.flush();
      const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code'], s.status.code])).toEqual(expected);
      const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
      const points = duration.points.map((p) => `${String(p.attributes['http.request.method'])} ${String(p.attributes['http.route'])} ${String(p.attributes['http.response.status_code'])} x${(p as { count: number }).count}`);
      expect(points.sort()).toEqual([
        'GET /* 200 x1',
        'GET /admin/users/:id 401 x1',
        'GET /api/items/:id 200 x1',
        'GET /api/items/:id 500 x1',
        'GET /api/rpc 500 x1',
        'GET /limited/:id 429 x1',
        'GET /static/* 200 x1',
        'OPTIONS /api/* 204 x1',
        'POST /admin/* 401 x1',
      ]);
    });
  }
});
