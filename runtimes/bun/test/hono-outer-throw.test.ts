// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
/**
 * A Hono app under instrument() on Bun.serve with monitorMiddleware registered after a middleware
 * that throws after next(): Hono's onError answers 500 once the middleware has returned. The
 * adapter's span records it as a handler's throw is recorded (ERROR, one exception event), and the
 * web.request hook fires once with the 500 sent and the error. A plain request fires it once, 200.
 */
import { afterAll, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { HookRegistry } from '../../../src/hooks/registry.js';
import type { WebRequestEvent } from '../../../src/hooks/events.js';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';
import { SpanKind, SpanStatus } from '../../../src/model/span-data.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument } from '../index.js';

declare const Bun: any;

afterAll(() => untraceGlobalFetch());

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
  const h = instrument((req) => app.fetch(req), monitor, { traceFetch: false });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  const printed = console.error;
  console.error = () => {};
  let status: number;
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    await res.text();
    status = res.status;
    await h.flush();
  } finally {
    console.error = printed;
    server.stop(true);
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

test('bun + Hono: a throw after next() in a middleware before monitorMiddleware: span ERROR with its exception, hook once with 500 and the error', async () => {
  const r = await serveOnce('/x/1');
  expect(r.status).toBe(500);
  expect(r.spans).toEqual([{ status: SpanStatus.ERROR, message: 'after next', code: 500, exceptions: ['after next'] }]);
  expect(r.hooks).toEqual([['/x/:id', 500, boom]]);
});

test('bun + Hono: a plain request: the hook fires once, with 200', async () => {
  const r = await serveOnce('/ok');
  expect(r.status).toBe(200);
  expect(r.spans).toEqual([{ status: SpanStatus.UNSET, message: undefined, code: 200, exceptions: [] }]);
  expect(r.hooks).toEqual([['/ok', 200, undefined]]);
});
