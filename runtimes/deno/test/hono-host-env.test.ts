// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
/**
 * monitorMiddleware given options, without an adapter, served as `deno serve` serves an app
 * (`c.env` is Deno's connection info): OTEL_EXPORTER_OTLP_ENDPOINT from Deno.env switches it to
 * OTLP, as it switches the adapter. Before, OTEL_* were read from `c.env` only and the console
 * backend printed everything. A real Deno.serve receiver takes the POSTs.
 */
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { monitorMiddleware } from '../../../src/middleware/hono/index.ts';

declare const Deno: any;

Deno.test('deno + Hono middleware alone: OTEL_EXPORTER_OTLP_ENDPOINT from Deno.env sends OTLP/JSON', async () => {
  const posts: { path: string; type: string | null; bytes: number }[] = [];
  const receiver = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, async (req: Request) => {
    const body = new Uint8Array(await req.arrayBuffer());
    posts.push({ path: new URL(req.url).pathname, type: req.headers.get('content-type'), bytes: body.length });
    return Response.json({});
  });
  const saved = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL'].map((k) => [k, Deno.env.get(k)] as const);
  Deno.env.set('OTEL_EXPORTER_OTLP_ENDPOINT', `http://127.0.0.1:${receiver.addr.port}`);
  Deno.env.set('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
  const printed = console.log;
  const lines: unknown[] = [];
  console.log = (...a: unknown[]) => void lines.push(a);
  const app = new Hono();
  app.use(monitorMiddleware({ serviceName: 'api' }));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, (req: Request, info: unknown) => app.fetch(req, info));
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/users/7`);
    assert.equal(res.status, 200);
    await res.text();
    for (let i = 0; i < 200 && !posts.some((p) => p.path === '/v1/traces'); i++) await new Promise((r) => setTimeout(r, 25));
  } finally {
    console.log = printed;
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    await server.shutdown();
    await receiver.shutdown();
  }
  const traces = posts.find((p) => p.path === '/v1/traces');
  assert.equal(traces?.type, 'application/json');
  assert.ok((traces?.bytes ?? 0) > 0);
  assert.deepEqual(lines, []);
});
