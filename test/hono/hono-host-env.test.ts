/**
 * monitorMiddleware given options, without an adapter, on Node (as under @hono/node-server, whose
 * `c.env` is `{ incoming, outgoing }`): OTEL_EXPORTER_OTLP_ENDPOINT from the process environment
 * switches it to OTLP, as it switches the adapters. Before, the middleware read OTEL_* from `c.env`
 * only, and printed to the console whatever the environment said. A real node:http receiver takes
 * the POSTs.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';

interface Post { path: string; type: string | undefined; bytes: number }

function receiver(): Promise<{ server: Server; url: string; posts: Post[] }> {
  const posts: Post[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', type: req.headers['content-type'], bytes });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${a.port}`, posts });
  }));
}

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  vi.restoreAllMocks();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('monitorMiddleware alone on Node reads OTEL_* from the process environment', () => {
  it('OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL switch it to OTLP/JSON', async () => {
    const r = await receiver();
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = r.url;
      process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
      const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
      const app = new Hono();
      app.use(monitorMiddleware({ serviceName: 'api' }));
      app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
      // @hono/node-server's env: the Node request and response, not the environment.
      const res = await app.fetch(new Request('http://localhost/users/7'), { incoming: {}, outgoing: {} });
      expect(res.status).toBe(200);
      await until(() => r.posts.some((p) => p.path === '/v1/traces'));
      const traces = r.posts.find((p) => p.path === '/v1/traces');
      expect(traces?.type).toBe('application/json');
      expect(traces?.bytes).toBeGreaterThan(0);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      r.server.close();
    }
  });

  it('an env given to app.fetch wins over the process environment, key by key', async () => {
    const r = await receiver();
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9/never';
      const app = new Hono();
      app.use(monitorMiddleware({ serviceName: 'api' }));
      app.get('/', (c) => c.text('ok'));
      const res = await app.fetch(new Request('http://localhost/'), { OTEL_EXPORTER_OTLP_ENDPOINT: r.url });
      expect(res.status).toBe(200);
      await until(() => r.posts.some((p) => p.path === '/v1/traces'));
      expect(r.posts.map((p) => p.path)).toContain('/v1/traces');
      expect(r.posts.find((p) => p.path === '/v1/traces')?.type).toBe('application/x-protobuf');
    } finally {
      r.server.close();
    }
  });

  it('with no OTEL_* set it stays on the console backend', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k];
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    const app = new Hono();
    app.use(monitorMiddleware({ serviceName: 'api' }));
    app.get('/', (c) => c.text('ok'));
    await app.fetch(new Request('http://localhost/'), { incoming: {}, outgoing: {} });
    await until(() => printed.mock.calls.length > 0);
    expect(String(printed.mock.calls[0]?.[0])).toContain('[span]');
  });
});
