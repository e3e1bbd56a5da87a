import { describe, expect, it } from 'vitest';
import { unhandledRejections } from '../../test/helpers/unhandled-rejections.js';
import { SpanStatus } from '../model/span-data.js';
import type { CounterMetric } from '../model/metric-data.js';
import { PerformanceMonitor } from '../perf/performance-monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from '../wrappers/metered.js';
import { traced } from '../wrappers/traced.js';

// A native Promise returned through traced, metered, measure or startActiveSpan must reject where
// it would unwrapped and nowhere else: Node ends the process on an unhandled rejection.
const unhandled = unhandledRejections();

/** After the microtask queue has drained, when Node reports unhandled rejections. */
const checked = () => new Promise((r) => setImmediate(r));

describe('a native Promise returned by an instrumented function', () => {
  const { monitor, memory } = createTestMonitor();
  const perf = new PerformanceMonitor(monitor);
  const ways = {
    traced: (f: () => Promise<void>) => traced('kick', f, { monitor })(),
    metered: (f: () => Promise<void>) => metered('kick', f, { monitor })(),
    measure: (f: () => Promise<void>) => perf.measure('kick', f),
    startActiveSpan: (f: () => Promise<void>) => monitor.tracer.startActiveSpan('kick', {}, f),
  };

  it.each(Object.keys(ways) as (keyof typeof ways)[])(
    '%s: a rejection the function handled itself, the result ignored by the caller, stays handled (it is still recorded)',
    async (way) => {
      const err = new Error('background job failed');
      const logged: unknown[] = [];
      ways[way](() => {
        const p = Promise.reject(err);
        p.catch((e: unknown) => logged.push(e));
        return p; // the caller ignores it: fire and forget
      });
      await checked();
      expect(logged).toEqual([err]);
      expect(unhandled).toEqual([]);
      await monitor.flush();
      if (way === 'metered') expect((monitor.metrics.collect().metrics.find((m) => m.name === 'kick_errors_total') as CounterMetric).points[0].value).toBe(1);
      else expect(memory.spans.at(-1)!.status).toEqual({ code: SpanStatus.ERROR, message: 'background job failed' });
    },
  );

  it.each(Object.keys(ways) as (keyof typeof ways)[])('%s: the caller gets the promise itself, with its outcome', async (way) => {
    const err = new Error('no');
    const ok = Promise.resolve(7);
    const ko = Promise.reject(err);
    expect(ways[way](() => ok as Promise<never>)).toBe(ok);
    expect(ways[way](() => ko)).toBe(ko);
    await expect(ok).resolves.toBe(7);
    await expect(ko).rejects.toBe(err);
  });
});
