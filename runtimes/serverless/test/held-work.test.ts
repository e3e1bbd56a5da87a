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

test('held work that outlasts flushTimeoutMs does not shorten the next invocations\' wait for their export', async () => {
  let delay = 0;
  const done: string[] = [];
  const collector = {
    name: 'collector',
    export: async () => {
      await sleep(delay);
      done.push('export');
      return { ok: true as const };
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const { monitor } = createTestMonitor({ backends: [collector], onDiagnostic: () => {} });
  let hold = true;
  const handler = wrapFunction(
    async () => {
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
  expect(done).toEqual(['export']);
  hold = false;
  delay = 150; // a healthy collector that takes 150 ms
  await handler(sqs, lambdaContext('next'));
  // Returned: its export was awaited (the sandbox may freeze now), not cut after 100 ms.
  expect(done).toEqual(['export', 'export']);
});

test('the same for a Web function without waitUntil: its export is awaited in full after held work outlasted the budget', async () => {
  let delay = 0;
  let exports = 0;
  const collector = {
    name: 'collector',
    export: async () => (await sleep(delay), exports++, { ok: true as const }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const { monitor } = createTestMonitor({ backends: [collector], onDiagnostic: () => {} });
  let hold = true;
  const handler = wrapFunction(
    async () => {
      if (hold) getActiveScope()?.waitUntil(new Promise(() => {}));
      return new Response('ok');
    },
    monitor,
    { flushTimeoutMs: 300 },
  );
  await handler(new Request('https://fn.example/'));
  hold = false;
  delay = 150;
  await handler(new Request('https://fn.example/'));
  expect(exports).toBe(2);
});

test('held work that settles within the budget is still awaited before the handler returns', async () => {
  const { monitor } = createTestMonitor();
  let settled = false;
  const handler = wrapFunction(async () => {
    getActiveScope()?.waitUntil(sleep(80).then(() => (settled = true)));
    return { statusCode: 200 };
  }, monitor);
  await handler({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, lambdaContext('r'));
  expect(settled).toBe(true);
});
