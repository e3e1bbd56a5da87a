/**
 * `faas.invoke_duration` of a Worker's non-HTTP invocations, in Node (the workerd run is
 * invoke-duration-workerd.test.ts): the span's own start and end, its exemplar, an unsampled
 * invocation measured as an unsampled HTTP request is, a disabled monitor recording nothing, and
 * an HTTP request left to http.server.request.duration alone.
 */
import { afterEach, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument } from '../index.js';

afterEach(() => vi.restoreAllMocks());
type Point = { attributes: Record<string, unknown>; count: number; sum: number; exemplars?: { traceId: string; spanId: string }[] };
const points = (monitor: ReturnType<typeof createTestMonitor>['monitor']): Point[] =>
  (monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'faas.invoke_duration')?.points ?? []) as unknown as Point[];
type Handlers = Record<'fetch' | 'scheduled' | 'tail', (input: unknown, env: unknown, ctx: unknown) => Promise<unknown>>;
const ctx = { waitUntil() {}, passThroughOnException() {} };

test('a cron run and a tail batch: one point each with the span\'s duration and an exemplar pointing to it; a fetch gets none', async () => {
  const { monitor, memory } = createTestMonitor();
  let t = 1000;
  vi.spyOn(performance, 'now').mockImplementation(() => (t += 1));
  const worker = instrument({ fetch: async () => new Response('ok'), scheduled: async () => {}, tail: async () => {} }, monitor) as unknown as Handlers;
  await worker.scheduled({ cron: '* * * * *', scheduledTime: 0 }, {}, ctx);
  await worker.tail([], {}, ctx);
  await worker.fetch(new Request('http://x/'), {}, ctx);
  vi.restoreAllMocks();
  const ps = points(monitor);
  expect(ps.map((p) => [p.attributes, p.count])).toEqual([
    [{ 'faas.trigger': 'timer' }, 1],
    [{ 'faas.trigger': 'other' }, 1],
  ]);
  for (const [i, name] of ['scheduled * * * * *', 'tail'].entries()) {
    const s = memory.spans.find((x) => x.name === name)!;
    expect(ps[i]!.sum).toBeCloseTo((s.endTime - s.startTime) / 1000, 9);
    expect(ps[i]!.exemplars?.map((e) => [e.traceId, e.spanId])).toEqual([[s.traceId, s.spanId]]);
  }
});

test('an unsampled cron run that throws is measured with error.type; a disabled monitor records nothing', async () => {
  const unsampled = createTestMonitor({ sampler: 'always_off' });
  const fail = instrument({ scheduled: async () => { throw new TypeError('x'); } }, unsampled.monitor) as unknown as Handlers;
  await expect(fail.scheduled({ cron: '0 0 * * *', scheduledTime: 0 }, {}, ctx)).rejects.toThrow('x');
  expect(unsampled.memory.spans).toHaveLength(0);
  expect(points(unsampled.monitor).map((p) => [p.attributes, p.count])).toEqual([[{ 'faas.trigger': 'timer', 'error.type': 'TypeError' }, 1]]);
  const disabled = createTestMonitor({ disabled: true });
  await (instrument({ scheduled: async () => {} }, disabled.monitor) as unknown as Handlers).scheduled({ cron: '* * * * *', scheduledTime: 0 }, {}, ctx);
  expect(points(disabled.monitor)).toEqual([]);
});
