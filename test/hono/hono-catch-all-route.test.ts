import { Hono } from 'hono';
import { logger } from 'hono/logger';
import { expect, test } from 'vitest';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

test("a catch-all handler of a method (app.get('*'), a SPA's index) names its requests; a catch-all middleware run last on a 404 does not", async () => {
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.use(logger(() => {}));
  app.get('/api/items/:id', (c) => c.text('i'));
  app.get('/app/*', (c) => c.text('spa'));
  app.get('*', (c) => c.text('index'));
  expect(await (await app.request('/app/settings')).text()).toBe('spa');
  expect(await (await app.request('/about')).text()).toBe('index');
  expect((await app.request('/about', { method: 'POST' })).status).toBe(404);
  await monitor.flush();
  expect(memory.spans.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code']])).toEqual([
    ['GET /app/*', '/app/*', 200],
    ['GET /*', '/*', 200],
    ['POST', undefined, 404],
  ]);
  const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  expect(duration.points.map((p) => p.attributes['http.route'])).toEqual(['/app/*', '/*', undefined]);
});
