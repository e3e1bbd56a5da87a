/**
 * MET-11: the cardinality limit is the number of points per metric per collection cycle. When a
 * monitor's metrics are read only as deltas (OTLP's default), a counter or histogram series that
 * did not change for a whole cycle is forgotten, as sdk-metrics forgets it: label sets that come
 * and go neither fill the cap for good nor stay in memory. Whenever anything reads cumulative
 * totals (a cumulative backend, a `/metrics` handler, a cumulative collection), every series is
 * kept. Gauges, up-down counters and summaries carry state and are always kept.
 */
import { metrics as otelMetrics } from '@opentelemetry/api';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, type Monitor } from '../../src/index.js';
import { metricsHandler } from '../../src/exporters/prometheus/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import type { NumberPoint } from '../../src/model/metric-data.js';
import { CollectingReader } from '../otel/helpers/sdk-reader.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

const CAP = 3;

function deltaMonitor(extra: Partial<Parameters<typeof createMonitor>[0]> = {}) {
  const memory = new MemoryBackend({ temporality: 'delta' });
  const monitor = createMonitor({ serviceName: 's', backends: [memory], limits: { cardinalityLimit: CAP }, onDiagnostic: () => {}, ...extra });
  return { monitor, memory };
}

/** The points of `name` in the newest snapshot: [labels, value] for sums, [labels, count] for histograms. */
function lastPoints(memory: MemoryBackend, name: string): [Record<string, unknown>, number][] {
  const snap = memory.metricSnapshots.at(-1)!;
  const m = snap.metrics.find((x) => x.name === name);
  return (m?.points ?? []).map((p) => [p.attributes, 'value' in p ? (p.value as number) : (p as { count: number }).count]);
}

/** Values sent to overflow, summed over every delta snapshot the backend got. */
const overflowDrops = (memory: MemoryBackend) =>
  memory.metricSnapshots
    .flatMap((s) => s.metrics.filter((m) => m.name === 'lexigram_monitor_dropped_total').flatMap((m) => m.points as readonly NumberPoint[]))
    .filter((p) => p.attributes.reason === 'cardinality_overflow')
    .reduce((n, p) => n + p.value, 0);

describe('MET-11 under delta export: the cap counts the sets of one collection cycle', () => {
  it('sets that replace each other from cycle to cycle never overflow; each point is counted once', async () => {
    const { monitor, memory } = deltaMonitor();
    const c = monitor.metrics.createCounter('by_tenant_total', 'Per tenant', { labelNames: ['tenant'] });
    const h = monitor.metrics.createHistogram('latency_seconds', 'Latency', { labelNames: ['tenant'] });
    const cycles = [['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i'], ['a', 'b', 'c']];
    for (const tenants of cycles) {
      for (const t of tenants) {
        c.increment(2, { tenant: t });
        h.observe(0.1, { tenant: t });
      }
      await monitor.flush();
      expect(lastPoints(memory, 'by_tenant_total')).toEqual(tenants.map((t) => [{ tenant: t }, 2]));
      expect(lastPoints(memory, 'latency_seconds')).toEqual(tenants.map((t) => [{ tenant: t }, 1]));
      // Held: this cycle's sets only (the previous cycle's were forgotten when this one's arrived).
      expect(c.seriesCount).toBe(CAP);
    }
    expect(overflowDrops(memory)).toBe(0);
  });

  it('more sets than the cap within one cycle still overflow, counted, and the next cycle starts afresh', async () => {
    const { monitor, memory } = deltaMonitor();
    const c = monitor.metrics.createCounter('by_user_total', 'Per user');
    for (const u of ['a', 'b', 'c', 'd', 'e']) c.increment(1, { user: u });
    await monitor.flush();
    expect(lastPoints(memory, 'by_user_total')).toEqual([
      [{ user: 'a' }, 1],
      [{ user: 'b' }, 1],
      [{ user: 'c' }, 1],
      [{ 'otel.metric.overflow': true }, 2],
    ]);
    for (const u of ['d', 'e', 'f']) c.increment(1, { user: u });
    await monitor.flush();
    expect(lastPoints(memory, 'by_user_total')).toEqual([
      [{ user: 'd' }, 1],
      [{ user: 'e' }, 1],
      [{ user: 'f' }, 1],
    ]);
    expect(overflowDrops(memory)).toBe(2);
  });

  it('agrees with sdk-metrics under a delta reader (limit + 1 there: its overflow series takes a slot)', async () => {
    const reader = new CollectingReader('delta', CAP + 1);
    const provider = new MeterProvider({ readers: [reader] });
    const sdk = provider.getMeter('m').createCounter('by_tenant_total');
    const { monitor, memory } = deltaMonitor();
    const ours = monitor.metrics.createCounter('by_tenant_total', 'Per tenant');
    const cycles = [['a', 'b', 'c'], ['a', 'd', 'e'], ['f', 'g', 'h', 'i'], ['i', 'a']];
    for (const tenants of cycles) {
      for (const t of tenants) {
        sdk.add(1, { tenant: t });
        ours.increment(1, { tenant: t });
      }
      const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
      const sdkPoints = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints.map((p) => [p.attributes, p.value]);
      await monitor.flush();
      expect(lastPoints(memory, 'by_tenant_total')).toEqual(sdkPoints);
    }
    await provider.shutdown();
    otelMetrics.disable();
  });

  it('a bound handle whose series was forgotten records into a new one; a set that returns counts from zero', async () => {
    const { monitor, memory } = deltaMonitor();
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['queue'] });
    const other = monitor.metrics.createCounter('other_total', 'Other');
    const bound = c.bind({ queue: 'q' });
    bound.increment(5);
    await monitor.flush();
    other.increment();
    await monitor.flush(); // jobs_total{queue=q} idle for a whole cycle: forgotten
    expect(c.seriesCount).toBe(0);
    bound.increment(2);
    c.increment(1, { queue: 'q' });
    await monitor.flush();
    const snap = memory.metricSnapshots.at(-1)!;
    const point = snap.metrics.find((m) => m.name === 'jobs_total')!.points[0]!;
    expect([point.attributes, (point as { value: number }).value]).toEqual([{ queue: 'q' }, 3]);
    // A fresh interval: it starts after the collection that forgot the series.
    expect(point.startTime).toBeGreaterThanOrEqual(memory.metricSnapshots.at(-2)!.time);
  });

  it('gauges and up-down counters keep their series (their values carry on)', async () => {
    const { monitor, memory } = deltaMonitor();
    const g = monitor.metrics.createGauge('in_flight', 'In flight');
    const u = monitor.metrics.createUpDownCounter('queue_depth', 'Depth');
    const other = monitor.metrics.createCounter('other_total', 'Other');
    g.increment(1, { pool: 'p' });
    u.add(4, { queue: 'q' });
    await monitor.flush();
    other.increment();
    await monitor.flush();
    g.decrement(1, { pool: 'p' });
    u.add(-1, { queue: 'q' });
    await monitor.flush();
    expect(lastPoints(memory, 'in_flight')).toEqual([[{ pool: 'p' }, 0]]);
    expect(lastPoints(memory, 'queue_depth')).toEqual([[{ queue: 'q' }, 3]]);
  });
});

describe('MET-11: with a cumulative reader every series is kept', () => {
  /** Two cycles of three new sets each, then what a cumulative read finds. */
  async function rotate(monitor: Monitor): Promise<Record<string, unknown>[]> {
    const c = monitor.metrics.createCounter('by_tenant_total', 'Per tenant', { labelNames: ['tenant'] });
    for (const tenants of [['a', 'b', 'c'], ['d', 'e', 'f']]) {
      for (const t of tenants) c.increment(1, { tenant: t });
      await monitor.flush();
    }
    return monitor.metrics.collect().metrics.find((m) => m.name === 'by_tenant_total')!.points.map((p) => p.attributes);
  }
  // The totals of a, b and c are still read; d, e and f went to the overflow series.
  const kept = [{ tenant: 'a' }, { tenant: 'b' }, { tenant: 'c' }, { 'otel.metric.overflow': true }];

  it('a cumulative backend beside the delta one', async () => {
    const { monitor } = deltaMonitor({ backends: [new MemoryBackend({ temporality: 'delta' }), new MemoryBackend()] });
    expect(await rotate(monitor)).toEqual(kept);
  });

  it('a /metrics handler made for the monitor, before any scrape', async () => {
    const { monitor, memory } = deltaMonitor();
    metricsHandler(monitor);
    expect(await rotate(monitor)).toEqual(kept);
    expect(overflowDrops(memory)).toBe(3);
  });

  it('a cumulative collection', async () => {
    const { monitor } = deltaMonitor();
    monitor.metrics.collect();
    expect(await rotate(monitor)).toEqual(kept);
  });
});

describe('MET-11 under delta export: observable counters keep their series', () => {
  it('a set that comes back after a cycle away sends its change, never its whole total again', async () => {
    const memory = new MemoryBackend({ temporality: 'delta' });
    const monitor = createMonitor({ serviceName: 's', backends: [memory], limits: { cardinalityLimit: CAP }, onDiagnostic: () => {} });
    registerOpenTelemetry(monitor);
    try {
      // 12 sets, 3 observed per cycle, each total 10 higher at every appearance.
      const totals: Record<string, number> = {};
      let round = 0;
      otelMetrics.getMeter('m').createObservableCounter('jobs').addCallback((r) => {
        for (let i = 0; i < 3; i++) {
          const k = 's' + ((round * 3 + i) % 12);
          totals[k] = (totals[k] ?? 0) + 10;
          r.observe(totals[k]!, { k });
        }
      });
      const tick = monitor.metrics.createCounter('tick_total', 'Tick');
      const sent: Record<string, number> = {};
      for (round = 0; round < 8; round++) {
        tick.increment();
        await monitor.flush();
        const m = memory.metricSnapshots.at(-1)!.metrics.find((x) => x.name === 'jobs');
        for (const p of m?.points ?? []) {
          const k = String(p.attributes.k ?? 'overflow');
          sent[k] = (sent[k] ?? 0) + (p as NumberPoint).value;
        }
      }
      // Past the cap, changes go to the overflow series or are dropped and counted (observe.ts);
      // no set is ever sent more than it observed.
      for (const k of Object.keys(totals)) expect(sent[k] ?? 0, k).toBeLessThanOrEqual(totals[k]!);
      expect(sent.s0).toBe(20);
    } finally {
      unregisterOpenTelemetry();
    }
  });
});

describe('MET-11 on the wire: OtlpBackend (delta by default)', () => {
  it('sends each cycle its own sets, none to overflow', async () => {
    const bodies: Uint8Array[] = [];
    const fetch = async (url: string, init: RequestInit) => {
      if (url.endsWith('/v1/metrics')) bodies.push(init.body as Uint8Array);
      return new Response(null, { status: 200 });
    };
    const monitor = createMonitor({ serviceName: 's', backends: [new OtlpBackend({ endpoint: 'http://collector.test:4318', fetch })], limits: { cardinalityLimit: CAP }, onDiagnostic: () => {} });
    const c = monitor.metrics.createCounter('by_tenant_total', 'Per tenant', { labelNames: ['tenant'] });
    for (const tenants of [['a', 'b', 'c'], ['d', 'e', 'f']]) {
      for (const t of tenants) c.increment(1, { tenant: t });
      await monitor.flush();
    }
    const sent = bodies.map((b) => {
      const m = decodeProto('metrics', b).resourceMetrics[0].scopeMetrics[0].metrics.find((x: { name: string }) => x.name === 'by_tenant_total');
      expect(m.sum.aggregationTemporality).toBe(1); // DELTA
      return m.sum.dataPoints.map((p: { attributes: { value: { stringValue: string } }[] }) => p.attributes[0]!.value.stringValue);
    });
    expect(sent).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
  });
});
