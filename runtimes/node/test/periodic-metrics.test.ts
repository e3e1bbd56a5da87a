import { expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { instrument } from '../index.js';

/** Polls `f` until it is true, for at most `ms` (an eventual delivery, not a timing assertion). */
async function eventually(f: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (f()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return f();
}

const exported = (memory: MemoryBackend, name: string): number =>
  memory.metricSnapshots.flatMap((s) => s.metrics.filter((m) => m.name === name).flatMap((m) => m.points as unknown as { value: number }[])).reduce((n, p) => Math.max(n, p.value), 0);

test('a server process exports metric changes made between requests (a background job) every metric interval, without waiting for a request; not after shutdown()', async () => {
  const memory = new MemoryBackend();
  const handler = instrument(() => new Response('ok'), { serviceName: 'jobs', backends: [memory], metricExportIntervalMs: 20 }, { traceFetch: false });
  const jobs = handler.monitor.metrics.createCounter('jobs_done_total', 'Jobs done.');
  jobs.increment();
  expect(await eventually(() => exported(memory, 'jobs_done_total') === 1)).toBe(true);
  jobs.increment(2);
  expect(await eventually(() => exported(memory, 'jobs_done_total') === 3)).toBe(true);
  await handler.shutdown();
  const snapshots = memory.metricSnapshots.length;
  await new Promise((r) => setTimeout(r, 100));
  expect(memory.metricSnapshots.length).toBe(snapshots);
});
