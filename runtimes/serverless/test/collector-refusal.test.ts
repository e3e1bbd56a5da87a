/**
 * Where the sandbox freezes once the function returns (Lambda), an invocation waits for its export;
 * while the collector is down or hangs it waits only 100 ms. A collector that answers at once with
 * a refusal for one signal (Jaeger's OTLP receiver takes traces and answers 404 to /v1/metrics) is
 * not down: later invocations must still wait for their (healthy, slower) trace exports.
 */
import { afterEach, expect, test } from 'vitest';
import { OtlpBackend } from '../../../src/exporters/otlp/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lambdaContext = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
const event = { version: '2.0', routeKey: 'GET /orders', rawPath: '/orders', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/orders' } } };

afterEach(() => resetColdStart());

test('a collector that takes traces (in 200 ms) and refuses metrics with a 404 keeps the full wait: each invocation\'s traces leave before it returns', async () => {
  const delivered: string[] = [];
  const fetch = async (url: string | URL | Request): Promise<Response> => {
    const path = new URL(String(url)).pathname;
    if (path !== '/v1/traces') return new Response('404 page not found', { status: 404 });
    await sleep(200);
    delivered.push(path);
    return new Response(null, { status: 200, headers: { 'content-type': 'application/x-protobuf' } });
  };
  const otlp = new OtlpBackend({ endpoint: 'http://collector.test:4318', fetch });
  const { monitor } = createTestMonitor({ backends: [otlp], onDiagnostic: () => {} });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor);
  for (let i = 1; i <= 3; i++) {
    await handler(event, lambdaContext(`inv-${i}`));
    // Returned: the sandbox may freeze now. Its trace export must be done.
    expect(delivered.length).toBe(i);
  }
});

test('an export that timed out (its backend\'s own deadline) still counts as a collector that is down', async () => {
  let mode: 'timeout' | 'hang' = 'timeout';
  const collector = {
    name: 'collector',
    export: () => (mode === 'timeout' ? Promise.resolve({ ok: false, reason: 'export_timeout' as const, error: 'export timed out' }) : new Promise<never>(() => {})),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const { monitor } = createTestMonitor({ backends: [collector], onDiagnostic: () => {} });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), monitor, { flushTimeoutMs: 1500 });
  const sqs = { Records: [{ eventSource: 'aws:sqs', body: '{}' }] };
  await handler(sqs, lambdaContext('t-1'));
  mode = 'hang';
  const next = handler(sqs, lambdaContext('t-2'));
  expect(await Promise.race([next.then(() => true), sleep(1000).then(() => false)])).toBe(true);
});
