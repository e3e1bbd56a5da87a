/**
 * Work handed to `scope.waitUntil` (an alert's webhook post) is awaited before a Lambda returns,
 * within `flushTimeoutMs`. Work that outlasts it must not count as a slow export: the collector
 * answered, so later invocations keep the full wait for their exports (not the 100 ms of a
 * collector that is down).
 */
import { expect, test } from 'vitest';
import { getActiveScope } from '../../../src/context/active.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lambdaContext = (id: string) => ({ awsRequestId: id, functionName: 'fn', getRemainingTimeInMillis: () => 10_000 });

/** A healthy collector whose exports take `state.ms` each; `exports` counts those that finished. */
function collector() {
  const state = { ms: 0, exports: 0 };
  const backend = {
    name: 'collector',
    export: async () => (await sleep(state.ms), state.exports++, { ok: true as const }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return { state, monitor: createTestMonitor({ backends: [backend], onDiagnostic: () => {} }).monitor };
}

test('held work that outlasts flushTimeoutMs does not shorten the next invocations\' wait for their export', async () => {
  const { state, monitor } = collector();
  let hold = true;
  const handler = wrapFunction(
    async (_e: unknown, _c: unknown) => {
      monitor.tracer.startSpan('work').end();
      // A post still waiting for its receiver's answer (its own timeout is longer than the budget).
      if (hold) getActiveScope()?.waitUntil(new Promise(() => {}));
      return { statusCode: 200 };
    },
    monitor,
    { flushTimeoutMs: 300 },
  );
  const sqs = { Records: [{ eventSource: 'aws:sqs', body: '{}' }] };
  await handler(sqs, lambdaContext('held')); // the export is done at once; the work is not
  expect(state.exports).toBe(1);
  hold = false;
  state.ms = 150; // a healthy collector that takes 150 ms
  await handler(sqs, lambdaContext('next'));
  // Returned: its export was awaited (the sandbox may freeze now), not cut after 100 ms.
  expect(state.exports).toBe(2);
});

test('the same for a Web function without waitUntil: its export is awaited in full after held work outlasted the budget', async () => {
  const { state, monitor } = collector();
  let hold = true;
  const handler = wrapFunction(
    async (_req: Request) => {
      if (hold) getActiveScope()?.waitUntil(new Promise(() => {}));
      return new Response('ok');
    },
    monitor,
    { flushTimeoutMs: 300 },
  );
  await handler(new Request('https://fn.example/'));
  hold = false;
  state.ms = 150;
  await handler(new Request('https://fn.example/'));
  expect(state.exports).toBe(2);
});

test('held work that settles within the budget is still awaited before the handler returns', async () => {
  const { monitor } = createTestMonitor();
  let settled = false;
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    getActiveScope()?.waitUntil(sleep(80).then(() => (settled = true)));
    return { statusCode: 200 };
  }, monitor);
  await handler({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, lambdaContext('r'));
  expect(settled).toBe(true);
});
