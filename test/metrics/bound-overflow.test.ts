import { describe, expect, it } from 'vitest';
import { base2ExponentialBuckets } from '../../src/index.js';
import type { NumberPoint } from '../../src/model/metric-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

function dropped(monitor: ReturnType<typeof createTestMonitor>['monitor'], reason: string): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return ((m?.points ?? []) as NumberPoint[]).find((p) => p.attributes.reason === reason)?.value ?? 0;
}

describe('MET-11: a bind() handle made past the cardinality cap (a cumulative reader keeps the overflow series)', () => {
  it('counts every value it diverts to the otel.metric.overflow series, as unbound calls are counted', () => {
    const { monitor } = createTestMonitor({ limits: { cardinalityLimit: 1 }, onDiagnostic: () => undefined });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    const h = monitor.metrics.createHistogram('job_seconds', 'Jobs');
    const e = monitor.metrics.createHistogram('job_size', 'Jobs', { buckets: base2ExponentialBuckets() });
    c.increment({ queue: 'a' });
    h.observe(1, { queue: 'a' });
    e.observe(1, { queue: 'a' });
    const before = dropped(monitor, 'cardinality_overflow');
    // Each bind() at the cap is counted once, as a bind() with misuse labels is; then each value.
    const bc = c.bind({ queue: 'b' });
    const bh = h.bind({ queue: 'b' });
    const be = e.bind({ queue: 'b' });
    for (let i = 0; i < 5; i++) {
      bc.increment();
      bh.observe(1);
      be.observe(1);
    }
    const points = monitor.metrics.collect().metrics.find((m) => m.name === 'jobs_total')!.points as NumberPoint[];
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [{ queue: 'a' }, 1],
      [{ 'otel.metric.overflow': true }, 5],
    ]);
    expect(dropped(monitor, 'cardinality_overflow') - before).toBe(3 + 15);
  });

  it('records into its own series once remove() made room, as unbound calls do', () => {
    const { monitor } = createTestMonitor({ limits: { cardinalityLimit: 1 }, onDiagnostic: () => undefined });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    const h = monitor.metrics.createHistogram('job_seconds', 'Jobs');
    c.increment({ queue: 'a' });
    h.observe(1, { queue: 'a' });
    const bc = c.bind({ queue: 'b' });
    const bh = h.bind({ queue: 'b' });
    bc.increment();
    bh.observe(2);
    c.remove({ queue: 'a' });
    h.remove({ queue: 'a' });
    bc.increment(3);
    bh.observe(4);
    const metrics = monitor.metrics.collect().metrics;
    expect((metrics.find((m) => m.name === 'jobs_total')!.points as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([
      [{ queue: 'b' }, 3],
      [{ 'otel.metric.overflow': true }, 1],
    ]);
    expect(metrics.find((m) => m.name === 'job_seconds')!.points.map((p) => [p.attributes, (p as { sum: number }).sum])).toEqual([
      [{ queue: 'b' }, 4],
      [{ 'otel.metric.overflow': true }, 2],
    ]);
  });
});
