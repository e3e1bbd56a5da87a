/**
 * Two monitorMiddleware on one request (the app's and a sub-app's, each given its own options or
 * function of the env, as a sub-app module written on its own is): the outer one describes the
 * request; the inner, given no Monitor of its own, uses the outer's monitor and adds nothing,
 * as under an adapter. Without AsyncLocalStorage (a Worker without nodejs_compat) the inner one
 * could not find the outer's scope once a middleware between them awaited: it built a second
 * monitor from its options, recorded a second SERVER span and duration point for the same
 * request, exported both to the same backend, and left c.get(MONITOR_KEY) the second monitor.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setContextStorage, SynchronousStorage, type ActiveContext } from '../../src/index.js';
import { monitorMiddleware, MONITOR_KEY } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { MemoryBackend } from '../../src/testing/index.js';
import type { Monitor } from '../../src/monitor.js';

describe.each([
  ['AsyncLocalStorage', false],
  ['synchronous context storage (a Worker without nodejs_compat)', true],
])('two monitorMiddleware given options on one request, %s', (_name, sync) => {
  beforeAll(() => {
    if (sync) setContextStorage(new SynchronousStorage<ActiveContext>());
  });
  afterAll(() => {
    setContextStorage(undefined);
  });

  test('one SERVER span and one duration point per request, and c.get(MONITOR_KEY) the outer monitor', async () => {
    const memory = new MemoryBackend();
    const options = () => ({ serviceName: 'api', backends: [memory], onDiagnostic: () => {} });
    const seen: Monitor[] = [];
    const outerSeen: Monitor[] = [];
    const sub = new Hono();
    sub.use(monitorMiddleware(() => options()));
    sub.get('/items/:id', (c) => {
      seen.push(c.get(MONITOR_KEY));
      return c.text('i');
    });
    const app = new Hono();
    app.use(monitorMiddleware(() => options()));
    app.use(async (c, next) => {
      outerSeen.push(c.get(MONITOR_KEY));
      await new Promise((r) => setTimeout(r, 1));
      await next();
    });
    app.route('/api', sub);
    for (const id of ['1', '2']) expect(await (await app.request(`/api/items/${id}`)).text()).toBe('i');
    const outer = outerSeen[0]!;
    expect(seen.length).toBe(2);
    expect(seen[0] === outer && seen[1] === outer).toBe(true);
    await outer.flush();
    expect(memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.name)).toEqual(['GET /api/items/:id', 'GET /api/items/:id']);
    const duration = outer.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect(duration.points.map((p) => [p.attributes['http.route'], (p as { count: number }).count])).toEqual([['/api/items/:id', 2]]);
    await outer.shutdown();
  });
});
