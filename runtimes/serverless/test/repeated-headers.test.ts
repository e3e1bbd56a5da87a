/**
 * A REST API event carries a repeated request header twice: `headers` with its last value only,
 * `multiValueHeaders` with every one. Trace context is read from all of them, as from the
 * headers of a Request (instrument()): two `traceparent`s start a new trace (TC-08), and the
 * members of every `baggage` line reach the function's outgoing calls (BG-02).
 */
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { injectContext } from '../../../src/trace/propagation/propagation.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const context = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
const TP1 = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TP2 = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** A REST API proxy event for headers given as lines: `headers` keeps the last value of each. */
const restEvent = (lines: [string, string][]) => {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of lines) (multiValueHeaders[k] ??= []).push(v);
  return {
    resource: '/orders',
    path: '/orders',
    httpMethod: 'GET',
    headers: Object.fromEntries(lines),
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    requestContext: { resourcePath: '/orders', httpMethod: 'GET', stage: 'prod', identity: { sourceIp: '203.0.113.9' } },
    body: null,
    isBase64Encoded: false,
  };
};

test('a REST API event with two traceparent lines starts a new trace (TC-08), as instrument() does; one line is continued', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor);
  await handler(restEvent([['Host', 'api.example.com'], ['traceparent', TP1], ['traceparent', TP2]]), context('two'));
  await handler(restEvent([['Host', 'api.example.com'], ['traceparent', TP2]]), context('one'));
  // The same header name in two cases is the same header, twice.
  await handler(restEvent([['Traceparent', TP1], ['traceparent', TP2]]), context('cases'));
  const [two, one, cases] = memory.spans;
  for (const span of [two!, cases!]) {
    expect(span.parentSpanId).toBeUndefined();
    expect([TP1.slice(3, 35), TP2.slice(3, 35)]).not.toContain(span.traceId);
  }
  expect([one!.traceId, one!.parentSpanId]).toEqual([TP2.slice(3, 35), TP2.slice(36, 52)]);
});

test('a REST API event with two baggage lines: the members of both reach the outgoing calls (BG-02)', async () => {
  const { monitor } = createTestMonitor();
  let out: Headers | undefined;
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    out = injectContext(new Headers());
    return { statusCode: 200 };
  }, monitor);
  await handler(restEvent([['traceparent', TP1], ['baggage', 'tenant=acme'], ['baggage', 'region=eu']]), context('b'));
  expect(out?.get('baggage')?.split(',').sort()).toEqual(['region=eu', 'tenant=acme']);
});
