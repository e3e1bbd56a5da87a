/**
 * Telemetry never changes a Lambda handler's answer (DESIGN 5): a result whose status or headers
 * cannot be read is returned as it is, and the failure to read it is counted.
 */
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const context = { awsRequestId: 'r-1', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
const restEvent = { resource: '/orders', path: '/orders', httpMethod: 'GET', headers: {}, requestContext: {} };

test('a result whose statusCode getter throws is the handler\'s answer, not an error; the drop is counted', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const answer = {
    body: 'ok',
    get statusCode(): number {
      throw new Error('not loaded');
    },
  };
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => answer, monitor);
  await expect(handler(restEvent, context)).resolves.toBe(answer);
  const span = memory.spans[0]!;
  expect([span.status.code, span.events.length]).toEqual([0, 0]);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points;
  expect(dropped.map((p) => [p.attributes.reason, (p as { value: number }).value])).toEqual([['invalid_value', 1]]);
});

test('response headers that cannot be read for captureHeaders leave the answer alone', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const answer = { statusCode: 201, multiValueHeaders: { 'x-trace': [Object.create(null)] } };
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => answer, monitor, { captureHeaders: { responseHeaders: ['x-trace'] } });
  await expect(handler(restEvent, context)).resolves.toBe(answer);
  expect(memory.spans[0]!.attributes['http.response.status_code']).toBe(201);
});

test('a context whose invokedFunctionArn is not text (a test\'s mock) still runs the handler, without cloud.resource_id', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ran', monitor);
  await expect(handler({}, { ...context, invokedFunctionArn: 123456789012 })).resolves.toBe('ran');
  expect(memory.spans[0]!.attributes).not.toHaveProperty('cloud.resource_id');
});
