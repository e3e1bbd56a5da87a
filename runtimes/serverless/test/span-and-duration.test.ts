/**
 * HTTP semconv: a request's `http.server.request.duration` point and its SERVER span measure the
 * same request, from one start to one end (as handleRequest records them on Node, Deno and Bun).
 */
import { afterEach, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => {
  resetColdStart();
  vi.restoreAllMocks();
});

const event = {
  version: '2.0',
  routeKey: 'GET /orders/{id}',
  rawPath: '/orders/7',
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path: '/orders/7', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1' }, domainName: 'api.example.com', stage: '$default', requestId: 'r' },
};

test('a Lambda HTTP invocation: the duration point is the span duration', async () => {
  const { monitor, memory } = createTestMonitor();
  // A clock that moves 1 ms at every read: any read between the span's start and the point's
  // start (or between their ends) shows as a difference.
  let t = 1_000;
  vi.spyOn(performance, 'now').mockImplementation(() => (t += 1));
  const handler = wrapFunction(async (_event: unknown, _context: unknown) => ({ statusCode: 200, body: 'ok' }), monitor, { kind: 'lambda' });
  await handler(event, { awsRequestId: 'a', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
  vi.restoreAllMocks();
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  const spanSeconds = (span.endTime - span.startTime) / 1000;
  const point = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points[0] as unknown as { sum: number };
  expect(spanSeconds).toBeGreaterThan(0);
  expect(point.sum).toBeCloseTo(spanSeconds, 9);
});

test("a Lambda HTTP invocation: the duration point's exemplar points to the invocation's span", async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_event: unknown, _context: unknown) => ({ statusCode: 200, body: 'ok' }), monitor, { kind: 'lambda' });
  await handler(event, { awsRequestId: 'b', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
  await monitor.flush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  const metric = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  const exemplars = metric.points.flatMap((p) => ('exemplars' in p && p.exemplars) || []) as { traceId: string; spanId: string }[];
  expect(exemplars.map((e) => [e.traceId, e.spanId])).toEqual([[span.traceId, span.spanId]]);
});
