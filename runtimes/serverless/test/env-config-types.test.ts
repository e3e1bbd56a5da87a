/**
 * `wrapFunction(fn, (env) => options)`: `env` is the process environment, its values text or unset.
 * This file is type-checked (`npm run typecheck`, tsconfig.test.json): with values typed `unknown`
 * the config function below failed TS2345, with an error naming Monitor.
 */
import { afterEach, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/exporters/memory/memory-backend.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => {
  resetColdStart();
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});

test('a config function reads env values as text: env.AWS_LAMBDA_FUNCTION_NAME ?? "orders" names the service', async () => {
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'orders-prod';
  const memory = new MemoryBackend();
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode: 200 }), (env) => ({ serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'orders', backends: [memory] }));
  await handler({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 5_000 });
  expect(memory.resource?.attributes['service.name']).toBe('orders-prod');
});
