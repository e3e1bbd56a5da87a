// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
/**
 * A WebSocket upgrade is recorded by what `server.upgrade()` did, not by what the request asked
 * for: an upgrade that failed (an `Upgrade: websocket` request without a valid handshake) is not
 * a 101, and one that succeeded is a 101 whatever the handler returns after it (Hono's
 * `upgradeWebSocket` from `hono/bun` returns `new Response(null)`, which Bun ignores).
 */
import { expect, test } from 'bun:test';
import { Hono } from 'hono';
import { upgradeWebSocket, websocket } from 'hono/bun';
import { createMonitor, MemoryBackend, SpanStatus } from '../../../src/index.js';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';
import { instrument, serve } from '../index.js';

declare const Bun: any;

/** A request asking for a WebSocket without the handshake Bun needs (no Sec-WebSocket-Key): upgrade() returns false. */
const NO_HANDSHAKE = { upgrade: 'websocket', connection: 'Upgrade' };

/** Sends 'ping' once the socket opens and resolves with the first message back. */
function echoOnce(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send('ping');
    ws.onmessage = (e) => {
      resolve(e.data);
      ws.close();
    };
    ws.onerror = () => reject(new Error('websocket failed'));
  });
}

/** A monitor recording in memory, and its spans once `n` arrived. */
function recorder() {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'ws', backends: [memory] });
  const spans = async (n: number) => {
    for (let i = 0; i < 200 && memory.spans.length < n; i++) {
      await monitor.flush();
      if (memory.spans.length < n) await new Promise((r) => setTimeout(r, 10));
    }
    return memory.spans;
  };
  return { memory, monitor, spans };
}

test('bun serve(): an upgrade() that failed, the handler returning nothing as for an upgrade, is recorded with the status the client got, not as a 101', async () => {
  const { memory, monitor, spans: spansOf } = recorder();
  const outcomes: boolean[] = [];
  const errors: unknown[] = [];
  const printed = console.error;
  console.error = (...a: unknown[]) => void errors.push(a);
  const server = serve(
    (req, srv) => {
      outcomes.push(srv.upgrade(req));
      return undefined;
    },
    monitor,
    { port: 0, hostname: '127.0.0.1', websocket: { message() {} }, instrumentation: { flushOnExit: false, traceFetch: false } },
  );
  let status: number;
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/ws`, { headers: NO_HANDSHAKE });
    status = res.status;
    await res.text();
  } finally {
    console.error = printed;
    server.stop(true);
  }
  expect(outcomes).toEqual([false]);
  const [span] = await spansOf(1);
  expect(span!.attributes['http.response.status_code']).not.toBe(101);
  expect(span!.attributes['http.response.status_code']).toBe(status);
  expect(status).toBe(500);
  expect(span!.status.code).toBe(SpanStatus.ERROR);
  expect(errors).toHaveLength(1);
}, 30_000);

test('bun instrument(): a failed upgrade (async handler, `this.upgrade`) is no 101; a successful one still is', async () => {
  const { memory, monitor, spans: spansOf } = recorder();
  const h = instrument(
    async function (req) {
      await null;
      this.upgrade(req);
      return undefined;
    },
    monitor,
    { traceFetch: false },
  );
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h, websocket: { message: (ws: any, m: string) => ws.send(`echo ${m}`) } });
  const printed = console.error;
  console.error = () => {};
  let failed: number;
  try {
    expect(await echoOnce(`ws://127.0.0.1:${server.port}/ok`)).toBe('echo ping');
    const res = await fetch(`http://127.0.0.1:${server.port}/bad`, { headers: NO_HANDSHAKE });
    failed = res.status;
    await res.text();
  } finally {
    console.error = printed;
    server.stop(true);
  }
  const spans = await spansOf(2);
  const byPath = (p: string) => spans.find((s) => s.attributes['url.path'] === p)!;
  expect(byPath('/ok').attributes['http.response.status_code']).toBe(101);
  expect(byPath('/ok').status.code).not.toBe(SpanStatus.ERROR);
  expect(byPath('/bad').attributes['http.response.status_code']).toBe(failed);
  expect(failed).toBe(500);
}, 30_000);

test('bun serve(): a Response returned after an upgrade that succeeded (Bun ignores it, sends the 101) is recorded as the 101, in fetch and in routes', async () => {
  const { memory, monitor, spans: spansOf } = recorder();
  const server = serve(
    (req, srv) => (srv.upgrade(req) ? new Response(null) : new Response('no upgrade', { status: 400 })),
    monitor,
    {
      port: 0,
      hostname: '127.0.0.1',
      routes: { '/room/:id': async (req, srv) => (srv.upgrade(req) ? new Response('ignored') : new Response('no', { status: 426 })) },
      websocket: { message: (ws: any, m: string) => ws.send(`echo ${m}`) },
      instrumentation: { flushOnExit: false, traceFetch: false },
    },
  );
  try {
    expect(await echoOnce(`ws://127.0.0.1:${server.port}/socket`)).toBe('echo ping');
    expect(await echoOnce(`ws://127.0.0.1:${server.port}/room/7`)).toBe('echo ping');
    expect((await fetch(`http://127.0.0.1:${server.port}/room/7`)).status).toBe(426);
  } finally {
    server.stop(true);
  }
  const spans = await spansOf(3);
  expect(spans.map((s) => `${s.name} ${s.attributes['http.response.status_code']}`).sort()).toEqual(['GET /room/:id 101', 'GET /room/:id 426', 'GET 101']);
}, 30_000);

test("bun serve((req, server) => app.fetch(req, server)): Hono's upgradeWebSocket works and is recorded as a 101 of its route, with or without waitForBody", async () => {
  for (const waitForBody of [false, true]) {
    const { memory, monitor, spans: spansOf } = recorder();
    const app = new Hono();
    app.use(monitorMiddleware({ serviceName: 'unused' }));
    app.get('/ws', upgradeWebSocket(() => ({ onMessage: (e, ws) => ws.send(`echo ${e.data}`) })));
    const server = serve((req, srv) => app.fetch(req, srv), monitor, {
      port: 0,
      hostname: '127.0.0.1',
      websocket,
      instrumentation: { flushOnExit: false, traceFetch: false, waitForBody },
    });
    try {
      expect(await echoOnce(`ws://127.0.0.1:${server.port}/ws`)).toBe('echo ping');
    } finally {
      server.stop(true);
    }
    const [span] = await spansOf(1);
    expect(span!.name).toBe('GET /ws');
    expect(span!.attributes['http.response.status_code']).toBe(101);
    expect(span!.status.code).not.toBe(SpanStatus.ERROR);
    const points = memory.getMetric('http.server.request.duration')?.points ?? [];
    expect(points.map((p) => p.attributes['http.response.status_code'])).toEqual([101]);
  }
}, 30_000);
