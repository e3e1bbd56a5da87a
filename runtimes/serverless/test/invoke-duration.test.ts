/**
 * `faas.invoke_duration` (FaaS metrics conventions) for Lambda's non-HTTP events: an SQS batch,
 * an EventBridge cron run, a direct invoke. Their failure rate and duration were in spans only,
 * which sampling may drop.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => {
  resetColdStart();
  vi.restoreAllMocks();
});
const context = { awsRequestId: 'r', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
type Point = { attributes: Record<string, unknown>; count: number; sum: number; exemplars?: { traceId: string; spanId: string }[] };
const points = (monitor: ReturnType<typeof createTestMonitor>['monitor']): Point[] =>
  (monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'faas.invoke_duration')?.points ?? []) as unknown as Point[];
const sqs = { Records: [{ messageId: 'm1', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:1:orders', body: 'x' }, { messageId: 'm2', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:1:orders', body: 'y' }] };
const cron = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-01-01T00:00:00Z', resources: ['arn:aws:events:eu-west-1:1:rule/nightly'], detail: {} };

test('an SQS batch and an EventBridge cron run: one faas.invoke_duration point each, with faas.trigger only (no message id, no time); the span\'s start and end', async () => {
  const { monitor, memory } = createTestMonitor();
  let t = 1000;
  vi.spyOn(performance, 'now').mockImplementation(() => (t += 1));
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ batchItemFailures: [] }), monitor);
  await handler(sqs, context);
  await handler(cron, context);
  vi.restoreAllMocks();
  const ps = points(monitor);
  expect(ps.map((p) => [p.attributes, p.count])).toEqual([
    [{ 'faas.trigger': 'pubsub' }, 1],
    [{ 'faas.trigger': 'timer' }, 1],
  ]);
  const spans = memory.spans.filter((s) => s.kind !== 3);
  expect(spans.map((s) => s.attributes['faas.trigger'])).toEqual(['pubsub', 'timer']);
  for (const [i, s] of spans.entries()) {
    expect(ps[i]!.sum).toBeCloseTo((s.endTime - s.startTime) / 1000, 9);
    expect(ps[i]!.exemplars?.map((e) => [e.traceId, e.spanId])).toEqual([[s.traceId, s.spanId]]);
  }
  // An HTTP event keeps http.server.request.duration alone.
  await handler({ version: '2.0', rawPath: '/a', requestContext: { http: { method: 'GET' } } }, context);
  expect(points(monitor)).toHaveLength(2);
});

test('a direct invoke that throws: a point with error.type, the error passed on unchanged', async () => {
  const { monitor } = createTestMonitor();
  const boom = new RangeError('no such order');
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    throw boom;
  }, monitor);
  await expect(handler({ orderId: 7 }, context)).rejects.toBe(boom);
  expect(points(monitor).map((p) => [p.attributes, p.count])).toEqual([[{ 'faas.trigger': 'other', 'error.type': 'RangeError' }, 1]]);
});

test('an unsampled invocation is still measured (as an HTTP request is); a disabled monitor records nothing', async () => {
  const unsampled = createTestMonitor({ sampler: 'always_off' });
  await wrapFunction(async (_e: unknown, _c: unknown) => 'ok', unsampled.monitor)(cron, context);
  expect(unsampled.memory.spans).toHaveLength(0);
  expect(points(unsampled.monitor).map((p) => [p.attributes, p.count])).toEqual([[{ 'faas.trigger': 'timer' }, 1]]);
  const disabled = createTestMonitor({ disabled: true });
  await wrapFunction(async (_e: unknown, _c: unknown) => 'ok', disabled.monitor)(cron, context);
  expect(points(disabled.monitor)).toEqual([]);
});
