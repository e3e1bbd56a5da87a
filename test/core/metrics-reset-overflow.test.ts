/**
 * MET-11: every measurement is counted exactly once. reset() of a full instrument retires its
 * cap's series and its otel.metric.overflow series: the unsent change of each, the overflowed
 * values included, leaves with the next delta export; none is dropped as buffer_full.
 */
import { expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';
import type { MetricsSnapshot, NumberPoint } from '../../src/model/metric-data.js';

const pointsOf = (snap: MetricsSnapshot, name: string) => snap.metrics.find((m) => m.name === name)?.points ?? [];

it('reset() of a full counter: the cap series and the overflow series all reach the next delta collection', () => {
  const monitor = createMonitor({ serviceName: 't', onDiagnostic: () => {}, backends: [new MemoryBackend({ temporality: 'delta' }), new MemoryBackend()], limits: { cardinalityLimit: 2 } });
  const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
  for (const queue of ['a', 'b', 'c', 'd']) c.increment(1, { queue });
  c.reset();
  const delta = monitor.metrics.collect({ temporality: 'delta' });
  expect((pointsOf(delta, 'jobs_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([
    [{ queue: 'a' }, 1],
    [{ queue: 'b' }, 1],
    [{ 'otel.metric.overflow': true }, 2],
  ]);
  const dropped = (pointsOf(monitor.metrics.collect(), 'lexigram_monitor_dropped_total') as NumberPoint[]).map((p) => p.attributes.reason);
  expect(dropped).not.toContain('buffer_full');
});
