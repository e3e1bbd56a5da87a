/**
 * What a wrapped function's SERVER span says it answered, on paths other than the plain one:
 * - a Node-style function that throws after its head was sent: the client got that status (its
 *   body cut short), not a 500, as the normal path records what was sent;
 * - a Lambda HTTP event whose route the app sets while it runs (`http.route` on the SERVER span,
 *   as a router's instrumentation does): the span is named `GET /route`, as handleRequest names it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { getActiveSpan } from '../../../src/context/active.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: Server | undefined;
afterEach(async () => {
  resetColdStart();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

test('Node-style: a function that fails after sending its head records the status sent and the exception, not a 500', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const boom = new Error('upstream failed mid-stream');
  const handler = wrapFunction(async (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part');
    await sleep(10);
    throw boom;
  }, monitor);
  let thrown: unknown;
  const served = new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      void (handler(req, res) as Promise<unknown>).catch((e: unknown) => {
        thrown = e;
        res.destroy(); // the platform cuts the response
        resolve();
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const status = await new Promise<number | undefined>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: (server!.address() as AddressInfo).port, path: '/stream' }, (res) => {
      res.on('data', () => {});
      res.on('error', () => resolve(res.statusCode));
      res.on('close', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
  await served;
  expect(status).toBe(200);
  // The function's own exception is passed on as it is.
  expect(thrown).toBe(boom);
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.attributes['http.response.status_code']).toBe(200);
  expect(span.attributes['error.type']).toBe('Error');
  expect(span.status.code).toBe(2);
  const point = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points[0]!;
  expect(point.attributes).toMatchObject({ 'http.response.status_code': 200, 'error.type': 'Error' });
});

test('Node-style: a function that fails before answering is still recorded as the 500 the platform answers', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handler = wrapFunction(async (_req: IncomingMessage, _res: ServerResponse) => {
    await sleep(5);
    throw new TypeError('bad input');
  }, monitor);
  const served = new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      void (handler(req, res) as Promise<unknown>).catch(() => {
        res.statusCode = 500;
        res.end();
        resolve();
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  await fetch(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`);
  await served;
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type']]).toEqual([500, 'TypeError']);
});

const lambdaContext = { awsRequestId: 'r-1', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
const httpApiEvent = (routeKey: string) => ({
  version: '2.0',
  routeKey,
  rawPath: '/orders/7',
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  requestContext: { http: { method: 'GET', path: '/orders/7', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1' }, domainName: 'api.example.com', stage: '$default', requestId: 'r-1' },
  isBase64Encoded: false,
});

test("Lambda: a route the app sets on the SERVER span while it runs names the span 'GET /orders/:id', as on every other adapter", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    getActiveSpan()!.setAttribute('http.route', '/orders/:id');
    return { statusCode: 200, body: 'ok' };
  }, monitor);
  await handler(httpApiEvent('$default'), lambdaContext);
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect([span.name, span.attributes['http.route']]).toEqual(['GET /orders/:id', '/orders/:id']);
  const point = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points[0]!;
  expect(point.attributes['http.route']).toBe('/orders/:id');
});

test("Lambda: a span named by the event's route, or renamed by the app, keeps its name", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handler = wrapFunction(async (event: { rename?: boolean; version: string }, _c: unknown) => {
    const span = getActiveSpan()!.setAttribute('http.route', '/orders/:id');
    if (event.rename) span.updateName('load order');
    return { statusCode: 200 };
  }, monitor);
  await handler(httpApiEvent('GET /orders/{id}'), lambdaContext);
  await handler({ ...httpApiEvent('$default'), rename: true }, lambdaContext);
  expect(memory.spans.filter((s) => s.kind === 2).map((s) => s.name)).toEqual(['GET /orders/{id}', 'load order']);
});

test("Node-style: the function's listeners on req and res ('close', 'finish') run in its request's context", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const seen: Record<string, string | undefined> = {};
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const handler = wrapFunction((req: IncomingMessage, res: ServerResponse) => {
    req.on('close', () => (seen.close = getActiveSpan()?.spanContext().spanId));
    res.on('finish', () => {
      seen.finish = getActiveSpan()?.spanContext().spanId;
      finished();
    });
    res.end('ok');
  }, monitor);
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  expect(await (await fetch(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`)).text()).toBe('ok');
  await done;
  await sleep(20);
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(seen).toEqual({ close: span.spanId, finish: span.spanId });
});
