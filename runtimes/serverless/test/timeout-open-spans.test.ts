import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import type { MemoryBackend } from '../../../src/exporters/memory/memory-backend.js';
import type { Monitor } from '../../../src/monitor.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const contextWithDeadline = (id: string, ms: number) => {
  const deadline = Date.now() + ms;
  return { awsRequestId: id, functionName: 'orders', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
};

/** The dropped counts in the first metric snapshot exported: what leaves with the timeout's export. */
const droppedInFirstExport = (memory: MemoryBackend): Record<string, number> =>
  Object.fromEntries(
    (memory.metricSnapshots[0]?.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? []).map((p) => [String(p.attributes.reason), (p as { value: number }).value]),
  );

/** Waits until the invocation's span has been exported (the timeout's export, inside the margin). */
async function exported(memory: MemoryBackend): Promise<void> {
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => memory.spans.length && (clearInterval(poll), resolve()), 5);
  });
  // the export's own promise settles right after the backend took the batch
  await new Promise((r) => setTimeout(r, 20));
}

function handlerWithOpenSpans(monitor: Monitor) {
  return wrapFunction(
    async (_event: unknown, _context: unknown) => {
      monitor.tracer.startSpan('done').end();
      // Still running at the deadline: a query, and the call it waits on inside it.
      await monitor.tracer.startActiveSpan('query', async () => {
        monitor.tracer.startSpan('call');
        await new Promise(() => {}); // never settles: Lambda stops the function at its deadline
      });
    },
    monitor,
    { timeoutMarginMs: 300 },
  );
}

test('Lambda timeout: the child spans still open when the invocation is exported at its timeout margin are counted (export_timeout), in that export', async () => {
  const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000 });
  void handlerWithOpenSpans(monitor)({}, contextWithDeadline('t-1', 400) as never);
  await exported(memory);
  expect(memory.spans.map((s) => [s.name, s.attributes['error.type']])).toEqual([
    ['done', undefined],
    ['orders', 'timeout'],
  ]);
  // 'query' and 'call' never end: Lambda stops the function, and resets the sandbox, at its deadline.
  expect(droppedInFirstExport(memory)).toEqual({ export_timeout: 2 });
});

test('Lambda timeout: open child spans of an unsampled invocation are not counted (they were never to be exported)', async () => {
  const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000 });
  const event = { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' }, requestContext: { http: { method: 'GET', path: '/' } }, version: '2.0', rawPath: '/' };
  void handlerWithOpenSpans(monitor)(event, contextWithDeadline('t-2', 400) as never);
  // Nothing sampled is exported: wait for the timeout's export by its metrics.
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => memory.metricSnapshots.length && (clearInterval(poll), resolve()), 5);
  });
  expect(memory.spans).toEqual([]);
  expect(droppedInFirstExport(memory)).toEqual({});
});

test('an invocation whose children all ended counts nothing', async () => {
  const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000 });
  const handler = wrapFunction(
    async (_event: unknown, _context: unknown) => {
      await monitor.tracer.startActiveSpan('query', async () => monitor.tracer.startSpan('call').end());
      return 'ok';
    },
    monitor,
    { timeoutMarginMs: 300 },
  );
  expect(await handler({}, contextWithDeadline('t-3', 400) as never)).toBe('ok');
  expect(memory.spans.map((s) => s.name)).toEqual(['call', 'query', 'orders']);
  expect(droppedInFirstExport(memory)).toEqual({});
});

test('Lambda timeout: spans that ended past spansPerScope are counted once (span_limit), not again as open', async () => {
  const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000, limits: { spansPerScope: 1 } });
  void handlerWithOpenSpans(monitor)({}, contextWithDeadline('t-4', 400) as never);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => memory.metricSnapshots.length && (clearInterval(poll), resolve()), 5);
  });
  await new Promise((r) => setTimeout(r, 20));
  // 'done' fills the scope; the invocation's own span, ended at the timeout, is over the limit.
  expect(memory.spans.map((s) => s.name)).toEqual(['done']);
  expect(droppedInFirstExport(memory)).toEqual({ span_limit: 1, export_timeout: 2 });
});
