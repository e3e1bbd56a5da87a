import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { handleRequest } from '../../src/http/handle-request.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

type Build = (mw: ReturnType<typeof monitorMiddleware>) => Hono;
const setups: Record<string, Build> = {
  "basePath('/api')": (mw) => {
    const app = new Hono().basePath('/api');
    app.use(mw);
    app.get('/items/:id', (c) => c.text('i'));
    return app;
  },
  "use('/api/*', middleware)": (mw) => {
    const app = new Hono();
    app.use('/api/*', mw);
    app.get('/api/items/:id', (c) => c.text('i'));
    return app;
  },
  "the middleware on a sub-app mounted with route('/api')": (mw) => {
    const sub = new Hono();
    sub.use(mw);
    sub.get('/items/:id', (c) => c.text('i'));
    const app = new Hono();
    app.route('/api', sub);
    return app;
  },
};

describe("a 404 is not named by the middleware's own pattern", () => {
  for (const [name, build] of Object.entries(setups)) {
    test(`${name}: a 404 has no http.route (or the route option's name), a matched request its route`, async () => {
      const { monitor, memory } = createTestMonitor();
      const app = build(monitorMiddleware(monitor));
      expect((await app.request('/api/nope')).status).toBe(404);
      expect((await app.request('/api/items/1')).status).toBe(200);
      // Under an adapter, the adapter's span is named the same way.
      const res = await handleRequest(monitor, new Request('http://x/api/nope'), (r) => app.fetch(r), undefined);
      expect(res.status).toBe(404);
      await monitor.flush();
      const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => [s.name, s.attributes['http.route']])).toEqual([
        ['GET', undefined],
        ['GET /api/items/:id', '/api/items/:id'],
        ['GET', undefined],
      ]);
      const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
      expect(duration.points.map((p) => [p.attributes['http.response.status_code'], p.attributes['http.route']]).sort()).toEqual([
        [200, '/api/items/:id'],
        [404, undefined],
      ]);
      // The `route` option names such a request, as it does on an app without a prefix.
      const named = createTestMonitor();
      const app2 = build(monitorMiddleware(named.monitor, { route: () => '/api/unmatched' }));
      await app2.request('/api/nope');
      await named.monitor.flush();
      expect(named.memory.spans.map((s) => [s.name, s.attributes['http.route']])).toEqual([['GET /api/unmatched', '/api/unmatched']]);
    });
  }
});
