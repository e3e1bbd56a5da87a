// A timer observes in its instrument's unit: a "ms" histogram given seconds would be 1000× off.
import { afterEach, describe, expect, it, vi } from 'vitest';
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
