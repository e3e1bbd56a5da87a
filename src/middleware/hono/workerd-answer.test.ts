/**
 * In real workerd (miniflare): a Hono app under the Workers instrument() (through handleRequest)
 * with monitorMiddleware registered after a middleware that throws after next(): Hono's onError
 * answers 500 once the middleware has returned. The adapter's span records it as a handler's throw
 * is recorded (ERROR, one exception event), and the web.request hook fires once with the 500 sent
 * and the error; a plain request fires it once, with 200.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const WORKER = `
import { Hono } from 'hono';
import { instrument } from '../../../runtimes/cloudflare-workers/index.ts';
import { HookRegistry } from '../../hooks/registry.ts';
import { monitorMiddleware } from './index.ts';
import { createTestMonitor } from '../../testing/index.ts';

const { monitor, memory } = createTestMonitor({ batchWindowMs: 0 });
const hooks = new HookRegistry();
const seen = [];
hooks.on('web.request', (e) => void seen.push([e.route, e.status, e.error instanceof Error ? e.error.message : e.error ?? null]));
monitor.subscribeHooks(hooks);
const app = new Hono();
app.use('/x/*', async (_c, next) => {
  await next();
  throw new Error('after next');
});
app.use(monitorMiddleware(monitor));
app.get('/x/:id', (c) => c.text('x'));
app.get('/ok', (c) => c.text('ok'));
app.onError((_e, c) => c.text('failed', 500));
const instrumented = instrument(app, monitor);
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== '/seen') return instrumented.fetch(request, env, ctx);
    const spans = memory.spans.filter((s) => s.kind === 2).map((s) => ({
      name: s.name,
      status: s.status.code,
      message: s.status.message ?? null,
      code: s.attributes['http.response.status_code'],
      exceptions: s.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message']),
    }));
    return Response.json({ seen, spans });
  },
};
`;

let mf: Miniflare;
beforeAll(async () => {
  const out = await build({
    stdin: { contents: WORKER, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts', sourcefile: 'worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: ['cloudflare:*', 'node:*'],
  });
  mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: out.outputFiles[0]!.text }], compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] });
  await mf.ready;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

async function status(path: string): Promise<number> {
  const res = await mf.dispatchFetch(`http://worker.test${path}`);
  await res.text();
  return res.status;
}

test('workerd + Hono: a throw after next() before monitorMiddleware: span ERROR with its exception, hook once with 500 and the error; a plain request: hook once with 200', async () => {
  expect([await status('/x/1'), await status('/ok')]).toEqual([500, 200]);
  let got: { seen: unknown[]; spans: { name: string }[] } = { seen: [], spans: [] };
  for (let i = 0; i < 100 && got.spans.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 20));
    got = (await (await mf.dispatchFetch('http://worker.test/seen')).json()) as typeof got;
  }
  expect(got.seen).toEqual([
    ['/x/:id', 500, 'after next'],
    ['/ok', 200, null],
  ]);
  expect(got.spans).toEqual([
    { name: 'GET /x/:id', status: 2, message: 'after next', code: 500, exceptions: ['after next'] },
    { name: 'GET /ok', status: 0, message: null, code: 200, exceptions: [] },
  ]);
}, 30_000);
