// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
/**
 * monitorMiddleware alone on Bun.serve (`c.env` is Bun's server): a long poll the client abandons
 * is recorded as the adapter records it (no status, `error.type` connection_closed, ERROR), not
 * as the 200 the handler returned after the client had gone.
 */
import { expect, test } from 'bun:test';
import { Hono } from 'hono';
import { createMonitor, MemoryBackend, SpanStatus } from '../../../src/index.js';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';

declare const Bun: any;

test('bun + Hono middleware alone: an abandoned long poll is recorded as connection_closed; an answered request keeps its 200', async () => {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'lp', backends: [memory] });
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  app.get('/poll', async (c) => {
    await new Promise((r) => setTimeout(r, 400));
    setTimeout(done, 50);
    return c.json({ events: [] });
  });
  app.get('/quick', (c) => c.text('ok'));
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  try {
    await fetch(`http://127.0.0.1:${server.port}/poll`, { signal: AbortSignal.timeout(100) }).catch(() => {});
    await finished;
    expect(await (await fetch(`http://127.0.0.1:${server.port}/quick`)).text()).toBe('ok');
  } finally {
    server.stop(true);
  }
  await monitor.flush();
  const byPath = (p: string) => memory.spans.find((s) => s.attributes['url.path'] === p)!;
  expect(byPath('/poll').attributes['http.response.status_code']).toBeUndefined();
  expect(byPath('/poll').attributes['error.type']).toBe('connection_closed');
  expect(byPath('/poll').status.code).toBe(SpanStatus.ERROR);
  expect(byPath('/quick').attributes['http.response.status_code']).toBe(200);
  expect(byPath('/quick').attributes['error.type']).toBeUndefined();
}, 30_000);
