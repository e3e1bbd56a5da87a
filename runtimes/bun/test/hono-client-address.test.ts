// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
/**
 * monitorMiddleware alone (no adapter), served as `bun run` serves an app's default export (`c.env`
 * is Bun's server): the SERVER span has `client.address`, as under the adapter.
 */
import { expect, test } from 'bun:test';
import { Hono } from 'hono';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';

declare const Bun: any;

test('bun + Hono middleware alone: client.address from Bun\'s server', async () => {
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req: Request, s: unknown) => app.fetch(req, s) });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/users/7`);
    expect(res.status).toBe(200);
    await res.text();
  } finally {
    server.stop(true);
  }
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.attributes['client.address']).toBe('127.0.0.1');
  expect(span.attributes['http.route']).toBe('/users/:id');
});
