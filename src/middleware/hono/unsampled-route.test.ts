/**
 * The request metric counts every request, sampled or not: an unsampled request's server span
 * records nothing, and the route the Hono middleware set on it was lost with it, so the
 * duration histogram put every unsampled request of /users/:id under no route at all.
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../testing/index.js';
import { handleRequest } from '../../http/handle-request.js';
import { monitorMiddleware } from './index.js';

describe('http.route on the request metric of an unsampled request', () => {
  for (const [name, sampler] of [
    ['always_off', { type: 'always_off' }],
    ['sampled, as a control', { type: 'always_on' }],
  ] as const) {
    test(`${name}: the metric has the matched route, under the middleware alone and under an adapter`, async () => {
      const { monitor, memory } = createTestMonitor({ sampler });
      const app = new Hono();
      app.use(monitorMiddleware(monitor));
      app.get('/users/:id', (c) => c.text(c.req.param('id')));
      expect(await (await app.request('/users/1')).text()).toBe('1');
      expect(await (await handleRequest(monitor, new Request('http://x/users/2'), (r) => app.fetch(r), undefined)).text()).toBe('2');
      await monitor.forceFlush();
      const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
      expect(duration.points.map((p) => p.attributes['http.route'])).toEqual(['/users/:id']);
      expect((duration.points[0] as { count: number }).count).toBe(2);
      expect(memory.spans.length).toBe(sampler.type === 'always_off' ? 0 : 2);
    });
  }
});
