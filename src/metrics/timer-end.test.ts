// A timer's end function is often handed to `.then(end)`, so it receives whatever the promise
// resolved with: it must never throw into the app because of it.
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

const hostile = (): object =>
  Object.defineProperty({}, 'job', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });

describe("a timer's end given what cannot be read", () => {
  it('bound: the argument is not read; the series gets its observation', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const h = monitor.metrics.createHistogram('bound_seconds', 'Jobs', { labelNames: ['job'] });
    const end = h.bind({ job: 'a' }).startTimer() as (x?: unknown) => number;
    expect(() => end(hostile())).not.toThrow();
    const points = monitor.metrics.collect().metrics.find((m) => m.name === 'bound_seconds')!.points;
    expect(points.map((p) => [p.attributes, (p as { count: number }).count])).toEqual([[{ job: 'a' }, 1]]);
  });

  it('unbound histogram and summary: no throw, the observation is dropped and counted', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const h = monitor.metrics.createHistogram('h_seconds', 'Jobs', { labelNames: ['job'] });
    const s = monitor.metrics.createSummary('s_seconds', 'Jobs', { labelNames: ['job'] });
    expect(() => (h.startTimer({ job: 'a' }) as (x?: unknown) => number)(hostile())).not.toThrow();
    expect(() => (s.startTimer({ job: 'a' }) as (x?: unknown) => number)(hostile())).not.toThrow();
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [];
    expect(dropped.reduce((n, p) => n + (p as { value: number }).value, 0)).toBe(2);
  });
});

describe('labels that throw when read', () => {
  it('are dropped and counted as invalid_label by every instrument, never thrown', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const m = monitor.metrics;
    const calls = [
      () => m.createCounter('a_total', 'x', { labelNames: ['job'] }).increment(hostile() as never),
      () => m.createCounter('b_total', 'x').increment(hostile() as never),
      () => m.createHistogram('c_seconds', 'x').observe(1, hostile() as never),
      () => m.createGauge('d', 'x').set(1, hostile() as never),
      () => m.createSummary('e_seconds', 'x').observe(1, hostile() as never),
    ];
    for (const call of calls) expect(call).not.toThrow();
    const dropped = m.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total')!.points;
    expect(dropped.filter((p) => p.attributes.reason === 'invalid_label').map((p) => (p as { value: number }).value)).toEqual([5]);
  });
});
