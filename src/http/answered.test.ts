/**
 * whenAnswered / answeredWith: what a middleware describing an adapter's server span (Hono's)
 * defers until the status sent is known runs exactly once on every path: told by the adapter, the
 * scope closed without a word (an adapter that knows nothing of it), a scope closed before the
 * middleware returned (a client that left, a Lambda timeout), a handler's throw, a watched body.
 * Alone (its own scope) the middleware emits the web.request hook as it returns, as before.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { describe, expect, test, vi } from 'vitest';
import { wrapFunction } from '../../runtimes/serverless/index.js';
import { instrument } from '../../runtimes/node/index.js';
import { contextStorage } from '../context/active.js';
import { HookRegistry } from '../hooks/registry.js';
import type { WebRequestEvent } from '../hooks/events.js';
import { monitorMiddleware } from '../middleware/hono/index.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { answeredWith, handleRequest, whenAnswered } from './handle-request.js';

describe('whenAnswered', () => {
  test('runs once, with what answeredWith says; a second answer and the close run nothing more', async () => {
    const { monitor } = createTestMonitor();
    const scope = monitor.openScope();
    const calls: unknown[] = [];
    whenAnswered(scope, (status, error) => calls.push([status, error]));
    expect(calls).toEqual([]);
    const boom = new Error('x');
    answeredWith(scope, 503, boom);
    answeredWith(scope, 200);
    await scope.close();
    await scope.close();
    expect(calls).toEqual([[503, boom]]);
  });

  test('an adapter that never calls answeredWith: it runs once when the scope closes', async () => {
    const { monitor } = createTestMonitor();
    const scope = monitor.openScope();
    const calls: unknown[] = [];
    whenAnswered(scope, (status) => calls.push(status));
    const p = scope.close();
    expect(calls).toEqual([undefined]);
    expect(scope.close()).toBe(p);
    answeredWith(scope, 200);
    expect(calls).toEqual([undefined]);
  });

  test('a scope closed already: it runs at once', async () => {
    const { monitor } = createTestMonitor();
    const scope = monitor.openScope();
    await scope.close();
    const calls: unknown[] = [];
    whenAnswered(scope, (status) => calls.push(status));
    expect(calls).toEqual([undefined]);
  });

  test('two waiting on one scope both run, once; one that throws does not stop the other nor the close', async () => {
    const { monitor } = createTestMonitor();
    const scope = monitor.openScope();
    const calls: unknown[] = [];
    whenAnswered(scope, () => {
      calls.push('a');
      throw new Error('listener');
    });
    whenAnswered(scope, () => calls.push('b'));
    answeredWith(scope, 200);
    await scope.close();
    expect(calls).toEqual(['a', 'b']);
  });
});

const boom = new Error('after next');

function honoApp() {
  const { monitor, memory } = createTestMonitor();
  const hooks = new HookRegistry();
  const seen: WebRequestEvent[] = [];
  hooks.on('web.request', (e) => void seen.push(e));
  monitor.subscribeHooks(hooks);
  const app = new Hono();
  /** How many hooks had fired when the middleware registered before monitorMiddleware got control back. */
  const atReturn: number[] = [];
  app.use('*', async (_c, next) => {
    await next();
    atReturn.push(seen.length);
  });
  app.use('/x/*', async (_c, next) => {
    await next();
    throw boom;
  });
  app.use(monitorMiddleware(monitor));
  app.get('/x/:id', (c) => c.text('x'));
  app.get('/ok', (c) => c.text('ok'));
  app.get('/raw', () => {
    // Not an Error: Hono rethrows it past onError, to the adapter.
    throw 'raw';
  });
  app.get('/slow', async (c) => {
    await new Promise((r) => setTimeout(r, 150));
    return c.text('late');
  });
  app.get('/stream', () => {
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        await new Promise((r) => setTimeout(r, 10));
        ctl.enqueue(new TextEncoder().encode('chunk'));
        ctl.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  });
  const hooked = () => seen.map((e) => [e.route, e.status, e.error]);
  const servers = () => memory.spans.filter((s) => s.kind === SpanKind.SERVER);
  return { monitor, app, seen, atReturn, hooked, servers };
}

describe('monitorMiddleware under an adapter: the hook once on every path', () => {
  test('alone (no adapter), the hook is emitted by the middleware as it returns, as before', async () => {
    const { app, atReturn, hooked } = honoApp();
    expect((await app.request('/ok')).status).toBe(200);
    expect(atReturn).toEqual([1]);
    expect(hooked()).toEqual([['/ok', 200, undefined]]);
  });

  test('under an adapter it waits for the answer: a throw after next() is the 500 sent', async () => {
    const { monitor, app, atReturn, hooked, servers } = honoApp();
    const h = instrument((req) => app.fetch(req), monitor, { traceFetch: false });
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await h(new Request('http://h/x/1'), undefined)).status).toBe(500);
    } finally {
      printed.mockRestore();
    }
    expect(atReturn).toEqual([0]);
    expect(hooked()).toEqual([['/x/:id', 500, boom]]);
    expect(servers().map((s) => [s.status.code, s.events.filter((e) => e.name === 'exception').length])).toEqual([[SpanStatus.ERROR, 1]]);
    await h.flush();
    expect(hooked()).toHaveLength(1);
  });

  test('a handler that throws past onError (not an Error): hook once, 500 and what it threw; one exception event', async () => {
    const { monitor, app, hooked, servers } = honoApp();
    const h = instrument((req) => app.fetch(req), monitor, { traceFetch: false });
    await expect(h(new Request('http://h/raw'), undefined)).rejects.toBe('raw');
    await h.flush();
    expect(hooked()).toEqual([['/raw', 500, 'raw']]);
    expect(servers().map((s) => [s.status.code, s.events.filter((e) => e.name === 'exception').length])).toEqual([[SpanStatus.ERROR, 1]]);
  });

  test('a watched body (waitForBody): hook once, when the status is sent; the span ends with the body', async () => {
    const { monitor, app, hooked, servers } = honoApp();
    const h = instrument((req) => app.fetch(req), monitor, { traceFetch: false, waitForBody: true });
    const res = await h(new Request('http://h/stream'), undefined);
    expect(hooked()).toEqual([['/stream', 200, undefined]]);
    expect(servers()).toHaveLength(0);
    expect(await res.text()).toBe('chunk');
    await h.flush();
    expect(hooked()).toEqual([['/stream', 200, undefined]]);
    expect(servers().map((s) => s.attributes['http.response.status_code'])).toEqual([200]);
  });

  test('a client that left (no status sent): hook once, with the status the app answered', async () => {
    const { monitor, app, hooked, servers } = honoApp();
    const h = instrument(
      async (req, _info, t) => {
        const res = await app.fetch(req);
        t.scope.unanswered = true;
        return res;
      },
      monitor,
      { traceFetch: false },
    );
    await h(new Request('http://h/ok'), undefined);
    await h.flush();
    expect(hooked()).toEqual([['/ok', 200, undefined]]);
    expect(servers().map((s) => [s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([[undefined, 'connection_closed']]);
  });

  test('an adapter that answers before the handler is done (the scope closed first): hook once, when the middleware returns', async () => {
    const { monitor, app, hooked } = honoApp();
    let finished!: Promise<Response>;
    await handleRequest(monitor, new Request('http://h/slow'), (req) => {
      finished = Promise.resolve(app.fetch(req));
      return new Response(null, { status: 503 });
    });
    expect(hooked()).toEqual([]);
    await finished;
    expect(hooked()).toEqual([['/slow', 200, undefined]]);
  });

  test('an adapter of its own that sets serverSpan and only closes the scope: hook once, at the close', async () => {
    const { monitor, app, hooked } = honoApp();
    const scope = monitor.openScope();
    const span = monitor.tracer.startSpan('server', { kind: SpanKind.SERVER, scope });
    scope.serverSpan = span;
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect((await contextStorage().run({ scope, span }, () => app.fetch(new Request('http://h/x/1'), undefined))).status).toBe(500);
    } finally {
      printed.mockRestore();
    }
    expect(hooked()).toEqual([]);
    span.end();
    await scope.close();
    await scope.close();
    expect(hooked()).toEqual([['/x/:id', 500, boom]]);
  });

  test('a Lambda invocation recorded as timed out before the handler answered: hook once', async () => {
    const { monitor, app, hooked } = honoApp();
    const h = wrapFunction(handle(app) as never, monitor, { timeoutMarginMs: 150 }) as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
    const event = { version: '2.0', rawPath: '/slow', rawQueryString: '', routeKey: '$default', headers: { host: 'h' }, requestContext: { http: { method: 'GET', path: '/slow' }, domainName: 'h' }, isBase64Encoded: false };
    const out = await h(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 200 });
    expect(out.statusCode).toBe(200);
    expect(hooked()).toEqual([['/slow', 200, undefined]]);
  });
});
