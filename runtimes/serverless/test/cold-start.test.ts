import { afterEach, describe, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const ctx = (id: string) => ({ awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => 10_000 });
const coldStarts = (memory: { spans: readonly { attributes: Record<string, unknown> }[] }) => memory.spans.map((s) => s.attributes['faas.coldstart']);

describe('faas.coldstart (as OpenTelemetry’s Lambda instrumentation decides it)', () => {
  afterEach(() => {
    resetColdStart();
    vi.restoreAllMocks();
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  });

  test('on demand, the first invocation right after init is cold, the next ones warm', async () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    await handler({}, ctx('a'));
    await handler({}, ctx('b'));
    expect(coldStarts(memory)).toEqual([true, false]);
  });

  test('a sandbox made by provisioned concurrency never reports a cold start', async () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'provisioned-concurrency';
    const { monitor, memory } = createTestMonitor();
    await wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor)({}, ctx('p'));
    expect(coldStarts(memory)).toEqual([false]);
  });

  test('a sandbox initialized proactively (first invocation more than 10 s after init) is not a cold start', async () => {
    const { monitor, memory } = createTestMonitor();
    const t0 = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(t0);
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    clock.mockReturnValue(t0 + 60_000);
    await handler({}, ctx('w'));
    expect(coldStarts(memory)).toEqual([false]);
  });
});
