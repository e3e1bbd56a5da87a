import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';
import type { HistogramPoint, MetricsSnapshot, NumberPoint, SummaryPoint } from '../model/metric-data.js';
import { createMonitor } from '../monitor.js';

/** A monitor exporting to a delta and a cumulative backend, as OTLP beside Prometheus. */
function twoReaders(limits?: { cardinalityLimit: number }) {
  const delta = new MemoryBackend({ temporality: 'delta' });
  const cumulative = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 't', onDiagnostic: () => {}, backends: [delta, cumulative], ...(limits ? { limits } : {}) });
  return { monitor, delta, cumulative };
}

const pointsOf = (snap: MetricsSnapshot | undefined, name: string) => snap?.metrics.find((m) => m.name === name)?.points ?? [];
const dropped = (monitor: ReturnType<typeof createMonitor>, reason: string) =>
  (pointsOf(monitor.metrics.collect(), 'lexigram_monitor_dropped_total') as NumberPoint[]).find((p) => p.attributes.reason === reason)?.value ?? 0;

describe('remove() and reset() with a delta reader', () => {
  it('the unsent change of a removed series leaves with the next delta export, once; cumulative readers stop seeing it at once', async () => {
    const { monitor, delta, cumulative } = twoReaders();
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['queue'] });
    const h = monitor.metrics.createHistogram('job_seconds', 'Jobs', { labelNames: ['queue'], buckets: [1] });
    const g = monitor.metrics.createGauge('depth', 'Depth', { labelNames: ['queue'] });
    const s = monitor.metrics.createSummary('size', 'Size', { labelNames: ['queue'] });
    const u = monitor.metrics.createUpDownCounter('open', 'Open', { labelNames: ['queue'] });
    const a = { queue: 'a' };
    c.increment(1, a);
    h.observe(0.5, a);
    await monitor.flush();
    c.increment(2, a);
    h.observe(3, a);
    g.set(7, a);
    s.observe(4, a);
    u.add(5, a);
    expect(c.remove(a)).toBe(true);
    h.remove(a);
    g.remove(a);
    s.reset();
    u.reset();
    expect(monitor.metrics.collect().metrics).toEqual([]);
    const before = cumulative.metricSnapshots.length;
    await monitor.flush();
    const last = delta.metricSnapshots.at(-1);
    expect((pointsOf(last, 'jobs_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[a, 2]]);
    expect((pointsOf(last, 'job_seconds') as HistogramPoint[]).map((p) => [p.count, p.sum, p.bucketCounts])).toEqual([[1, 3, [0, 1]]]);
    expect((pointsOf(last, 'depth') as NumberPoint[]).map((p) => p.value)).toEqual([7]);
    expect((pointsOf(last, 'size') as SummaryPoint[]).map((p) => [p.count, p.sum])).toEqual([[1, 4]]);
    expect((pointsOf(last, 'open') as NumberPoint[]).map((p) => p.value)).toEqual([5]);
    // The cumulative backend got none of them from the same flush.
    expect(cumulative.metricSnapshots.slice(before).flatMap((x) => x.metrics)).toEqual([]);
    // Once: the next delta collection has nothing of them.
    c.increment(1, { queue: 'b' });
    await monitor.flush();
    expect((pointsOf(delta.metricSnapshots.at(-1), 'jobs_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ queue: 'b' }, 1]]);
    expect(monitor.metrics.collect({ temporality: 'delta' }).metrics).toEqual([]);
    await monitor.shutdown();
  });

  it('a series made again after remove() is its own delta point; the removed one ends at its removal', () => {
    const { monitor } = twoReaders();
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    c.increment(2);
    c.reset();
    c.increment(3);
    const pts = pointsOf(monitor.metrics.collect({ temporality: 'delta' }), 'jobs_total') as NumberPoint[];
    expect(pts.map((p) => p.value)).toEqual([2, 3]);
    expect(pts[0]!.time).toBeLessThanOrEqual(pts[1]!.startTime);
    expect((pointsOf(monitor.metrics.collect(), 'jobs_total') as NumberPoint[]).map((p) => p.value)).toEqual([3]);
  });

  it('past limits.cardinalityLimit removed series waiting for a delta export, a change is dropped and counted (buffer_full)', () => {
    const { monitor } = twoReaders({ cardinalityLimit: 2 });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['queue'] });
    for (const queue of ['a', 'b', 'c']) {
      c.increment({ queue });
      c.remove({ queue });
    }
    expect(dropped(monitor, 'buffer_full')).toBe(1);
    expect((pointsOf(monitor.metrics.collect({ temporality: 'delta' }), 'jobs_total') as NumberPoint[]).map((p) => p.attributes.queue)).toEqual(['a', 'b']);
  });

  it('without a delta backend nothing is kept for one: no drops, no points', () => {
    const monitor = createMonitor({ serviceName: 't', onDiagnostic: () => {}, backends: [new MemoryBackend()], limits: { cardinalityLimit: 1 } });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['queue'] });
    for (const queue of ['a', 'b', 'c']) {
      c.increment({ queue });
      c.remove({ queue });
    }
    expect(dropped(monitor, 'buffer_full')).toBe(0);
    expect(pointsOf(monitor.metrics.collect(), 'jobs_total')).toEqual([]);
  });
});

describe('remove() of a series whose label values were redacted', () => {
  it('finds it by the labels it was recorded with (declared, any, over the attribute cap), its unsent delta included', async () => {
    const { monitor, delta } = twoReaders();
    const declared = monitor.metrics.createCounter('logins_total', 'Logins', { labelNames: ['token', 'site'] });
    const any = monitor.metrics.createGauge('links', 'Links');
    const url = 'https://user:pw@example.com/p?token=abc';
    const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`l${String(i).padStart(3, '0')}`, 'x']));
    declared.increment(2, { token: 'tok-123', site: 'a' });
    any.set(5, { url, api_key: 'k-1' });
    any.set(6, { ...many, password: 'p' }); // 'password' sorts after l000…l127: cut, not redacted
    any.set(7, { ...many, a_token: 't-9' }); // kept (sorts first) and redacted
    const collected = monitor.metrics.collect();
    expect(pointsOf(collected, 'links')).toHaveLength(3);
    expect((pointsOf(collected, 'logins_total') as NumberPoint[]).map((p) => p.attributes.token)).toEqual(['[REDACTED]']);
    expect((pointsOf(collected, 'links') as NumberPoint[]).filter((p) => (p.attributes.api_key ?? p.attributes.a_token) === '[REDACTED]')).toHaveLength(2);
    expect(declared.remove({ token: 'tok-123', site: 'a' })).toBe(true);
    expect(any.remove({ url, api_key: 'k-1' })).toBe(true);
    expect(any.remove({ ...many, a_token: 't-9' })).toBe(true);
    expect(any.remove({ ...many, password: 'p' })).toBe(true);
    expect(declared.remove({ token: 'tok-123', site: 'a' })).toBe(false);
    expect(monitor.metrics.collect().metrics.map((m) => m.name)).toEqual(['lexigram_monitor_dropped_total']); // attribute_limit
    await monitor.flush();
    const last = delta.metricSnapshots.at(-1);
    expect((pointsOf(last, 'logins_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ token: '[REDACTED]', site: 'a' }, 2]]);
    expect((pointsOf(last, 'links') as NumberPoint[]).map((p) => p.value).sort()).toEqual([5, 6, 7]);
    await monitor.shutdown();
  });
});
