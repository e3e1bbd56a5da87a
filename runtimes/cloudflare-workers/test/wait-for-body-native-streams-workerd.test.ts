/**
 * `waitForBody: true` in real workerd (miniflare) with bodies workerd makes natively: a cloned
 * Response (what Hono's cache() does), a tee branch, the readable of an IdentityTransformStream or
 * a FixedLengthStream, `pipeThrough(new IdentityTransformStream())`. Each reaches the client in
 * full, as without telemetry, and its server span ends complete (not incomplete, no
 * connection_closed), through instrument() and through monitorMiddleware alone.
 */
import { Miniflare } from 'miniflare';
import { bundleSource } from './helpers/workerd.js';
import { afterAll, beforeAll, expect, test } from 'vitest';

const WORKER = `
import { Hono } from 'hono';
import { createMonitor } from '../../../src/index.js';
import { MemoryBackend } from '../../../src/testing/index.js';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';
import { instrument } from '../index.js';
const enc = new TextEncoder();
const memory = new MemoryBackend();
function body(kind, ctx) {
  const base = () => new Response('hello body');
  switch (kind) {
    case 'plain': return base();
    case 'jsstream': return new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode('js body')); c.close(); } }));
    case 'pipethrough-js': return new Response(base().body.pipeThrough(new TransformStream()));
    case 'clone': { const r = base(); ctx.waitUntil(r.clone().text()); return r; }
    case 'tee': { const [a, b] = base().body.tee(); ctx.waitUntil(new Response(b).text()); return new Response(a); }
    case 'identity': { const { readable, writable } = new IdentityTransformStream(); const w = writable.getWriter(); ctx.waitUntil(w.write(enc.encode('identity body')).then(() => w.close())); return new Response(readable); }
    case 'fixedlength': { const { readable, writable } = new FixedLengthStream(5); const w = writable.getWriter(); ctx.waitUntil(w.write(enc.encode('12345')).then(() => w.close())); return new Response(readable); }
    case 'pipethrough-identity': return new Response(base().body.pipeThrough(new IdentityTransformStream()));
  }
  return new Response('not found', { status: 404 });
}
const instrumented = instrument(
  { fetch: (request, env, ctx) => body(new URL(request.url).pathname.split('/')[2], ctx) },
  () => ({ serviceName: 'w', backends: [memory], onDiagnostic: () => {} }),
  { waitForBody: true },
);
const monitor = createMonitor({ serviceName: 'h', backends: [memory], onDiagnostic: () => {} });
const app = new Hono();
app.use(monitorMiddleware(monitor, { waitForBody: true }));
// What Hono's cache() does with the answer: a clone of it stored in waitUntil.
app.use('/hono/cached/*', async (c, next) => { await next(); c.executionCtx.waitUntil(c.res.clone().text()); });
app.get('/hono/cached/:kind', (c) => body(c.req.param('kind'), c.executionCtx));
app.get('/hono/:kind', (c) => body(c.req.param('kind'), c.executionCtx));
export default {
  fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === '/__telemetry') {
      return Response.json(memory.spans.filter((s) => s.kind === 2).map((s) => ({ path: s.attributes['url.path'], incomplete: s.attributes['http.response.body.incomplete'] ?? null, errorType: s.attributes['error.type'] ?? null, code: s.status.code })));
    }
    return (path.startsWith('/hono/') ? app : instrumented).fetch(request, env, ctx);
  },
};
`;

const EXPECTED: Record<string, string> = {
  plain: 'hello body',
  jsstream: 'js body',
  'pipethrough-js': 'hello body',
  clone: 'hello body',
  tee: 'hello body',
  identity: 'identity body',
  fixedlength: '12345',
  'pipethrough-identity': 'hello body',
};

let mf: Miniflare;

beforeAll(async () => {
  const contents = await bundleSource(WORKER, import.meta.url);
  mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents }], compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

interface ServerSpan {
  path: string;
  incomplete: boolean | null;
  errorType: string | null;
  code: number;
}

async function get(path: string): Promise<string> {
  const res = await mf.dispatchFetch(`http://w${path}`, { signal: AbortSignal.timeout(5000) });
  expect(res.status, path).toBe(200);
  return res.text();
}

async function spanOf(path: string): Promise<ServerSpan | undefined> {
  for (let i = 0; i < 100; i++) {
    const spans = (await (await mf.dispatchFetch('http://w/__telemetry')).json()) as ServerSpan[];
    const span = spans.find((s) => s.path === path);
    if (span) return span;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

for (const prefix of ['/worker', '/hono', '/hono/cached']) {
  test(`waitForBody (${prefix}): every kind of body reaches the client in full, its server span complete`, async () => {
    const got: Record<string, string | Error> = {};
    for (const kind of Object.keys(EXPECTED)) got[kind] = await get(`${prefix}/${kind}`).catch((e: Error) => e);
    expect(got).toEqual(EXPECTED);
    for (const kind of Object.keys(EXPECTED)) {
      const span = await spanOf(`${prefix}/${kind}`);
      expect(span, kind).toEqual({ path: `${prefix}/${kind}`, incomplete: null, errorType: null, code: 0 });
    }
  }, 60_000);
}
