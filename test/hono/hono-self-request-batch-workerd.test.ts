/**
 * In workerd (miniflare, nodejs_compat): under instrument() with a batch window, a Hono handler calls
 * `app.request('/internal')` without an execution context. That inner request's scope closes
 * within the window with no `waitUntil` to hold it, and became the batch's carrier; workerd drops
 * the timers of a request that has ended, so the carrier never exported and stayed set: every later
 * request closing within a window handed its data to it, and each burst's tail waited for the next
 * burst (lost if the isolate were evicted). A later request now carries in its place.
 */
import { Miniflare } from 'miniflare';
import { bundleSource } from '../../runtimes/cloudflare-workers/test/helpers/workerd.js';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';

const WORKER = `
import { Hono } from 'hono';
import { createMonitor } from '../../src/index.js';
import { MemoryBackend } from '../../src/testing/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { instrument } from '../../runtimes/cloudflare-workers/index.js';
const memory = new MemoryBackend();
const monitor = createMonitor({ serviceName: 'w', backends: [memory], batchWindowMs: 100, onDiagnostic: () => {} });
const app = new Hono();
app.use(monitorMiddleware(monitor));
app.get('/internal', (c) => c.text('in'));
app.get('/outer', async (c) => c.text(await (await app.request('/internal', {}, c.env)).text()));
app.get('/items/:id', (c) => c.text(c.req.param('id')));
app.get('/fetching', async (c) => c.text(await (await fetch(c.env.UPSTREAM)).text()));
app.get('/outer-fetch', async (c) => c.text(await (await app.request('/fetching', {}, c.env)).text()));
const worker = instrument({ fetch: (req, env, ctx) => app.fetch(req, env, ctx) }, () => monitor);
export default {
  fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === '/__telemetry') return Response.json(memory.spans.map((s) => s.name + ' ' + (s.attributes['url.path'] ?? '')));
    if (path === '/__spans') return Response.json(memory.spans.map((s) => ({ name: s.name, kind: s.kind, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId })));
    return worker.fetch(request, env, ctx);
  },
};
`;

let mf: Miniflare;
let upstream: Server;
const traceparents: (string | undefined)[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    traceparents.push(req.headers.traceparent as string | undefined);
    res.end('up');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const contents = await bundleSource(WORKER, import.meta.url);
  const port = (upstream.address() as { port: number }).port;
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: { UPSTREAM: `http://127.0.0.1:${port}/` },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  upstream?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function exported(path: string): Promise<string[]> {
  let seen: string[] = [];
  for (let i = 0; i < 100 && !seen.some((s) => s.endsWith(' ' + path)); i++) {
    seen = (await (await mf.dispatchFetch('http://w/__telemetry')).json()) as string[];
    await sleep(20);
  }
  return seen;
}

test('workerd: after a self-request without an execution context, a request ending within the window still leaves with its own waitUntil', async () => {
  expect(await (await mf.dispatchFetch('http://w/items/a')).text()).toBe('a');
  expect(await exported('/items/a')).toContain('GET /items/:id /items/a');
  // Within the window of that export: the inner request's scope, held by no waitUntil, defers first.
  expect(await (await mf.dispatchFetch('http://w/outer')).text()).toBe('in');
  await sleep(200);
  // Past the window: exported at once, with what waited.
  expect(await (await mf.dispatchFetch('http://w/items/b')).text()).toBe('b');
  // Within the window of that export: deferred, and carried by its own request.
  expect(await (await mf.dispatchFetch('http://w/items/c')).text()).toBe('c');
  const seen = await exported('/items/c');
  expect(seen).toContain('GET /items/:id /items/b');
  expect(seen).toContain('GET /items/:id /items/c');
  expect(seen.filter((s) => s.includes('/internal'))).toHaveLength(1);
}, 30_000);

test('workerd: a fetch inside a self-request made without an execution context is traced, a child of the inner request, and sends its traceparent', async () => {
  await sleep(200);
  expect(await (await mf.dispatchFetch('http://w/outer-fetch')).text()).toBe('up');
  let spans: { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string }[] = [];
  for (let i = 0; i < 100 && !spans.some((s) => s.kind === 3); i++) {
    spans = (await (await mf.dispatchFetch('http://w/__spans')).json()) as typeof spans;
    await sleep(20);
  }
  const outer = spans.find((s) => s.name === 'GET /outer-fetch')!;
  const inner = spans.find((s) => s.name === 'GET /fetching')!;
  const client = spans.find((s) => s.kind === 3)!;
  expect(inner.parentSpanId).toBe(outer.spanId);
  expect(client).toMatchObject({ name: 'GET', traceId: outer.traceId, parentSpanId: inner.spanId });
  expect(traceparents.at(-1)).toBe(`00-${outer.traceId}-${client.spanId}-01`);
}, 30_000);
