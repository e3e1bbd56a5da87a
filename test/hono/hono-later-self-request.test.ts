import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { describe, expect, test } from 'vitest';
import { handleRequest } from '../../src/http/handle-request.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { instrument } from '../../runtimes/cloudflare-workers/index.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

function durationRoutes(monitor: ReturnType<typeof createTestMonitor>['monitor']): unknown[] {
  const d = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  return d.points.map((p) => p.attributes['http.route']).sort();
}

describe('a request the app makes to itself after its handler returned', () => {
  for (const adapter of [false, true]) {
    test(`work left running after the response (waitUntil): its own SERVER span and duration point, the first span keeps its route${adapter ? ' (under an adapter)' : ''}`, async () => {
      const { monitor, memory } = createTestMonitor();
      const app = new Hono();
      app.use(monitorMiddleware(monitor));
      app.get('/inner/:id', (c) => c.text('inner'));
      let later: Promise<string> | undefined;
      app.get('/outer', (c) => {
        later = (async () => {
          await tick();
          return (await app.request('/inner/7')).text();
        })();
        return c.text('outer');
      });
      const req = new Request('http://x/outer');
      const res = adapter ? await handleRequest(monitor, req, (r) => app.fetch(r), undefined) : await app.fetch(req);
      expect(await res.text()).toBe('outer');
      expect(await later).toBe('inner');
      await monitor.flush();
      const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => s.name).sort()).toEqual(['GET /inner/:id', 'GET /outer']);
      expect(servers.find((s) => s.name === 'GET /outer')!.attributes['http.route']).toBe('/outer');
      expect(durationRoutes(monitor)).toEqual(['/inner/:id', '/outer']);
    });
  }

  test('on Workers under instrument(app): a request the app makes to itself in c.executionCtx.waitUntil is a child SERVER span of its own', async () => {
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.use(monitorMiddleware(monitor));
    app.get('/inner/:id', (c) => c.text('inner'));
    app.get('/outer', (c) => {
      c.executionCtx.waitUntil(
        (async () => {
          await tick();
          await (await app.request('/inner/7', {}, c.env, c.executionCtx)).text();
        })(),
      );
      return c.text('outer');
    });
    const worker = instrument(app, () => monitor);
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: undefined };
    expect(await (await worker.fetch!(new Request('http://x/outer'), {}, ctx as never)).text()).toBe('outer');
    await Promise.all(pending);
    await monitor.flush();
    const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /inner/:id', 'GET /outer']);
    const outer = servers.find((s) => s.name === 'GET /outer')!;
    expect(servers.find((s) => s.name === 'GET /inner/:id')!.parentSpanId).toBe(outer.spanId);
    expect(durationRoutes(monitor)).toEqual(['/inner/:id', '/outer']);
  });

  test('from a stream callback with waitForBody: the streamed request keeps its name, the other gets a span of its own', async () => {
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.use(monitorMiddleware(monitor, { waitForBody: true }));
    app.get('/inner/:id', (c) => c.text('inner'));
    app.get('/outer', (c) =>
      stream(c, async (s) => {
        await s.write('a');
        await tick();
        await s.write(await (await app.request('/inner/7')).text());
      }),
    );
    const res = await app.request('/outer');
    expect(await res.text()).toBe('ainner');
    await tick();
    await monitor.flush();
    const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /inner/:id', 'GET /outer']);
    const outer = servers.find((s) => s.name === 'GET /outer')!;
    expect(outer.attributes['http.route']).toBe('/outer');
    expect(servers.find((s) => s.name === 'GET /inner/:id')!.parentSpanId).toBe(outer.spanId);
    expect(durationRoutes(monitor)).toEqual(['/inner/:id', '/outer']);
  });

  test('the same Request passed on to a second app under the adapter (a fallback) still names the adapter span, counted once', async () => {
    const { monitor, memory } = createTestMonitor();
    const first = new Hono();
    first.use(monitorMiddleware(monitor));
    first.get('/a', (c) => c.text('a'));
    const second = new Hono();
    second.use(monitorMiddleware(monitor));
    second.get('/b/:id', (c) => c.text('b'));
    const res = await handleRequest(monitor, new Request('http://x/b/1'), async (r) => {
      const answer = await first.fetch(r);
      return answer.status === 404 ? second.fetch(r) : answer;
    }, undefined);
    expect(await res.text()).toBe('b');
    await monitor.flush();
    expect(memory.spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.name)).toEqual(['GET /b/:id']);
    expect(durationRoutes(monitor)).toEqual(['/b/:id']);
  });
});
