/**
 * MET-11 read as deltas only: the cap counts one export cycle's sets, so a `bind()` handle made
 * while an instrument was full records into its own series once a later cycle has room, as
 * unbound calls with the same labels do; every value is still exported exactly once.
 */
import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';

function deltaMonitor() {
  const memory = new MemoryBackend({ temporality: 'delta' });
  const monitor = createMonitor({ serviceName: 's', backends: [memory], limits: { cardinalityLimit: 2 }, onDiagnostic: () => {} });
  return { monitor, memory };
}

const points = (memory: MemoryBackend, name: string) =>
  (memory.metricSnapshots.at(-1)!.metrics.find((m) => m.name === name)?.points ?? []).map((p) => [p.attributes, 'value' in p ? p.value : (p as { count: number }).count]);

describe('a handle bound at the cardinality cap, read as deltas only', () => {
  it('counter: overflow in the full cycle, its own series once the idle sets were forgotten', async () => {
    const { monitor, memory } = deltaMonitor();
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    c.increment(1, { tenant: 'a' });
    c.increment(1, { tenant: 'b' });
    const bound = c.bind({ tenant: 'c' });
    bound.increment(4);
    await monitor.flush();
    expect(points(memory, 'jobs_total')).toEqual([
      [{ tenant: 'a' }, 1],
      [{ tenant: 'b' }, 1],
      [{ 'otel.metric.overflow': true }, 4],
    ]);
    // a and b are idle from now on: the next cycle has room for c.
    bound.increment(2);
    await monitor.flush();
    expect(points(memory, 'jobs_total')).toEqual([[{ tenant: 'c' }, 2]]);
    bound.increment(3);
    c.increment(1, { tenant: 'c' });
    await monitor.flush();
    expect(points(memory, 'jobs_total')).toEqual([[{ tenant: 'c' }, 4]]);
  });

  it('histogram: the same', async () => {
    const { monitor, memory } = deltaMonitor();
    const h = monitor.metrics.createHistogram('wait_seconds', 'Wait', { buckets: [1] });
    h.observe(0.5, { tenant: 'a' });
    h.observe(0.5, { tenant: 'b' });
    const bound = h.bind({ tenant: 'c' });
    bound.observe(0.5);
    await monitor.flush();
    expect(points(memory, 'wait_seconds')).toContainEqual([{ 'otel.metric.overflow': true }, 1]);
    bound.observe(0.5);
    bound.observe(2);
    await monitor.flush();
    expect(points(memory, 'wait_seconds')).toEqual([[{ tenant: 'c' }, 2]]);
  });
});
