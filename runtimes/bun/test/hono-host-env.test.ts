// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
/**
 * monitorMiddleware given options, without an adapter, served as `bun run` serves an app's
 * default export (`c.env` is Bun's server): OTEL_EXPORTER_OTLP_ENDPOINT from the environment
 * switches it to OTLP, as it switches the adapter. Before, OTEL_* were read from `c.env` only and
 * the console backend printed everything. A real Bun.serve receiver takes the POSTs.
 */
import { expect, test } from 'bun:test';
import { Hono } from 'hono';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';

declare const Bun: any;

test('bun + Hono middleware alone: OTEL_EXPORTER_OTLP_ENDPOINT from the environment sends OTLP/JSON', async () => {
  const posts: { path: string; type: string | null; bytes: number }[] = [];
  const receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (req: Request) => {
      const body = new Uint8Array(await req.arrayBuffer());
      posts.push({ path: new URL(req.url).pathname, type: req.headers.get('content-type'), bytes: body.length });
      return Response.json({});
    },
  });
  const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, protocol: process.env.OTEL_EXPORTER_OTLP_PROTOCOL };
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${receiver.port}`;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  const printed = console.log;
  const lines: unknown[] = [];
  console.log = (...a: unknown[]) => void lines.push(a);
  const app = new Hono();
  app.use(monitorMiddleware({ serviceName: 'api' }));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req: Request, s: unknown) => app.fetch(req, s) });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/users/7`);
    expect(res.status).toBe(200);
    await res.text();
    for (let i = 0; i < 200 && !posts.some((p) => p.path === '/v1/traces'); i++) await new Promise((r) => setTimeout(r, 25));
  } finally {
    console.log = printed;
    if (saved.endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved.endpoint;
    if (saved.protocol === undefined) delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    else process.env.OTEL_EXPORTER_OTLP_PROTOCOL = saved.protocol;
    server.stop(true);
    receiver.stop(true);
  }
  const traces = posts.find((p) => p.path === '/v1/traces');
  expect(traces?.type).toBe('application/json');
  expect(traces?.bytes ?? 0).toBeGreaterThan(0);
  expect(lines).toEqual([]);
});
