import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

describe('MetricsCollector: an instrument asked for again', () => {
  it('a summary with other quantiles, maxAgeSeconds or ageBuckets is a configuration error naming the option, as a histogram with other buckets', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => {} });
    const m = monitor.metrics;
    m.createHistogram('h_seconds', 'H', { buckets: [0.1, 1] });
    expect(() => m.createHistogram('h_seconds', 'H', { buckets: [0.5, 5] })).toThrow('histogram "h_seconds" already exists with other buckets (0.1, 1).');

    const s = m.createSummary('s_seconds', 'S', { quantiles: [0.5, 0.9], maxAgeSeconds: 60, ageBuckets: 3 });
    expect(() => m.createSummary('s_seconds', 'S', { quantiles: [0.5, 0.999] })).toThrow('summary "s_seconds" already exists with other quantiles (0.5, 0.9).');
    expect(() => m.createSummary('s_seconds', 'S', { maxAgeSeconds: 600 })).toThrow('summary "s_seconds" already exists with other maxAgeSeconds (60).');
    expect(() => m.createSummary('s_seconds', 'S', { ageBuckets: 5 })).toThrow('summary "s_seconds" already exists with other ageBuckets (3).');
    expect(() => m.createSummary('s_seconds', 'S', { quantiles: [0.5], maxAgeSeconds: 60, ageBuckets: 2 })).toThrow(
      'summary "s_seconds" already exists with other quantiles (0.5, 0.9), ageBuckets (3).',
    );
    // The options in effect are the first call's.
    expect(s.options).toEqual({ quantiles: [0.5, 0.9], maxAgeSeconds: 60, ageBuckets: 3 });

    // The same options (or none, as for a histogram's buckets) give back the same instrument.
    expect(m.createSummary('s_seconds', 'S', { quantiles: [0.5, 0.9], maxAgeSeconds: 60, ageBuckets: 3 })).toBe(s);
    expect(m.createSummary('s_seconds', 'S', { maxAgeSeconds: 60 })).toBe(s);
    expect(m.createSummary('s_seconds', 'S')).toBe(s);
    const d = m.createSummary('d_seconds', 'D');
    expect(m.createSummary('d_seconds', 'D', { quantiles: [0.5, 0.9, 0.95, 0.99], maxAgeSeconds: 600, ageBuckets: 5 })).toBe(d);
  });
});
