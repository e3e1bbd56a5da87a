/**
 * The runtime checks of issue 4 §6, written once and run by each runtime's own test runner
 * (vitest on Node, `deno test`, `bun test`): each starts the app with that runtime's adapter and
 * reads what a local OTLP receiver got. Assertions use `node:assert` (all three have it).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { OtlpBackend } from '../../src/exporters/otlp/otlp-backend.js';
import { createMonitor, type Monitor } from '../../src/monitor.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { pointsOf, spansOf, startReceiver, waitFor, type Decoder, type Receiver } from './receiver.js';

export type AppHandler = (request: Request) => Response | Promise<Response>;

export interface Started {
  readonly url: string;
  /** Waits for the exports of finished requests. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface RuntimeUnderTest {
  readonly name: string;
  readonly protocol: 'http/json' | 'http/protobuf';
  readonly decode?: Decoder;
  start(handler: AppHandler, monitor: Monitor): Promise<Started>;
}

export interface Scenario {
  readonly name: string;
  run(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

/** A downstream server that records the `traceparent` each request carried. */
async function startDownstream(): Promise<{ url: string; traceparents: string[]; close(): Promise<void> }> {
  const traceparents: string[] = [];
  const server = createServer((req, res) => {
    traceparents.push(String(req.headers.traceparent ?? ''));
    res.end('down');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, traceparents, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function monitorFor(rt: RuntimeUnderTest, endpoint: string): Monitor {
  return createMonitor({
    serviceName: `it-${rt.name}`,
    backends: [new OtlpBackend({ endpoint, protocol: rt.protocol, retry: { maxAttempts: 1 }, timeoutMs: 5000 })],
    onDiagnostic: () => {},
  });
}

async function withReceiver(rt: RuntimeUnderTest, fn: (r: Receiver) => Promise<void>): Promise<void> {
  const r = await startReceiver(rt.decode);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

export function scenarios(rt: RuntimeUnderTest): Scenario[] {
  return [
    {
      name: `${rt.name}: TC-01/TC-09 server span continues traceparent; child and outgoing fetch have the right parents`,
      run: () =>
        withReceiver(rt, async (r) => {
          const down = await startDownstream();
          const monitor = monitorFor(rt, r.url);
          const app = await rt.start(async () => {
            await sleep(2);
            await monitor.tracer.startActiveSpan('load', async () => {
              await sleep(1);
              await (await fetch(`${down.url}/items`)).text();
            });
            monitor.logger.info('handled', { step: 'done' });
            return new Response('ok', { headers: { 'x-app': '1' } });
          }, monitor);
          try {
            const res = await fetch(`${app.url}/orders?id=7`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'user-agent': 'it' } });
            assert.equal(res.status, 200);
            assert.equal(await res.text(), 'ok');
            assert.equal(res.headers.get('x-app'), '1');
            await app.flush();
            await waitFor(() => spansOf(r).length >= 3);
            const spans = spansOf(r);
            const server = spans.find((s) => s.kind === 2)!;
            const load = spans.find((s) => s.name === 'load')!;
            const client = spans.find((s) => s.kind === 3)!;
            assert.ok(server && load && client, JSON.stringify(spans.map((s) => s.name)));
            assert.equal(server.traceId, TRACE);
            assert.equal(server.parentSpanId, PARENT);
            assert.equal(server.name, 'GET');
            assert.equal(server.attributes['http.request.method'], 'GET');
            assert.equal(server.attributes['url.path'], '/orders');
            assert.equal(server.attributes['url.query'], 'id=7');
            assert.equal(server.attributes['http.response.status_code'], 200);
            assert.equal(server.attributes['user_agent.original'], 'it');
            assert.equal(server.resource['service.name'], `it-${rt.name}`);
            assert.equal(load.parentSpanId, server.spanId);
            assert.equal(load.traceId, TRACE);
            assert.equal(client.parentSpanId, load.spanId);
            assert.deepEqual(down.traceparents, [`00-${TRACE}-${client.spanId}-01`]);
            const logs = r.received.filter((e) => e.signal === 'logs');
            const record = logs.flatMap((e) => e.body.resourceLogs.flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords)));
            const handled = record.find((l: any) => l.body?.stringValue === 'handled');
            assert.ok(handled, 'log record exported');
            assert.equal(String(handled.spanId).toLowerCase(), server.spanId);
          } finally {
            await app.stop();
            await down.close();
          }
        }),
    },
    {
      name: `${rt.name}: DN-03 http.server.request.duration and active_requests reach the receiver`,
      run: () =>
        withReceiver(rt, async (r) => {
          const monitor = monitorFor(rt, r.url);
          const app = await rt.start((req) => new Response(null, { status: new URL(req.url).pathname === '/missing' ? 404 : 204 }), monitor);
          try {
            await (await fetch(`${app.url}/a`)).arrayBuffer();
            await (await fetch(`${app.url}/missing`)).arrayBuffer();
            await app.flush();
            await monitor.flush();
            await waitFor(() => pointsOf(r).some((p) => p.metric === 'http.server.request.duration' && String(p.attributes['http.response.status_code']) === '404'));
            const points = pointsOf(r);
            const durations = points.filter((p) => p.metric === 'http.server.request.duration');
            const ok = durations.filter((p) => String(p.attributes['http.response.status_code']) === '204').reduce((n, p) => n + (p.count ?? 0), 0);
            assert.ok(ok >= 1, JSON.stringify(durations));
            assert.ok(durations.every((p) => p.attributes['http.request.method'] === 'GET'));
            assert.ok(points.some((p) => p.metric === 'http.server.active_requests'));
          } finally {
            await app.stop();
          }
        }),
    },
    {
      name: `${rt.name}: the response comes back before a slow receiver answers`,
      run: () =>
        withReceiver(rt, async (r) => {
          r.delayMs = 1500;
          const monitor = monitorFor(rt, r.url);
          const app = await rt.start(() => new Response('fast'), monitor);
          try {
            const t0 = Date.now();
            const res = await fetch(`${app.url}/fast`);
            assert.equal(await res.text(), 'fast');
            // By the order of events, not a clock: the receiver holds every answer for 1.5 s, so a
            // response that waited for its export would come after an answer.
            const answeredBeforeResponse = r.answered;
            await app.flush();
            const tFlushed = Date.now() - t0;
            assert.ok(spansOf(r).some((s) => s.kind === 2), 'server span exported');
            assert.equal(answeredBeforeResponse, 0, 'the response waited for an export to be answered');
            assert.ok(r.answered >= 1, 'the export was answered after the response');
            assert.ok(tFlushed >= 1400, `export finished after ${tFlushed} ms`);
          } finally {
            r.delayMs = 0;
            await app.stop();
          }
        }),
    },
    {
      name: `${rt.name}: 500 concurrent requests do not mix spans`,
      run: () =>
        withReceiver(rt, async (r) => {
          const monitor = monitorFor(rt, r.url);
          const app = await rt.start(async (req) => {
            const id = new URL(req.url).pathname.split('/')[2]!;
            await sleep(Math.random() * 20);
            await monitor.tracer.startActiveSpan('work', async (span) => {
              await sleep(Math.random() * 10);
              span.setAttribute('req.id', id);
              monitor.tracer.startSpan('inner', { attributes: { 'req.id': id } }).end();
            });
            return new Response(id);
          }, monitor);
          try {
            const ids = Array.from({ length: 500 }, (_, i) => String(i));
            const bodies = await Promise.all(ids.map(async (id) => (await fetch(`${app.url}/c/${id}`)).text()));
            assert.deepEqual(bodies, ids);
            await app.flush();
            await monitor.forceFlush();
            await waitFor(() => spansOf(r).length >= 1500, 15_000);
            const spans = spansOf(r);
            const servers = new Map(spans.filter((s) => s.kind === 2).map((s) => [s.spanId, s]));
            assert.equal(servers.size, 500);
            const work = new Map(spans.filter((s) => s.name === 'work').map((s) => [s.spanId, s]));
            assert.equal(work.size, 500);
            for (const w of work.values()) {
              const server = servers.get(w.parentSpanId);
              assert.ok(server, 'work span has a server parent');
              assert.equal(server.attributes['url.path'], `/c/${w.attributes['req.id']}`);
              assert.equal(server.traceId, w.traceId);
            }
            for (const i of spans.filter((s) => s.name === 'inner')) {
              assert.equal(work.get(i.parentSpanId)?.attributes['req.id'], i.attributes['req.id']);
            }
          } finally {
            await app.stop();
          }
        }),
    },
    {
      name: `${rt.name}: a failing backend (500, refused) does not change the response`,
      run: () =>
        withReceiver(rt, async (r) => {
          r.status = 500;
          const failing = createMonitor({
            serviceName: 'fail',
            backends: [
              new OtlpBackend({ endpoint: r.url, protocol: rt.protocol, retry: { maxAttempts: 1 } }),
              new OtlpBackend({ endpoint: 'http://127.0.0.1:9', protocol: rt.protocol, retry: { maxAttempts: 1 }, name: 'refused' }),
            ],
            onDiagnostic: () => {},
          });
          const app = await rt.start(() => new Response('created', { status: 201, headers: { 'x-kept': 'yes' } }), failing);
          try {
            for (let i = 0; i < 3; i++) {
              const res = await fetch(`${app.url}/x`, { method: 'POST', body: 'payload' });
              assert.equal(res.status, 201);
              assert.equal(res.headers.get('x-kept'), 'yes');
              assert.equal(await res.text(), 'created');
            }
            await app.flush();
            assert.ok(r.received.length >= 1, 'the failing receiver was tried');
          } finally {
            await app.stop();
          }
        }),
    },
    {
      name: `${rt.name}: Hono app under instrument(): one server span named by the route`,
      run: () =>
        withReceiver(rt, async (r) => {
          const monitor = monitorFor(rt, r.url);
          const hono = new Hono();
          hono.use(monitorMiddleware(monitor));
          hono.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
          hono.get('/boom', () => {
            throw new Error('boom');
          });
          const app = await rt.start((req) => hono.fetch(req), monitor);
          try {
            assert.deepEqual(await (await fetch(`${app.url}/users/42`)).json(), { id: '42' });
            assert.equal((await fetch(`${app.url}/boom`)).status, 500);
            await app.flush();
            await monitor.flush();
            await waitFor(() => spansOf(r).filter((s) => s.kind === 2).length >= 2);
            const servers = spansOf(r).filter((s) => s.kind === 2);
            assert.equal(servers.length, 2);
            const users = servers.find((s) => s.attributes['url.path'] === '/users/42')!;
            assert.equal(users.name, 'GET /users/:id');
            assert.equal(users.attributes['http.route'], '/users/:id');
            const boom = servers.find((s) => s.attributes['url.path'] === '/boom')!;
            assert.equal(boom.status, 2);
            assert.equal(boom.attributes['http.route'], '/boom');
            await waitFor(() => pointsOf(r).some((p) => p.metric === 'http.server.request.duration' && p.attributes['http.route'] === '/users/:id'));
          } finally {
            await app.stop();
          }
        }),
    },
  ];
}
