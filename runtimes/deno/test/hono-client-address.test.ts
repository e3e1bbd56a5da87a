// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
/**
 * monitorMiddleware alone (no adapter), served as `deno serve` serves an app (`c.env` is Deno's
 * connection info): the SERVER span has `client.address`, as under the adapter.
 */
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { monitorMiddleware } from '../../../src/middleware/hono/index.ts';
import { createTestMonitor } from '../../../src/testing/index.ts';

declare const Deno: any;

Deno.test("deno + Hono middleware alone: client.address from Deno's connection info", async () => {
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, (req: Request, info: unknown) => app.fetch(req, info));
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/users/7`);
    assert.equal(res.status, 200);
    await res.text();
  } finally {
    await server.shutdown();
  }
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  assert.equal(span.attributes['client.address'], '127.0.0.1');
  assert.equal(span.attributes['http.route'], '/users/:id');
});
