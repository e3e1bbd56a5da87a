// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
/**
 * A Hono app under instrument() on Deno.serve with monitorMiddleware registered after a middleware
 * that throws after next(): Hono's onError answers 500 once the middleware has returned. The
 * adapter's span records it as a handler's throw is recorded (ERROR, one exception event), and the
 * web.request hook fires once with the 500 sent and the error. A plain request fires it once, 200.
 */
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { HookRegistry } from '../../../src/hooks/registry.ts';
import type { WebRequestEvent } from '../../../src/hooks/events.ts';
import { monitorMiddleware } from '../../../src/middleware/hono/index.ts';
import { SpanKind, SpanStatus } from '../../../src/model/span-data.ts';
import { createTestMonitor } from '../../../src/testing/index.ts';
import { instrument } from '../index.ts';

declare const Deno: any;

const boom = new Error('after next');

async function serveOnce(path: string) {
  const { monitor, memory } = createTestMonitor();
  const hooks = new HookRegistry();
  const seen: WebRequestEvent[] = [];
  hooks.on('web.request', (e) => void seen.push(e));
  monitor.subscribeHooks(hooks);
  const app = new Hono();
  app.use('/x/*', async (_c, next) => {
    await next();
    throw boom;
  });
  app.use(monitorMiddleware(monitor));
  app.get('/x/:id', (c) => c.text('x'));
  app.get('/ok', (c) => c.text('ok'));
  const h = instrument((req) => app.fetch(req), monitor, { traceFetch: false, denoOtel: 'separate' });
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
  const printed = console.error;
  console.error = () => {};
  let status: number;
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}${path}`);
    await res.text();
    status = res.status;
    await h.flush();
  } finally {
    console.error = printed;
    await server.shutdown();
    untraceGlobalFetch();
  }
  const spans = memory.spans
    .filter((s) => s.kind === SpanKind.SERVER)
    .map((s) => ({
      status: s.status.code,
      message: s.status.message,
      code: s.attributes['http.response.status_code'],
      exceptions: s.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message']),
    }));
  return { status, spans, hooks: seen.map((e) => [e.route, e.status, e.error]) };
}

Deno.test('deno + Hono: a throw after next() in a middleware before monitorMiddleware: span ERROR with its exception, hook once with 500 and the error', async () => {
  const r = await serveOnce('/x/1');
  assert.equal(r.status, 500);
  assert.deepEqual(r.spans, [{ status: SpanStatus.ERROR, message: 'after next', code: 500, exceptions: ['after next'] }]);
  assert.deepEqual(r.hooks, [['/x/:id', 500, boom]]);
});

Deno.test('deno + Hono: a plain request: the hook fires once, with 200', async () => {
  const r = await serveOnce('/ok');
  assert.equal(r.status, 200);
  assert.deepEqual(r.spans, [{ status: SpanStatus.UNSET, message: undefined, code: 200, exceptions: [] }]);
  assert.deepEqual(r.hooks, [['/ok', 200, undefined]]);
});
