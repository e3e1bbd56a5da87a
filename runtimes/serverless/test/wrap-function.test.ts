import { afterEach, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
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
    const handler = wrapFunction(async (event: { rawPath: string }) => {
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

  test('API Gateway v1; an exception is recorded, exported, and rethrown unchanged', async () => {
    const { monitor, memory } = createTestMonitor();
    const boom = new Error('nope');
    const handler = wrapFunction(async () => {
      throw boom;
    }, monitor);
    const event = { httpMethod: 'GET', path: '/a/1', resource: '/a/{id}', headers: {}, requestContext: {} };
    await expect(handler(event, lambdaContext('r'))).rejects.toBe(boom);
    const span = memory.spans.find((s) => s.kind === 2)!;
    expect(span.name).toBe('GET /a/{id}');
    expect(span.status.code).toBe(2);
  });

  test('SQS events get a CONSUMER span with faas.trigger=pubsub; callback-style handlers work', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction((_event: unknown, _ctx: unknown, cb: (e: unknown, v?: unknown) => void) => {
      setTimeout(() => cb(null, 'done'), 1);
    }, monitor);
    const out = await handler({ Records: [{ eventSource: 'aws:sqs' }, { eventSource: 'aws:sqs' }] }, lambdaContext('q'), () => {});
    expect(out).toBe('done');
    const span = memory.spans[0]!;
    expect(span.kind).toBe(5);
    expect(span.attributes).toMatchObject({ 'faas.trigger': 'pubsub', 'messaging.batch.message_count': 2, 'faas.invocation_id': 'q' });
  });

  test('scheduled events get faas.trigger=timer', async () => {
    const { monitor, memory } = createTestMonitor();
    await wrapFunction(async () => 'ok', monitor)({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, lambdaContext('t'));
    expect(memory.spans[0]!.attributes['faas.trigger']).toBe('timer');
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

  test('a plain (request) => Response function without waitUntil: exported before the response is returned', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction((req: Request) => new Response(req.method, { status: 202 }), monitor);
    const res = await handler(new Request('https://fn.example/p', { method: 'PUT' }));
    expect(res.status).toBe(202);
    expect(memory.spans.find((s) => s.kind === 2)!.attributes['http.response.status_code']).toBe(202);
  });

  test('kind forces the shape', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async () => ({ statusCode: 200 }), monitor, { kind: 'lambda' });
    await handler({ anything: true }, {});
    expect(memory.spans[0]!.attributes['faas.trigger']).toBe('other');
  });
});
