/**
 * `ignoreRequest` with the Hono middleware (the predicate gets `c.req.raw`): alone and under an
 * adapter, an ignored request (here `mountMonitoring`'s /metrics and /health) is served as
 * before, with no span, no HTTP server metric point and no `web.request` hook (whose
 * `http_server_requests_total` would count it).
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../testing/index.js';
import { HookRegistry } from '../../hooks/registry.js';
import { healthHandler } from '../../health/handler.js';
import { handleRequest } from '../../http/handle-request.js';
import { MONITOR_KEY, monitorMiddleware, mountMonitoring } from './index.js';

const probes = (r: Request): boolean => ['/metrics', '/health'].includes(new URL(r.url).pathname);

function points(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): { attributes: Record<string, unknown>; count?: number }[] {
  return (monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === name)?.points ?? []) as never;
}

function build(monitor: ReturnType<typeof createTestMonitor>['monitor'], options?: Parameters<typeof monitorMiddleware>[1]) {
  const app = new Hono();
  app.use(monitorMiddleware(monitor, options));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  mountMonitoring(app, monitor, { health: { handler: healthHandler(monitor) } });
  app.get('/ready', (c) => {
    // The handler's telemetry is there as usual.
    c.get(MONITOR_KEY).logger.info('ready probe');
    return c.text('ready');
  });
  return app;
}

describe('monitorMiddleware: ignoreRequest', () => {
  for (const where of ['alone', 'under an adapter'] as const) {
    test(`${where}: /metrics and /health are answered as before, with no span, no duration point and no web.request hook; /users/:id is recorded`, async () => {
      const { monitor, memory } = createTestMonitor();
      const seen: string[] = [];
      const hooks = new HookRegistry();
      hooks.on('web.request', (e) => void seen.push(String(e.route)));
      monitor.subscribeHooks(hooks);
      const app = where === 'alone' ? build(monitor, { ignoreRequest: probes }) : build(monitor);
      const get = (path: string): Promise<Response> =>
        where === 'alone' ? Promise.resolve(app.request(path)) : handleRequest(monitor, new Request(`http://x${path}`), (r) => app.fetch(r), undefined, { ignoreRequest: probes });
      for (const path of ['/metrics', '/health', '/users/7', '/metrics']) {
        const res = await get(path);
        expect(res.status).toBe(200);
        await res.text();
      }
      await monitor.forceFlush();
      expect(memory.spans.map((s) => s.name)).toEqual(['GET /users/:id']);
      const duration = points(monitor, 'http.server.request.duration');
      expect(duration.map((p) => [p.attributes['http.route'], p.count])).toEqual([['/users/:id', 1]]);
      expect(seen).toEqual(['/users/:id']);
      expect(points(monitor, 'http_server_requests_total').map((p) => p.attributes.route)).toEqual(['/users/:id']);
    });
  }

  test("an ignored request's logs are still recorded, and the handler reaches the monitor", async () => {
    const { monitor, memory } = createTestMonitor();
    const res = await build(monitor, { ignoreRequest: (r) => r.url.endsWith('/ready') }).request('/ready');
    expect(await res.text()).toBe('ready');
    await monitor.forceFlush();
    expect(memory.spans).toEqual([]);
    expect(memory.logs.map((l) => l.body)).toEqual(['ready probe']);
  });

  test('a non-function throws where the app is built, saying what to pass', () => {
    const { monitor } = createTestMonitor();
    expect(() => monitorMiddleware(monitor, { ignoreRequest: ['/health'] } as never)).toThrow(/^monitorMiddleware: `ignoreRequest` must be a function \(request\) => true/);
  });
});
