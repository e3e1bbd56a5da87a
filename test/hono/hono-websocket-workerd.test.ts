/**
 * In workerd (miniflare): a WebSocket upgrade through monitorMiddleware alone, with Hono's
 * `upgradeWebSocket` from hono/cloudflare-workers. The 101 and its `webSocket` reach the client
 * untouched (also with `waitForBody`, which must not wrap a 101), the socket works, and the
 * SERVER span is named by the route with status 101, not an error.
 */
import type { Miniflare } from 'miniflare';
import { startInlineWorker } from '../../runtimes/cloudflare-workers/test/helpers/workerd.js';
import { afterAll, beforeAll, expect, test } from 'vitest';

const WORKER = `
import { Hono } from 'hono';
import { upgradeWebSocket } from 'hono/cloudflare-workers';
import { createMonitor } from '../../src/index.js';
import { MemoryBackend } from '../../src/testing/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
const memory = new MemoryBackend();
const monitor = createMonitor({ serviceName: 'w', backends: [memory], onDiagnostic: () => {} });
const app = new Hono();
app.use('/plain/*', monitorMiddleware(monitor));
app.use('/body/*', monitorMiddleware(monitor, { waitForBody: true }));
const ws = upgradeWebSocket(() => ({ onMessage: (e, s) => (s.send('echo ' + e.data), s.close(1000, 'done')) }));
app.get('/plain/ws/:room', ws);
app.get('/body/ws/:room', ws);
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__telemetry') {
      return Response.json(memory.spans.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code'], s.status.code, s.attributes['error.type'] ?? null]));
    }
    return app.fetch(request, env, ctx);
  },
};
`;

let mf: Miniflare;

beforeAll(async () => {
  mf = await startInlineWorker(WORKER, import.meta.url);
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

test('workerd: a WebSocket upgrade answers 101 with its socket, recorded as a 101 of its route, with or without waitForBody', async () => {
  for (const prefix of ['plain', 'body']) {
    const res = await mf.dispatchFetch(`http://w/${prefix}/ws/a`, { headers: { Upgrade: 'websocket' } });
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    expect(socket).toBeTruthy();
    socket.accept();
    const got = new Promise<string>((resolve) => socket.addEventListener('message', (e) => resolve(String(e.data))));
    socket.send('hi');
    const closed = new Promise<number>((resolve) => socket.addEventListener('close', (e) => resolve(e.code)));
    expect(await got).toBe('echo hi');
    expect(await closed).toBe(1000);
  }
  let spans: unknown[] = [];
  for (let i = 0; i < 100 && spans.length < 2; i++) {
    spans = (await (await mf.dispatchFetch('http://w/__telemetry')).json()) as unknown[];
    if (spans.length < 2) await new Promise((r) => setTimeout(r, 20));
  }
  expect(spans).toEqual([
    ['GET /plain/ws/:room', '/plain/ws/:room', 101, 0, null],
    ['GET /body/ws/:room', '/body/ws/:room', 101, 0, null],
  ]);
}, 30_000);
