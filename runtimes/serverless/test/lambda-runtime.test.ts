/**
 * wrapFunction as the Lambda Node runtime calls it (aws-lambda-nodejs-runtime-interface-client):
 * a response stream's status, a callback-style handler answering through the runtime's callback,
 * and a route set by the app's router (the Hono middleware).
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterEach, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const lambdaContext = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
const functionUrlEvent = (path: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'abc.lambda-url.eu-west-1.on.aws' },
  isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1' }, domainName: 'abc.lambda-url.eu-west-1.on.aws', stage: '$default', requestId: 'x' },
});
const durationPoints = (monitor: ReturnType<typeof createTestMonitor>['monitor']) =>
  monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points.map((p) => p.attributes);

/**
 * The response stream the runtime passes a streaming handler: a Writable seen through an object
 * whose `_onBeforeFirstWrite` reads and writes the inner stream's (response-stream.ts), and whose
 * first write calls that hook first (it stays set after it).
 */
type ResponseStream = Writable & { contentType: string; setContentType(t: string): void; _onBeforeFirstWrite?: (write: (c: unknown) => void) => void };
function responseStream(): { stream: ResponseStream; sent: () => string } {
  const chunks: Buffer[] = [];
  let ready = true;
  const inner = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ready && typeof stream._onBeforeFirstWrite === 'function') stream._onBeforeFirstWrite((c) => chunks.push(Buffer.from(c as string)));
      ready = false;
      chunks.push(chunk);
      cb();
    },
  });
  const stream: ResponseStream = Object.assign(inner, { contentType: 'application/octet-stream', setContentType(t: string) { stream.contentType = t; } });
  return { stream, sent: () => Buffer.concat(chunks).toString().replace(/\0/g, '.') };
}

/** awslambda.HttpResponseStream.from, as the runtime defines it (http-response-stream.ts). */
const HttpResponseStream = {
  from<S extends { setContentType(t: string): void; _onBeforeFirstWrite?: unknown }>(stream: S, prelude: Record<string, unknown>): S {
    stream.setContentType('application/vnd.awslambda.http-integration-response');
    const metadataPrelude = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write: (c: unknown) => void) => {
      write(metadataPrelude);
      write(new Uint8Array(8));
    };
    return stream;
  },
};

test('a response-streaming handler: the status (and captured headers) are what it set with HttpResponseStream.from, 200 only when it set none; on the span as on the metric', async () => {
  const { monitor, memory } = createTestMonitor();
  const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
  const handler = wrapFunction(
    Object.assign(
      async (event: { rawPath: string }, rs: ResponseStream, _context: unknown) => {
        if (event.rawPath === '/down') rs = HttpResponseStream.from(rs, { statusCode: 503, headers: { 'content-type': 'text/plain', 'retry-after': '30' } });
        if (event.rawPath === '/created') rs = HttpResponseStream.from(rs, { statusCode: 201 });
        await pipeline(Readable.from(['a ', 'body']), rs);
      },
      { [STREAMING]: 'response' },
    ),
    monitor,
    { captureHeaders: { responseHeaders: ['retry-after'] } },
  );
  const sent: string[] = [];
  for (const path of ['/down', '/created', '/plain']) {
    const { stream, sent: body } = responseStream();
    await handler(functionUrlEvent(path), stream, lambdaContext(path));
    sent.push(body());
  }
  // The stream reached the runtime as the handler wrote it: the prelude once, before the body.
  expect(sent).toEqual(['{"statusCode":503,"headers":{"content-type":"text/plain","retry-after":"30"}}........a body', '{"statusCode":201}........a body', 'a body']);
  expect(memory.spans.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.status.code, s.attributes['error.type'], s.attributes['http.response.header.retry-after']])).toEqual([
    ['/down', 503, 2, '503', ['30']],
    ['/created', 201, 0, undefined, undefined],
    ['/plain', 200, 0, undefined, undefined],
  ]);
  expect(durationPoints(monitor).map((a) => a['http.response.status_code']).sort()).toEqual([200, 201, 503]);
});

test("a Hono app behind a function URL (hono/aws-lambda's handle and streamHandle): the request metric has the route the middleware set on the span; a streamed answer its status", async () => {
  const { Hono } = await import('hono');
  const { handle } = await import('hono/aws-lambda');
  const { monitorMiddleware } = await import('../../../src/middleware/hono/index.js');
  const { monitor, memory } = createTestMonitor();
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/gone/:id', (c) => c.text('gone', 410));
  const handler = wrapFunction(handle(app), monitor);
  const result = (await handler(functionUrlEvent('/users/7') as never, lambdaContext('h-1') as never)) as { statusCode: number };
  expect(result.statusCode).toBe(200);
  // Hono's streaming handler too (it answers through HttpResponseStream.from), under the runtime's `awslambda` global.
  const { streamHandle } = await import('hono/aws-lambda');
  const globals = globalThis as { awslambda?: unknown };
  globals.awslambda = { streamifyResponse: <F>(f: F) => f, HttpResponseStream };
  try {
    const { stream, sent } = responseStream();
    await wrapFunction(streamHandle(app), monitor)(functionUrlEvent('/gone/7') as never, stream as never, lambdaContext('h-2') as never);
    expect(sent()).toMatch(/^\{"statusCode":410,.*gone$/);
  } finally {
    delete globals.awslambda;
  }
  expect(memory.spans.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code']])).toEqual([
    ['GET /users/:id', '/users/:id', 200],
    ['GET /gone/:id', '/gone/:id', 410],
  ]);
  expect(durationPoints(monitor).map((a) => [a['http.route'], a['http.response.status_code']])).toEqual([
    ['/users/:id', 200],
    ['/gone/:id', 410],
  ]);
});

type Posted = { error?: unknown; result?: unknown };
type RuntimeCallback = (err: unknown, result?: unknown) => void;

/**
 * One invocation as the Lambda Node runtime makes it through Node 22 (Runtime.ts handleOnce and
 * CallbackContext.js): `handler(event, context, callback)`; a returned Promise is answered at once
 * (context.succeed / fail), otherwise the callback answers: with callbackWaitsForEmptyEventLoop
 * (the default) only once the event loop is empty ('beforeExit'), and if it is never called the
 * runtime answers null then. Only the first answer counts. `log` gets 'callback' and 'posted'.
 */
function invokeAsRuntime(handler: (...args: never[]) => unknown, event: unknown, id: string, log: string[], invocationContext: object = lambdaContext(id)) {
  let waitForEmptyEventLoop = true;
  let finished = false;
  let post!: (p: Posted) => void;
  const posted = new Promise<Posted>((resolve) => (post = (p) => (log.push('posted'), process.off('beforeExit', onBeforeExit), resolve(p))));
  let beforeExit: (() => void) | undefined = () => post({ result: null });
  const onBeforeExit = (): void => beforeExit?.();
  process.on('beforeExit', onBeforeExit);
  const once = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): void => {
    if (!finished) {
      finished = true;
      f(...a);
    }
  };
  const done = (err: unknown, result?: unknown): void => {
    beforeExit = undefined;
    post(err !== undefined && err !== null ? { error: err } : { result });
  };
  const callback = once((err: unknown, result?: unknown) => {
    log.push('callback');
    beforeExit = undefined;
    if (err !== undefined && err !== null) post({ error: err });
    else if (!waitForEmptyEventLoop) post({ result });
    else beforeExit = () => setImmediate(() => post({ result }));
  });
  const context = {
    ...invocationContext,
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(v: boolean) {
      waitForEmptyEventLoop = v;
    },
    succeed: once((result: unknown) => done(null, result)),
    fail: once((err: unknown) => done(err ?? 'handled')),
  };
  let returned: unknown;
  try {
    returned = (handler as (...args: unknown[]) => unknown)(event, context, callback);
    if (returned instanceof Promise) returned.then(context.succeed, context.fail);
  } catch (err) {
    callback(err);
  }
  return { returned, posted };
}

test('a callback-style handler called by the Lambda runtime answers through the runtime\'s callback, after the export: work after callback() still runs before the answer (callbackWaitsForEmptyEventLoop)', async () => {
  const { monitor, memory } = createTestMonitor();
  const log: string[] = [];
  let release!: () => void;
  const background = new Promise<void>((r) => (release = r)).then(() => log.push('audit written'));
  const handler = wrapFunction((_event: unknown, _context: unknown, callback: RuntimeCallback) => {
    callback(null, { statusCode: 200 });
    // after-response work: the runtime answers only once it is done (the event loop empty)
    void background;
  }, monitor);
  const { returned, posted } = invokeAsRuntime(handler, functionUrlEvent('/a'), 'cb-1', log);
  // No promise: a promise would be answered as soon as it resolves, before the work after callback().
  expect(returned).toBeUndefined();
  const callbackCalled = new Promise<void>((resolve) => {
    const check = (): void => void (log.includes('callback') || log.includes('posted') ? resolve() : setImmediate(check));
    check();
  });
  await callbackCalled;
  expect(log).toEqual(['callback']);
  // Exported before the runtime got the result.
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.attributes['http.response.status_code']])).toEqual([['cb-1', 200]]);
  release();
  await background;
  process.emit('beforeExit', 0); // the event loop is empty
  expect(await posted).toEqual({ result: { statusCode: 200 } });
  expect(log).toEqual(['callback', 'audit written', 'posted']);
});

test('under the Lambda runtime: callbackWaitsForEmptyEventLoop = false answers at the callback; an error reaches the runtime as one; an async handler is answered through its promise; a handler that never calls back is answered by the runtime alone', async () => {
  const { monitor, memory } = createTestMonitor();
  type Ctx = { callbackWaitsForEmptyEventLoop: boolean };
  const noWait = wrapFunction((_e: unknown, context: Ctx, callback: RuntimeCallback) => {
    context.callbackWaitsForEmptyEventLoop = false;
    setTimeout(() => callback(null, 'fast'), 1);
  }, monitor);
  const failing = wrapFunction((_e: unknown, _c: Ctx, callback: RuntimeCallback) => void setTimeout(() => callback(new RangeError('bad')), 1), monitor);
  const asyncFn = wrapFunction(async (_e: unknown, _c: unknown) => 'async', monitor);
  const silent = wrapFunction((_e: unknown, _c: Ctx, _callback: RuntimeCallback) => {}, monitor);

  const log: string[] = [];
  const a = invokeAsRuntime(noWait, {}, 'no-wait', log);
  expect([a.returned, await a.posted]).toEqual([undefined, { result: 'fast' }]);
  const b = invokeAsRuntime(failing, {}, 'failing', log);
  expect(b.returned).toBeUndefined();
  const failed = await b.posted;
  expect(failed.error).toBeInstanceOf(RangeError);
  const c = invokeAsRuntime(asyncFn, {}, 'async', log);
  expect(c.returned).toBeInstanceOf(Promise);
  expect(await c.posted).toEqual({ result: 'async' });
  expect(log).toEqual(['callback', 'posted', 'callback', 'posted', 'posted']);

  const d = invokeAsRuntime(silent, {}, 'silent', log);
  expect(d.returned).toBeUndefined();
  process.emit('beforeExit', 0);
  expect(await d.posted).toEqual({ result: null });
  // The span still ends then and is exported; the runtime's callback is left alone (it answered already).
  await vi.waitFor(() => expect(memory.spans).toHaveLength(4));
  await new Promise((r) => setImmediate(r));
  expect(log.slice(5)).toEqual(['posted']);
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type']])).toEqual([
    ['no-wait', 0, undefined],
    ['failing', 2, 'RangeError'],
    ['async', 0, undefined],
    ['silent', 0, undefined],
  ]);
});

test('a handler that returns a promise and calls back first is answered as the runtime answers it: by the callback, after the work left running (callbackWaitsForEmptyEventLoop), not when the promise settles', async () => {
  const { monitor, memory } = createTestMonitor();
  const log: string[] = [];
  let release!: () => void;
  const background = new Promise<void>((r) => (release = r)).then(() => log.push('audit written'));
  // The runtime takes the first answer, the callback's, and waits for the event loop to empty.
  const handler = wrapFunction(async (_event: unknown, _context: unknown, callback: RuntimeCallback) => {
    callback(null, { statusCode: 201 });
    await background;
    return { statusCode: 500 };
  }, monitor);
  const { returned, posted } = invokeAsRuntime(handler, functionUrlEvent('/both'), 'both-1', log);
  expect(returned).toBeInstanceOf(Promise);
  await vi.waitFor(() => expect(log).toEqual(['callback']));
  expect(memory.spans.map((s) => s.attributes['http.response.status_code'])).toEqual([201]);
  release();
  await background;
  await new Promise((r) => setImmediate(r));
  process.emit('beforeExit', 0); // the event loop is empty
  expect(await posted).toEqual({ result: { statusCode: 201 } });
  expect(log).toEqual(['callback', 'audit written', 'posted']);
  // An error given to the callback first reaches the runtime as one.
  const failing = wrapFunction(async (_e: unknown, _c: unknown, callback: RuntimeCallback) => {
    callback(new TypeError('bad input'));
    return 'ignored';
  }, monitor);
  const f = invokeAsRuntime(failing, {}, 'both-2', log);
  expect((await f.posted).error).toBeInstanceOf(TypeError);
  await expect(f.returned).rejects.toBeInstanceOf(TypeError);
});

/**
 * The runtime's answer when the event loop empties with no answer given (Runtime.js
 * _setDefaultExitListener): for a handler it loaded as an async function (UserFunction.js reads
 * `handler.constructor.name === 'AsyncFunction'`) a Runtime.NodeJsExit error, its promise never
 * settled; for any other, a null result, as a callback never called.
 */
const answerOnEmptyEventLoop = (handler: (...args: never[]) => unknown): Posted => {
  let isAsync = false;
  try {
    isAsync = handler.constructor.name === 'AsyncFunction';
  } catch {
    // as the runtime: not async
  }
  return isAsync ? { error: 'Runtime.NodeJsExit' } : { result: null };
};

test('an async handler stays an async function once wrapped, so the runtime still fails an invocation whose promise never settles (an SQS batch is retried, not deleted); a callback-style one stays a plain function', async () => {
  const { monitor } = createTestMonitor();
  const stuck = wrapFunction(async (_event: unknown, _context: unknown) => new Promise<never>(() => {}), monitor);
  expect(answerOnEmptyEventLoop(stuck)).toEqual({ error: 'Runtime.NodeJsExit' });
  const silent = wrapFunction((_event: unknown, _context: unknown, _callback: RuntimeCallback) => {}, monitor);
  expect(answerOnEmptyEventLoop(silent)).toEqual({ result: null });
  // Its answers are unchanged: the async wrapper settles as the handler does.
  const ok = wrapFunction(async (_event: unknown, _context: unknown) => ({ statusCode: 204 }), monitor);
  const log: string[] = [];
  const a = invokeAsRuntime(ok, functionUrlEvent('/ok'), 'async-1', log);
  expect(await a.posted).toEqual({ result: { statusCode: 204 } });
  const failing = wrapFunction(async (_event: unknown, _context: unknown) => Promise.reject(new RangeError('no')), monitor);
  const b = invokeAsRuntime(failing, functionUrlEvent('/no'), 'async-2', log);
  expect((await b.posted).error).toBeInstanceOf(RangeError);
});

test.each([
  ['an empty string', ''],
  ['0', 0],
  ['false', false],
])('callback(%s, result) fails the invocation, as the runtime\'s callback takes any error but null and undefined: the runtime gets that error, the span is ERROR', async (_name, falsy) => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction((_e: unknown, context: { callbackWaitsForEmptyEventLoop: boolean }, callback: RuntimeCallback) => {
    context.callbackWaitsForEmptyEventLoop = false; // a success would be posted at once too
    setImmediate(() => callback(falsy, { statusCode: 200 }));
  }, monitor);
  const log: string[] = [];
  const { posted } = invokeAsRuntime(handler, functionUrlEvent('/falsy'), 'falsy-1', log);
  expect(await posted).toEqual({ error: falsy });
  // Called without a callback (Node.js 24's runtime): the promise rejects with it, which the runtime's `fail` posts.
  await expect((handler as (...args: unknown[]) => unknown)(functionUrlEvent('/falsy'), lambdaContext('falsy-2'))).rejects.toBe(falsy);
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([
    ['falsy-1', 2, typeof falsy, undefined],
    ['falsy-2', 2, typeof falsy, undefined],
  ]);
});

/** A Lambda context whose deadline is `ms` from now, as the runtime's (getRemainingTimeInMillis counts down). */
const contextWithDeadline = (id: string, ms: number) => {
  const deadline = Date.now() + ms;
  return { awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
};
const metricPoints = (memory: ReturnType<typeof createTestMonitor>['memory'], name: string) => (memory.getMetric(name)?.points ?? []) as unknown as { attributes: Record<string, unknown>; count?: number; value?: number }[];

test('a handler still running near its deadline is recorded as a timeout before Lambda stops it: its span (ERROR, error.type timeout), its logs and its request point are exported; its late answer still reaches the runtime, with no second span or count', async () => {
  const diagnostics: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
  let release!: () => void;
  const upstream = new Promise<void>((r) => (release = r));
  const handler = wrapFunction(async (_event: unknown, _context: unknown) => {
    monitor.logger.info('calling the upstream');
    await upstream; // an upstream that hangs past the function's timeout
    return { statusCode: 200 };
  }, monitor);
  const log: string[] = [];
  const { posted } = invokeAsRuntime(handler, functionUrlEvent('/slow'), 'slow-1', log, contextWithDeadline('slow-1', 200));
  await vi.waitFor(() => expect(memory.spans).toHaveLength(1), { timeout: 5000 });
  expect(log).toEqual([]); // the handler has not answered
  const [span] = memory.spans;
  expect([span!.attributes['faas.invocation_id'], span!.status.code, span!.attributes['error.type'], span!.attributes['http.response.status_code']]).toEqual(['slow-1', 2, 'timeout', undefined]);
  expect(span!.status.message).toMatch(/deadline/);
  expect(memory.logs.map((l) => l.body)).toEqual(['calling the upstream']);
  expect(metricPoints(memory, 'http.server.request.duration').map((p) => [p.attributes['error.type'], p.attributes['http.response.status_code'], p.count])).toEqual([['timeout', undefined, 1]]);
  expect(metricPoints(memory, 'http.server.active_requests').map((p) => p.value)).toEqual([0]);

  // The upstream answers after all, inside the margin: the runtime gets the answer, and nothing is recorded twice.
  release();
  expect(await posted).toEqual({ result: { statusCode: 200 } });
  await monitor.flush();
  expect(memory.spans).toHaveLength(1);
  const points = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points as unknown as { count: number }[];
  expect(points.reduce((n, p) => n + p.count, 0)).toBe(1);
  expect(diagnostics).toEqual([]);
});

test('a callback-style handler that calls back after the timeout was recorded: one span, the answer through the runtime\'s callback; a handler that fails late adds nothing either', async () => {
  const diagnostics: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
  let release!: () => void;
  const upstream = new Promise<void>((r) => (release = r));
  const late = wrapFunction((_event: unknown, _context: unknown, callback: RuntimeCallback) => void upstream.then(() => callback(null, 'late')), monitor);
  const log: string[] = [];
  const a = invokeAsRuntime(late, {}, 'late-cb', log, contextWithDeadline('late-cb', 200));
  await vi.waitFor(() => expect(memory.spans).toHaveLength(1), { timeout: 5000 });
  release();
  await vi.waitFor(() => expect(log).toEqual(['callback']));
  process.emit('beforeExit', 0); // the event loop is empty
  expect(await a.posted).toEqual({ result: 'late' });

  let fail!: () => void;
  const failing = new Promise<void>((r) => (fail = r));
  const lateError = wrapFunction(async (_event: unknown, _context: unknown) => {
    await failing;
    throw new RangeError('too late');
  }, monitor);
  const b = invokeAsRuntime(lateError, {}, 'late-err', log, contextWithDeadline('late-err', 200));
  await vi.waitFor(() => expect(memory.spans).toHaveLength(2), { timeout: 5000 });
  fail();
  expect((await b.posted).error).toBeInstanceOf(RangeError);
  await monitor.flush();
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type'], s.events.length])).toEqual([
    ['late-cb', 2, 'timeout', 0],
    ['late-err', 2, 'timeout', 0],
  ]);
  expect(diagnostics).toEqual([]);
});

test('a handler that answers in time is not touched by the timeout (its timer is cleared), and the timer never keeps the event loop from emptying: a handler that never calls back is still answered when it empties', async () => {
  const { monitor, memory } = createTestMonitor();
  const quick = wrapFunction(async (_event: unknown, _context: unknown) => ({ statusCode: 204 }), monitor);
  const silent = wrapFunction((_e: unknown, _c: unknown, _callback: RuntimeCallback) => {}, monitor);
  const log: string[] = [];
  const a = invokeAsRuntime(quick, functionUrlEvent('/quick'), 'quick', log, contextWithDeadline('quick', 200));
  expect(await a.posted).toEqual({ result: { statusCode: 204 } });
  // Timers that keep the event loop alive, before and while the silent handler is pending.
  const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = refTimers();
  const b = invokeAsRuntime(silent, {}, 'silent', log, contextWithDeadline('silent', 200));
  expect(refTimers()).toBe(before);
  process.emit('beforeExit', 0); // the event loop is empty: the runtime answers null
  expect(await b.posted).toEqual({ result: null });
  await vi.waitFor(() => expect(memory.spans).toHaveLength(2));
  await new Promise((r) => setTimeout(r, 300)); // past both deadlines
  await monitor.flush();
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type']])).toEqual([
    ['quick', 0, undefined],
    ['silent', 0, undefined],
  ]);
});

test('timeoutMarginMs: false leaves an invocation that outlives its deadline to the handler\'s own answer, as does a margin no shorter than the time the invocation has; a margin given is used', async () => {
  const { monitor, memory } = createTestMonitor();
  let release!: () => void;
  const upstream = new Promise<void>((r) => (release = r));
  const off = wrapFunction(async (_e: unknown, _c: unknown) => (await upstream, 'off'), monitor, { timeoutMarginMs: false });
  const wide = wrapFunction(async (_e: unknown, _c: unknown) => (await upstream, 'wide'), monitor, { timeoutMarginMs: 10_000 });
  const pending = [off({}, contextWithDeadline('off', 100) as never), wide({}, contextWithDeadline('wide', 100) as never)];
  await new Promise((r) => setTimeout(r, 200)); // past the deadlines
  expect(memory.spans).toHaveLength(0);
  release();
  expect(await Promise.all(pending)).toEqual(['off', 'wide']);
  const given = wrapFunction(async (_e: unknown, _c: unknown) => new Promise<never>(() => {}), monitor, { timeoutMarginMs: 150 });
  void given({}, contextWithDeadline('given', 200) as never);
  await vi.waitFor(() => expect(memory.spans).toHaveLength(3), { timeout: 5000 });
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type']])).toEqual([
    ['off', 0, undefined],
    ['wide', 0, undefined],
    ['given', 2, 'timeout'],
  ]);
  expect(memory.spans[2]!.status.message).toMatch(/150 ms before its deadline/);
});

test('a handler whose promise is still pending when the event loop empties is recorded as the runtime answers it: an async one failed (Runtime.NodeJsExit), another answered null; its promise is left alone', async () => {
  const diagnostics: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d.message) });
  const stuck = wrapFunction(async (_event: unknown, _context: unknown) => new Promise<never>(() => {}), monitor);
  const plain = wrapFunction((_event: unknown, _context: unknown) => new Promise<never>(() => {}), monitor);
  expect([answerOnEmptyEventLoop(stuck), answerOnEmptyEventLoop(plain)]).toEqual([{ error: 'Runtime.NodeJsExit' }, { result: null }]);
  const pending = [stuck(functionUrlEvent('/stuck') as never, lambdaContext('stuck') as never), plain(functionUrlEvent('/plain') as never, lambdaContext('plain') as never)];
  process.emit('beforeExit', 0); // the event loop is empty
  await vi.waitFor(() => expect(memory.spans).toHaveLength(2));
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([
    ['stuck', 2, 'Runtime.NodeJsExit', undefined],
    ['plain', 0, undefined, 200],
  ]);
  expect(metricPoints(memory, 'http.server.request.duration').map((p) => [p.attributes['error.type'], p.attributes['http.response.status_code'], p.count])).toEqual([
    ['Runtime.NodeJsExit', undefined, 1],
    [undefined, 200, 1],
  ]);
  expect(metricPoints(memory, 'http.server.active_requests').map((p) => p.value)).toEqual([0]);
  // The runtime answered already: the wrapper's promises are not settled for it (a second answer).
  const state = await Promise.race([...pending.map((p) => p!.then(() => 'settled')), new Promise((r) => setImmediate(() => r('pending')))]);
  expect(state).toBe('pending');
  expect(diagnostics).toEqual([]);
});

test('a synchronous throw of null or undefined is what the runtime makes it: through Node 22 (a callback passed) the callback(null) of a success with no result, so the span is no error; without a callback (Node 24) a failure, as the runtime fails a rejection of null', async () => {
  const { monitor, memory } = createTestMonitor();
  const throwsNull = wrapFunction((_e: unknown, _c: unknown, _callback: RuntimeCallback) => {
    throw null; // eslint-disable-line no-throw-literal
  }, monitor);
  const throwsUndefined = wrapFunction((_e: unknown) => {
    throw undefined; // eslint-disable-line no-throw-literal
  }, monitor);
  const log: string[] = [];
  for (const [handler, id] of [[throwsNull, 'null'], [throwsUndefined, 'undefined']] as const) {
    // The runtime's own answer to the handler without the wrapper: its catch calls back with the value.
    const bare = invokeAsRuntime(() => {
      throw id === 'null' ? null : undefined;
    }, {}, `bare-${id}`, []);
    const wrapped = invokeAsRuntime(handler, functionUrlEvent('/t'), id, log);
    expect(wrapped.returned).toBeUndefined();
    await vi.waitFor(() => expect(log.filter((l) => l === 'callback')).toHaveLength(id === 'null' ? 1 : 2));
    process.emit('beforeExit', 0); // the event loop is empty: callback(null) is answered then
    expect(await wrapped.posted).toEqual(await bare.posted);
    expect(await wrapped.posted).toEqual({ result: undefined });
  }
  expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([
    ['null', 0, undefined, 200],
    ['undefined', 0, undefined, 200],
  ]);
  // Called without a callback, as Node 24's runtime calls a handler: it fails the invocation (postInvocationError).
  await expect((throwsNull as (...args: unknown[]) => Promise<unknown>)({}, lambdaContext('n24'))).rejects.toBeNull();
  expect(memory.spans.at(-1)!.status.code).toBe(2);
});
