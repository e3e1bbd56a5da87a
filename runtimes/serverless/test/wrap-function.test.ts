import express from 'express';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { getActiveSpan } from '../../../src/context/active.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { detectKind, wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const lambdaContext = (id: string) => ({
  awsRequestId: id,
  functionName: 'orders',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
  getRemainingTimeInMillis: () => 10_000,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wrapFunction on AWS Lambda', () => {
  afterEach(() => resetColdStart());

  test('VL-02: API Gateway v2 gets a SERVER span with HTTP attributes, exported before the handler returns', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (event: { rawPath: string }, _c: unknown) => {
      await monitor.tracer.startActiveSpan('query', async () => sleep(2));
      return { statusCode: 201, body: event.rawPath };
    }, monitor);
    const event = {
      version: '2.0',
      routeKey: 'POST /orders/{id}',
      rawPath: '/orders/9',
      rawQueryString: 'x=1',
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'user-agent': 'curl' },
      requestContext: { http: { method: 'POST', path: '/orders/9', sourceIp: '10.0.0.1' } },
    };
    const result = await handler(event, lambdaContext('req-1'));
    expect(result).toEqual({ statusCode: 201, body: '/orders/9' });
    // No waiting: the export already happened (the sandbox may freeze right after return).
    const server = memory.spans.find((s) => s.kind === 2)!;
    expect(server.name).toBe('POST /orders/{id}');
    expect(server.traceId).toBe(TRACE);
    expect(server.attributes).toMatchObject({
      'faas.trigger': 'http',
      'faas.invocation_id': 'req-1',
      'faas.coldstart': true,
      'http.request.method': 'POST',
      'http.route': '/orders/{id}',
      'url.path': '/orders/9',
      'http.response.status_code': 201,
      'cloud.account.id': '123456789012',
    });
    expect(memory.spans.find((s) => s.name === 'query')!.parentSpanId).toBe(server.spanId);
    await handler(event, lambdaContext('req-2'));
    expect(memory.spans.filter((s) => s.kind === 2).at(-1)!.attributes['faas.coldstart']).toBe(false);
  });

  test('cloud.resource_id is the function ARN with an alias replaced by the version it resolved to (FaaS conventions: one sandbox serves several aliases); aws.lambda.invoked_arn the ARN as invoked', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
    await handler({}, { ...lambdaContext('a-1'), functionVersion: '7', invokedFunctionArn: `${arn}:live` });
    await handler({}, { ...lambdaContext('a-2'), functionVersion: '7', invokedFunctionArn: `${arn}:7` });
    await handler({}, lambdaContext('a-3'));
    expect(memory.spans.map((s) => s.attributes['cloud.resource_id'])).toEqual([`${arn}:7`, `${arn}:7`, arn]);
    // The alias invoked is kept, in aws.lambda.invoked_arn (Lambda conventions).
    expect(memory.spans.map((s) => s.attributes['aws.lambda.invoked_arn'])).toEqual([`${arn}:live`, `${arn}:7`, arn]);
    expect(memory.spans[0]!.attributes['cloud.account.id']).toBe('123456789012');
  });

  test('API Gateway v1; an exception is recorded, exported, and rethrown unchanged', async () => {
    const { monitor, memory } = createTestMonitor();
    const boom = new Error('nope');
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
      throw boom;
    }, monitor);
    const event = { httpMethod: 'GET', path: '/a/1', resource: '/a/{id}', headers: {}, requestContext: {} };
    await expect(handler(event, lambdaContext('r'))).rejects.toBe(boom);
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect(span.name).toBe('GET /a/{id}');
    expect(span.status.code).toBe(2);
  });

  test('error.type is on the span as on the metric (HTTP and recording-errors conventions): the exception type, an HTTP event\'s 5xx status, any event\'s exception', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (e: { fail?: string }, _c: unknown) => {
      if (e.fail === 'throw') throw new RangeError('no');
      if (e.fail === 'string') throw 'plain';
      return { statusCode: e.fail === '503' ? 503 : 404 };
    }, monitor);
    const http = (fail: string) => ({ fail, httpMethod: 'GET', path: '/a', headers: {}, requestContext: {} });
    await handler(http('503'), lambdaContext('e-1'));
    await handler(http('404'), lambdaContext('e-2'));
    await expect(handler(http('throw'), lambdaContext('e-3'))).rejects.toThrow('no');
    await expect(handler({ fail: 'string' }, lambdaContext('e-4'))).rejects.toBe('plain');
    expect(memory.spans.map((s) => s.attributes['error.type'])).toEqual(['503', undefined, 'RangeError', 'string']);
    const points = memory.getMetric('http.server.request.duration')!.points.map((p) => p.attributes['error.type']);
    expect(points.sort()).toEqual(['503', 'RangeError', undefined]);
  });

  test('SQS events get a CONSUMER span with faas.trigger=pubsub; callback-style handlers work', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction((_event: unknown, _ctx: unknown, cb: (e: unknown, v?: unknown) => void) => {
      setTimeout(() => cb(null, 'done'), 1);
    }, monitor);
    // The runtime's callback gets the result (lambda-runtime.test.ts); without one (Node 24's runtime passes none), the returned promise.
    const out = await new Promise((resolve) => handler({ Records: [{ eventSource: 'aws:sqs' }, { eventSource: 'aws:sqs' }] }, lambdaContext('q'), (_e, v) => resolve(v)));
    expect(out).toBe('done');
    expect(await (handler as (...args: unknown[]) => unknown)({ Records: [{ eventSource: 'aws:sqs' }] }, lambdaContext('q2'))).toBe('done');
    const span = memory.spans[0]!;
    expect(span.kind).toBe(5);
    expect(span.attributes).toMatchObject({ 'faas.trigger': 'pubsub', 'messaging.batch.message_count': 2, 'faas.invocation_id': 'q' });
  });

  test('a callback-style handler whose length hides the callback (a default, rest args) still gives its result, and its span waits for it', async () => {
    const { monitor, memory } = createTestMonitor();
    const event = { version: '2.0', routeKey: 'GET /x', rawPath: '/x', headers: {}, requestContext: { http: { method: 'GET', path: '/x' } } };
    type Callback = (err: unknown, value?: unknown) => void;
    const handlers = {
      defaulted: (_event: unknown, _ctx: unknown, cb: Callback = () => {}) => {
        setTimeout(() => cb(null, { statusCode: 201, body: 'defaulted' }), 10);
      },
      rest: (...args: unknown[]) => {
        setTimeout(() => (args[2] as Callback)(null, { statusCode: 202, body: 'rest' }), 10);
      },
      failing: (...args: unknown[]) => {
        setTimeout(() => (args[2] as Callback)(new Error('late')), 10);
      },
    };
    expect([handlers.defaulted.length, handlers.rest.length]).toEqual([2, 0]);
    expect(await wrapFunction(handlers.defaulted, monitor)(event, lambdaContext('d'))).toEqual({ statusCode: 201, body: 'defaulted' });
    expect(await wrapFunction(handlers.rest, monitor)(event, lambdaContext('r'))).toEqual({ statusCode: 202, body: 'rest' });
    await expect(wrapFunction(handlers.failing, monitor)(event, lambdaContext('f'))).rejects.toThrow('late');
    // Exported before each returned, with the status the callback gave.
    expect(memory.spans.map((s) => [s.attributes['faas.invocation_id'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
      ['d', 201, 0],
      ['r', 202, 0],
      ['f', undefined, 2],
    ]);
    // Async and plain handlers of any length are unchanged.
    expect(await wrapFunction(async (_e: unknown, _c: unknown, _cb?: unknown) => 'async', monitor)(event, lambdaContext('a'))).toBe('async');
    expect(await wrapFunction((..._args: unknown[]) => ({ statusCode: 204 }), monitor)(event, lambdaContext('p'))).toEqual({ statusCode: 204 });
  });

  test('a handler that returns nothing and never calls back settles when the event loop drains, as the runtime answers null then', async () => {
    const { monitor, memory } = createTestMonitor();
    let settled = false;
    // Promise.resolve: the wrapper's type is the handler's (void), what it returns is a promise.
    const pending = Promise.resolve(wrapFunction((_event: unknown, _context: unknown) => {}, monitor)({ source: 'aws.events' }, lambdaContext('n'))).then((v) => ((settled = true), v));
    await sleep(10);
    expect([settled, memory.spans.length]).toEqual([false, 0]);
    // What Node emits once nothing is left to run (the Lambda runtime listens to it too).
    process.emit('beforeExit', 0);
    expect(await pending).toBeUndefined();
    expect(memory.spans.map((s) => s.attributes['faas.invocation_id'])).toEqual(['n']);
  });

  test('a response-streaming handler (awslambda.streamifyResponse) gets (event, responseStream, context) unchanged and keeps its marker', async () => {
    const { monitor, memory } = createTestMonitor();
    const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
    const seen: unknown[] = [];
    // What streamifyResponse(fn) does: marks fn, which the runtime then calls (event, responseStream, context).
    const fn = Object.assign(
      async (event: unknown, responseStream: { end(s: string): void }, context: ReturnType<typeof lambdaContext>) => {
        seen.push(event, responseStream, context.awsRequestId, context.getRemainingTimeInMillis());
        responseStream.end('streamed');
      },
      { [STREAMING]: 'response' },
    );
    const handler = wrapFunction(fn, monitor);
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
    const stream = { written: '', end(s: string) { this.written = s; } };
    const event = { rawPath: '/stream' };
    await handler(event, stream, lambdaContext('stream-1'));
    expect(seen).toEqual([event, stream, 'stream-1', 10_000]);
    expect(stream.written).toBe('streamed');
    const span = memory.spans.find((s) => s.attributes['faas.invocation_id'] === 'stream-1');
    expect(span?.attributes['faas.name']).toBe('orders');
  });

  test('an ALB event with multi-value headers continues the incoming traceparent', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200, body: 'ok' }), monitor);
    await handler(
      {
        requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/1' } },
        httpMethod: 'GET',
        path: '/orders',
        multiValueQueryStringParameters: {},
        multiValueHeaders: { Host: ['lb.example.com'], traceparent: [`00-${TRACE}-00f067aa0ba902b7-01`], 'User-Agent': ['curl/8'] },
        body: '',
        isBase64Encoded: false,
      },
      lambdaContext('alb-1'),
    );
    const span = memory.spans.find((s) => s.attributes['faas.invocation_id'] === 'alb-1')!;
    expect(span.traceId).toBe(TRACE);
    expect(span.parentSpanId).toBe('00f067aa0ba902b7');
    expect(span.attributes['server.address']).toBe('lb.example.com');
    expect(span.attributes['user_agent.original']).toBe('curl/8');
  });

  test('a collector that is down costs the whole flush timeout once, not on every invocation; a good export brings the full wait back', async () => {
    let mode: 'refuse' | 'hang' | 'ok' = 'hang';
    const exports: string[] = [];
    const collector = {
      name: 'collector',
      export: () => {
        exports.push(mode);
        if (mode === 'refuse') return Promise.resolve({ ok: false, reason: 'export_failed' as const, error: 'refused' });
        if (mode === 'hang') return new Promise<never>(() => {});
        return Promise.resolve({ ok: true });
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const { monitor } = createTestMonitor({ backends: [collector], onDiagnostic: () => {} });
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor, { flushTimeoutMs: 1500 });
    const sqs = { Records: [{ eventSource: 'aws:sqs', body: '{}' }] };
    const settlesWithin = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
    await handler(sqs, lambdaContext('down-1')); // no answer: the whole flush timeout, once
    // The next export never answers: the invocation returns after 100 ms, not the 1.5 s timeout.
    expect(await settlesWithin(handler(sqs, lambdaContext('down-2')), 1000)).toBe(true);
    mode = 'ok';
    await handler(sqs, lambdaContext('down-3')); // reaches the collector again
    mode = 'hang';
    // Healthy again: an invocation waits for its export as before (here, up to the timeout).
    const last = handler(sqs, lambdaContext('down-4'));
    expect(await settlesWithin(last, 500)).toBe(false);
    await last; // the timeout ends it: nothing keeps running after the test
    expect(exports.slice(0, 3)).toEqual(['hang', 'hang', 'ok']);
  }, 15_000);

  test('scheduled events get faas.trigger=timer', async () => {
    const { monitor, memory } = createTestMonitor();
    await wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor)({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, lambdaContext('t'));
    expect(memory.spans[0]!.attributes['faas.trigger']).toBe('timer');
  });

  test('an EventBridge scheduled event sets faas.time from its time; it carries no cron expression, so no faas.cron', async () => {
    const { monitor, memory } = createTestMonitor();
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2015-10-08T16:53:06Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
      detail: {},
    };
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    await handler(scheduled, lambdaContext('t1'));
    await handler({ ...scheduled, time: 'not a time' }, lambdaContext('t2'));
    // Another form Date.parse reads becomes ISO 8601 in UTC.
    await handler({ ...scheduled, time: '2015-10-08T18:53:06+02:00' }, lambdaContext('t3'));
    await handler({ ...scheduled, time: 'Thu, 08 Oct 2015 16:53:06 GMT' }, lambdaContext('t4'));
    expect(memory.spans.map((s) => [s.attributes['faas.trigger'], s.attributes['faas.time'], 'faas.cron' in s.attributes])).toEqual([
      ['timer', '2015-10-08T16:53:06Z', false],
      ['timer', undefined, false],
      ['timer', '2015-10-08T16:53:06.000Z', false],
      ['timer', '2015-10-08T16:53:06.000Z', false],
    ]);
  });
});

describe('wrapFunction for Web handlers', () => {
  const KEY = Symbol.for('@vercel/request-context');
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
  });

  test('VL-01: Vercel request-context waitUntil receives the export; the response is not delayed', async () => {
    const { monitor, memory } = createTestMonitor();
    const waited: Promise<unknown>[] = [];
    (globalThis as Record<symbol, unknown>)[KEY] = { get: () => ({ waitUntil: (p: Promise<unknown>) => waited.push(p) }) };
    const handler = wrapFunction(async (req: Request) => new Response(`hi ${new URL(req.url).pathname}`), monitor);
    const res = await handler(new Request('https://app.vercel.app/x'));
    expect(await res.text()).toBe('hi /x');
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(memory.spans.find((s) => s.kind === 2)!.attributes['url.path']).toBe('/x');
  });

  test('Netlify context.waitUntil receives the export; the handler gets the context', async () => {
    const { monitor, memory } = createTestMonitor();
    const waited: Promise<unknown>[] = [];
    const context = { waitUntil: (p: Promise<unknown>) => waited.push(p), site: { name: 's' } };
    const handler = wrapFunction(async (_req: Request, ctx: typeof context) => new Response(ctx.site.name), monitor);
    const res = await handler(new Request('https://s.netlify.app/'), context);
    expect(await res.text()).toBe('s');
    await Promise.all(waited);
    expect(waited).toHaveLength(1);
    expect(memory.spans).toHaveLength(1);
  });

  test('a Web handler gets exactly the platform\'s arguments: Hono never takes telemetry for its execution context (DESIGN 5)', async () => {
    const { Hono } = await import('hono');
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.get('/users/:id', (c) => {
      let ctx = 'none';
      try {
        ctx = typeof c.executionCtx.waitUntil;
      } catch {
        // Hono: "This context has no ExecutionContext", as it is without the wrapper
      }
      return c.text(`user ${c.req.param('id')} ctx=${ctx} span=${String(getActiveSpan()?.isRecording())}`);
    });
    const context = { waitUntil: (p: Promise<unknown>) => void p };
    const res = await wrapFunction(app.fetch, monitor, { kind: 'netlify' })(new Request('https://s.netlify.app/users/7'), context);
    expect([res.status, await res.text()]).toEqual([200, 'user 7 ctx=none span=true']);
    const counted = wrapFunction((...args: unknown[]) => new Response(String(args.length)), monitor, { kind: 'netlify' });
    expect(await (await counted(new Request('https://s.netlify.app/'), context)).text()).toBe('2');
    expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(2);
  });

  test('a plain (request) => Response function without waitUntil: exported before the response is returned', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction((req: Request) => new Response(req.method, { status: 202 }), monitor);
    const res = await handler(new Request('https://fn.example/p', { method: 'PUT' }));
    expect(res.status).toBe(202);
    expect(memory.spans.find((s) => s.kind === 2)!.attributes['http.response.status_code']).toBe(202);
  });

  test('kind forces the shape', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor, { kind: 'lambda' });
    await handler({ anything: true }, {});
    expect(memory.spans[0]!.attributes['faas.trigger']).toBe('other');
  });
});

describe('wrapFunction for Node-style (req, res) functions (Vercel Node.js runtime)', () => {
  const KEY = Symbol.for('@vercel/request-context');
  let server: Server | undefined;
  afterEach(async () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  async function listen(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    server = createServer(handle);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test('detects the shape: IncomingMessage/ServerResponse-like arguments, not a Lambda event', () => {
    const res = { end() {}, setHeader() {}, once() {}, statusCode: 200 };
    expect(detectKind([{ method: 'GET', headers: {} }, res])).toBe('node');
    expect(detectKind([{ httpMethod: 'GET', headers: {} }, lambdaContext('x')])).toBe('lambda');
  });

  test("the SERVER span ends when the response is sent, with the status set last; Vercel's waitUntil gets the export", async () => {
    const { monitor, memory } = createTestMonitor();
    const waited: Promise<unknown>[] = [];
    (globalThis as Record<symbol, unknown>)[KEY] = { get: () => ({ waitUntil: (p: Promise<unknown>) => waited.push(p) }) };
    const handler = wrapFunction((req: IncomingMessage, res: ServerResponse) => {
      // The status is only decided later, right before the response ends.
      setTimeout(() => {
        res.statusCode = 201;
        res.setHeader('content-type', 'text/plain');
        res.end(`made ${req.url}`);
      }, 20);
    }, monitor);
    const url = await listen((req, res) => void handler(req, res));
    const response = await fetch(`${url}/orders?id=7`, { method: 'POST', headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('made /orders?id=7');
    await sleep(20);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect(span.name).toBe('POST');
    expect(span.traceId).toBe(TRACE);
    expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/orders', 'http.response.status_code': 201 });
    expect(memory.getMetric('http.server.request.duration')!.points[0]!.attributes).toMatchObject({ 'http.response.status_code': 201 });
  });

  test("client.address is the connection's peer (README), not X-Forwarded-For, which any client can set", async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction((_req: IncomingMessage, res: ServerResponse) => res.end('ok'), monitor, { kind: 'node' });
    const url = await listen((req, res) => void handler(req, res));
    await (await fetch(url, { headers: { 'x-forwarded-for': '9.9.9.9', forwarded: 'for=8.8.8.8' } })).text();
    await sleep(20);
    expect(memory.spans.find((s) => s.kind === 2)!.attributes['client.address']).toBe('127.0.0.1');
  });

  test('without a waitUntil the export is done before the returned promise settles; a thrown error is recorded and rethrown', async () => {
    const { monitor, memory } = createTestMonitor();
    const settled: number[] = [];
    const errors: unknown[] = [];
    const handler = wrapFunction(async (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/boom') throw new Error('boom');
      res.end('ok');
      return 'returned';
    }, monitor);
    const url = await listen((req, res) => {
      handler(req, res).then(
        (value) => settled.push(memory.spans.length, value === 'returned' ? 1 : 0),
        (err) => {
          errors.push(err);
          res.statusCode = 500;
          res.end();
        },
      );
    });
    expect(await (await fetch(`${url}/fine`)).text()).toBe('ok');
    expect((await fetch(`${url}/boom`)).status).toBe(500);
    await sleep(20);
    expect(settled).toEqual([1, 1]);
    expect((errors[0] as Error).message).toBe('boom');
    const failed = memory.spans.find((s) => s.attributes['url.path'] === '/boom')!;
    expect(failed.status.code).toBe(2);
    expect(failed.events.some((e) => e.name === 'exception')).toBe(true);
  });

  test('an Express app gets only (req, res): its final handler answers 404s and errors, each with a span; telemetry is the active span', async () => {
    const { monitor, memory } = createTestMonitor();
    const app = express();
    app.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id, traced: getActiveSpan()?.isRecording() === true });
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const handler = wrapFunction(app, monitor);
    const url = await listen((req, res) => void handler(req, res));
    // A wrong `next` leaves the client without an answer: fail fast rather than at the test timeout.
    const get = (path: string) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) });
    expect(await (await get('/users/7')).json()).toEqual({ id: '7', traced: true });
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/boom')).status).toBe(500);
    await sleep(20);
    const statuses = memory.spans.filter((s) => s.kind === 2).map((s) => [s.name, s.attributes['http.response.status_code']]);
    expect(statuses).toEqual([['GET /users/:id', 200], ['GET', 404], ['GET /boom', 500]]);
  });
});
