import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());
const context = { awsRequestId: 'r', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
const drops = (monitor: ReturnType<typeof createTestMonitor>['monitor'], reason: string): number[] =>
  (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [])
    .filter((p) => p.attributes.reason === reason)
    .map((p) => (p as { value: number }).value);

test("a REST API result's statusCode given as text (AWS's own blueprints write '404') is the status the caller got", async () => {
  const { monitor, memory } = createTestMonitor();
  const result = { statusCode: '503', body: 'down' };
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => result, monitor);
  const out = await handler({ httpMethod: 'GET', path: '/a', resource: '/a', headers: {}, requestContext: {} }, context);
  expect(out).toBe(result);
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.attributes['http.response.status_code']).toBe(503);
  expect(span.status.code).toBe(2);
  const duration = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!;
  expect(duration.points.map((p) => p.attributes['http.response.status_code'])).toEqual([503]);
});

test('an event that cannot be read (a routeKey that is not text) still reaches the handler unchanged; the drop is counted', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const event = { version: '2.0', routeKey: 5, requestContext: { http: { method: 'GET' } } };
  let seen: unknown;
  const handler = wrapFunction(async (e: unknown, _c: unknown) => ((seen = e), 'ok'), monitor);
  expect(await handler(event, context)).toBe('ok');
  expect(seen).toBe(event);
  expect(memory.spans.map((s) => [s.name, s.attributes['faas.trigger'], s.attributes['faas.invocation_id']])).toEqual([['orders', 'other', 'r']]);
  expect(drops(monitor, 'invalid_value')).toEqual([1]);
});

test('a REST API or ALB result without a statusCode is recorded as the 502 the gateway answers; an HTTP API (v2) one as its 200', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ body: 'x' }), monitor);
  await handler({ httpMethod: 'GET', path: '/rest', headers: {}, requestContext: {} }, context);
  await handler({ httpMethod: 'GET', path: '/alb', headers: {}, requestContext: { elb: { targetGroupArn: 'arn' } } }, context);
  await handler({ version: '2.0', rawPath: '/v2', requestContext: { http: { method: 'GET' } } }, context);
  expect(memory.spans.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
    ['/rest', 502, 2],
    ['/alb', 502, 2],
    ['/v2', 200, 0],
  ]);
});

test('a response-streaming handler behind a REST API returns nothing and is not recorded as a 502', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, stream: { end(): void }, _c: unknown) => stream.end(), monitor);
  await handler({ httpMethod: 'GET', path: '/s', headers: {}, requestContext: {} }, { end() {} }, context);
  expect(memory.spans.map((s) => [s.attributes['http.response.status_code'], s.status.code])).toEqual([[200, 0]]);
});

test('SQS, SNS and Kinesis spans carry messaging.operation.name, which the messaging conventions require (as a Worker queue span does)', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ batchItemFailures: [] }), monitor);
  for (const source of ['aws:sqs', 'aws:kinesis']) await handler({ Records: [{ eventSource: source, eventSourceARN: 'arn:aws:sqs:eu-west-1:1:orders' }] }, context);
  await handler({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:eu-west-1:1:alerts' } }] }, context);
  expect(memory.spans.map((s) => [s.attributes['messaging.system'], s.attributes['messaging.operation.name'], s.attributes['messaging.operation.type']])).toEqual([
    ['aws_sqs', 'process', 'process'],
    ['aws_kinesis', 'process', 'process'],
    ['aws.sns', 'process', 'process'],
  ]);
});

test('an HTTP API result without a statusCode under payload format 1.0 is recorded as the 500 the gateway answers (only format 2.0 infers a 200)', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ body: 'x' }), monitor);
  await handler({ version: '1.0', httpMethod: 'GET', path: '/v1', headers: {}, requestContext: {} }, context);
  const ok = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 204 }), monitor);
  await ok({ version: '1.0', httpMethod: 'GET', path: '/v1-status', headers: {}, requestContext: {} }, context);
  expect(memory.spans.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['error.type'], s.status.code])).toEqual([
    ['/v1', 500, '500', 2],
    ['/v1-status', 204, undefined, 0],
  ]);
});
