import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const contextWithDeadline = (id: string, ms: number) => {
  const deadline = Date.now() + ms;
  return { awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
};

test('a handler that answers after its timeout was recorded, before its deadline: what it recorded since (its child span, a log) is exported before its answer reaches the runtime, not left in the buffer for a sandbox that may never run again', async () => {
  const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000 });
  let release!: () => void;
  const upstream = new Promise<void>((r) => (release = r));
  let timedOut!: () => void;
  const recorded = new Promise<void>((r) => (timedOut = r));
  const handler = wrapFunction(async (_event: unknown, _context: unknown) => {
    const child = monitor.tracer.startSpan('upstream');
    await upstream;
    child.end();
    monitor.logger.info('upstream answered');
    return 'late';
  }, monitor, { timeoutMarginMs: 300 });
  const answer = handler({}, contextWithDeadline('late-1', 400) as never);
  // Released once the invocation's span was exported as a timeout, inside the margin.
  const poll = setInterval(() => memory.spans.length && timedOut(), 5);
  await recorded;
  clearInterval(poll);
  expect(memory.spans.map((s) => [s.name, s.attributes['error.type']])).toEqual([['orders', 'timeout']]);
  release();
  expect(await answer).toBe('late');
  // Exported before the answer, without a flush of the test's own.
  expect(memory.spans.map((s) => s.name)).toEqual(['orders', 'upstream']);
  expect(memory.spans[1]!.parentSpanId).toBe(memory.spans[0]!.spanId);
  expect(memory.logs.map((l) => l.body)).toEqual(['upstream answered']);
});
