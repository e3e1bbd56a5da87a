// A timer observes in its instrument's unit: a "ms" histogram given seconds would be 1000× off.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistogramPoint } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';

/** The clock reads 1000 ms at the timer's start and 1250 ms at its end: 0.25 s elapse. */
function quarterSecond(): void {
  let t = 1000;
  vi.spyOn(performance, 'now').mockImplementation(() => {
    const v = t;
    t += 250;
    return v;
  });
}

const sums = (monitor: ReturnType<typeof createTestMonitor>['monitor']): Record<string, number> =>
  Object.fromEntries(monitor.metrics.collect().metrics.filter((m) => m.type === 'histogram' || m.type === 'summary').map((m) => [m.name, (m.points[0] as { sum: number }).sum]));

afterEach(() => vi.restoreAllMocks());

describe('startTimer observes in the instrument unit', () => {
  it('ms, us, ns, min and no unit; histogram, bound histogram and summary', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const m = monitor.metrics;
    const timed = [
      m.createHistogram('a_duration', 'x', { unit: 'ms' }),
      m.createHistogram('b_duration', 'x', { unit: 'ms', labelNames: ['job'] }).bind({ job: 'j' }),
      m.createSummary('c_duration', 'x', { unit: 'ms' }),
      m.createHistogram('d_duration', 'x', { unit: 'us' }),
      m.createHistogram('e_duration', 'x', { unit: 'ns' }),
      m.createHistogram('f_duration', 'x', { unit: 'min' }),
      m.createHistogram('g_duration', 'x', { unit: 's' }),
      m.createHistogram('h_duration', 'x'),
    ];
    const returned: number[] = [];
    for (const instrument of timed) {
      quarterSecond();
      returned.push(instrument.startTimer()());
      vi.restoreAllMocks();
    }
    expect(returned).toEqual([250, 250, 250, 250_000, 250_000_000, 0.25 / 60, 0.25, 0.25]);
    expect(sums(monitor)).toMatchObject({ a_duration: 250, b_duration: 250, c_duration: 250, d_duration: 250_000, e_duration: 250_000_000, g_duration: 0.25, h_duration: 0.25 });
  });
});

describe('default buckets follow a sub-second time unit', () => {
  it('ms, us and ns get the seconds buckets in their unit; s, min and others keep seconds; given buckets are kept', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const m = monitor.metrics;
    expect(m.createHistogram('a_ms', 'x', { unit: 'ms' }).bounds).toEqual([5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
    expect(m.createHistogram('b_us', 'x', { unit: 'us' }).bounds.at(0)).toBe(5000);
    expect(m.createHistogram('c_ns', 'x', { unit: 'ns' }).bounds.at(-1)).toBe(10_000_000_000);
    expect(m.createHistogram('d_s', 'x', { unit: 's' }).bounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    expect(m.createHistogram('e_min', 'x', { unit: 'min' }).bounds.at(0)).toBe(0.005);
    expect(m.createHistogram('f_by', 'x', { unit: 'By' }).bounds.at(0)).toBe(0.005);
    expect(m.createHistogram('g_ms', 'x', { unit: 'ms', buckets: [1, 2] }).bounds).toEqual([1, 2]);
    // Asked for again without buckets: the same histogram, no clash.
    expect(m.createHistogram('a_ms', 'x', { unit: 'ms' }).bounds.at(0)).toBe(5);
    // A quarter second timed lands in the 250 ms bucket, not the last one.
    quarterSecond();
    (m.getMetric('a_ms') as ReturnType<typeof m.createHistogram>).startTimer()();
    const point = m.collect().metrics.find((x) => x.name === 'a_ms')!.points[0] as HistogramPoint;
    expect(point.bucketCounts.indexOf(1)).toBe(6);
  });

  it('a unit that is no string (an object without toString) gets the unit message, as for other instruments', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    expect(() => monitor.metrics.createHistogram('i_odd', 'x', { unit: Object.create(null) as never })).toThrow(/`unit` must be up to 63 printable ASCII characters/);
  });
});
