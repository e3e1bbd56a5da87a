import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { HistogramPoint } from '../model/metric-data.js';

const quiet = { onDiagnostic: () => {} };

describe('instruments: what every type shares', () => {
  it('a collection reports each type with its temporality (up-down counters and summaries always cumulative) and leaves out instruments without series', () => {
    const { monitor } = createTestMonitor(quiet);
    const m = monitor.metrics;
    m.createCounter('c_total', 'C').increment();
    m.createUpDownCounter('u', 'U').add(2);
    m.createGauge('g', 'G').set(3);
    m.createHistogram('h_seconds', 'H').observe(0.2);
    m.createSummary('s_seconds', 'S').observe(0.2);
    m.createCounter('unused_total', 'Never incremented');
    for (const temporality of ['cumulative', 'delta'] as const) {
      const shapes = m.collect({ temporality }).metrics.map((x) => [x.name, x.type, x.temporality, x.unit, x.help, x.points.length]);
      const t = temporality;
      expect(shapes).toEqual([
        ['c_total', 'counter', t, '', 'C', 1],
        ['u', 'updowncounter', 'cumulative', '', 'U', 1],
        ['g', 'gauge', t, '', 'G', 1],
        ['h_seconds', 'histogram', t, '', 'H', 1],
        ['s_seconds', 'summary', 'cumulative', '', 'S', 1],
      ]);
    }
  });

  it("a bound histogram's timer observes the elapsed seconds into its series and returns them; labels given to its end are not used", () => {
    const { monitor } = createTestMonitor(quiet);
    const h = monitor.metrics.createHistogram('job_seconds', 'Jobs', { labelNames: ['job'] });
    const end = h.bind({ job: 'a' }).startTimer();
    const seconds = (end as (labels?: Record<string, string>) => number)({ job: 'b' });
    expect(seconds).toBeGreaterThanOrEqual(0);
    const points = monitor.metrics.collect().metrics.find((x) => x.name === 'job_seconds')!.points as HistogramPoint[];
    expect(points.map((p) => [p.attributes, p.count, p.sum])).toEqual([[{ job: 'a' }, 1, seconds]]);
  });
});
