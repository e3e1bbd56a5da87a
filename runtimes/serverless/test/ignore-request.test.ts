/**
 * `ignoreRequest` on Lambda HTTP events (API Gateway): a health check through the gateway runs
 * under an unsampled span, with no `http.server.request.duration` point, and its logs are kept; the
 * predicate sees the request the client sent (scheme, Host, path, query, method, headers). Before,
 * wrapFunction took the option and recorded every event.
 */
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const event = (path: string) => ({
  version: '2.0',
  routeKey: `GET ${path}`,
  rawPath: path,
  rawQueryString: 'probe=lb',
  headers: { host: 'api.example.com', 'user-agent': 'ELB-HealthChecker/2.0' },
  isBase64Encoded: false,
  requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1' }, domainName: 'api.example.com', stage: '$default', requestId: 'r' },
});
const context = { awsRequestId: 'a', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };

test('a Lambda HTTP event ignoreRequest leaves out gets no span and no request point; its logs are kept; others are recorded', async () => {
  const { monitor, memory } = createTestMonitor();
  const seen: string[] = [];
  const handler = wrapFunction(
    async (_event: unknown, _context: unknown) => {
      monitor.logger.info('handled');
      return { statusCode: 200, body: 'ok' };
    },
    monitor,
    {
      kind: 'lambda',
      ignoreRequest: (r) => {
        seen.push(`${r.method} ${r.url} ${r.headers.get('user-agent')}`);
        return new URL(r.url).pathname === '/health';
      },
    },
  );
  expect(await handler(event('/health'), context)).toEqual({ statusCode: 200, body: 'ok' });
  expect(await handler(event('/orders'), context)).toEqual({ statusCode: 200, body: 'ok' });
  await monitor.flush();
  expect(seen).toEqual(['GET https://api.example.com/health?probe=lb ELB-HealthChecker/2.0', 'GET https://api.example.com/orders?probe=lb ELB-HealthChecker/2.0']);
  expect(memory.spans.map((s) => s.name)).toEqual(['GET /orders']);
  const duration = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!;
  expect(duration.points.map((p) => p.attributes['http.route'])).toEqual(['/orders']);
  expect(memory.logs.map((l) => l.body)).toEqual(['handled', 'handled']);
});

test('a predicate that throws leaves the event recorded', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_event: unknown, _context: unknown) => ({ statusCode: 200 }), monitor, {
    kind: 'lambda',
    ignoreRequest: () => {
      throw new Error('no');
    },
  });
  await handler(event('/health'), context);
  await monitor.flush();
  expect(memory.spans.map((s) => s.name)).toEqual(['GET /health']);
});
