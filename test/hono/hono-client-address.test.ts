/**
 * monitorMiddleware alone (no adapter) on Node, served the way @hono/node-server serves an app
 * (`c.env` is `{ incoming, outgoing }`): the SERVER span has `client.address` from the socket, as
 * under the adapter. A forged CF-Connecting-IP is not believed off Workers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

it("node + Hono middleware alone: client.address from @hono/node-server's incoming socket, not from a forged CF-Connecting-IP", async () => {
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  // What @hono/node-server does: a Web Request, and `{ incoming, outgoing }` as the env.
  const server = createServer(async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const request = new Request(`http://${incoming.headers.host}${incoming.url}`, { method: incoming.method, headers: incoming.headers as HeadersInit });
    const res = await app.fetch(request, { incoming, outgoing });
    outgoing.writeHead(res.status, Object.fromEntries(res.headers));
    outgoing.end(Buffer.from(await res.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/users/7`, { headers: { 'cf-connecting-ip': '6.6.6.6' } });
    expect(res.status).toBe(200);
    await res.text();
  } finally {
    await new Promise((r) => server.close(r));
  }
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.attributes['client.address']).toBe('127.0.0.1');
});

it('app.request() with no server env: no client.address, and nothing thrown', async () => {
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/x', (c) => c.text('ok'));
  expect((await app.request('/x', { headers: { 'cf-connecting-ip': '6.6.6.6' } })).status).toBe(200);
  await monitor.flush();
  expect(memory.spans.find((s) => s.kind === 2)!.attributes['client.address']).toBeUndefined();
});
