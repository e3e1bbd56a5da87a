/**
 * Observable instruments through the bridge (`createObservableGauge`, `createObservableCounter`,
 * `createObservableUpDownCounter`, `addBatchObservableCallback`), end to end: API meter → the
 * monitor → OtlpBackend (protobuf, delta and cumulative) → a local receiver, decoded by
 * protobufjs over the official .proto files, and compared with what @opentelemetry/sdk-metrics
 * + otlp-transformer encode for the same callbacks over the same two collections (an observable
 * counter's total going up, then down: a reset; a callback removed between them; one that throws).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, ValueType, type Meter, type ObservableCallback } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CollectingReader } from './helpers/sdk-reader.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor, setContextStorage, type Diagnostic } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { MemoryBackend } from '../../src/exporters/memory/memory-backend.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';
import { startReceiver, type Receiver } from '../otlp/helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  setContextStorage(AsyncLocalStorage);
  rx = await startReceiver();
});
afterAll(() => rx.close());
afterEach(() => unregisterOpenTelemetry());

/** What the callbacks read: changed between the two collections. */
interface World {
  round: number;
  removeTemp?: () => void;
}

/** The same instruments and callbacks, on our bridge's meter and on the SDK's. */
function register(meter: Meter, world: World): void {
  const cpu = meter.createObservableCounter('app.cpu.time', { unit: 's' });
  cpu.addCallback((r) => {
    r.observe(world.round === 1 ? 10.5 : 15.25, { state: 'user' });
    r.observe(world.round === 1 ? 4 : 1, { state: 'system' }); // round 2: the total went down (a reset)
  });
  const bytes = meter.createObservableCounter('app.bytes', { valueType: ValueType.INT, unit: 'By' });
  bytes.addCallback((r) => r.observe(world.round === 1 ? 100.9 : 250.2)); // INT: 100, then 250
  const temp = meter.createObservableGauge('app.temperature');
  const tempCb: ObservableCallback = (r) => {
    r.observe(21.5, { room: 'a' });
    r.observe(1, { room: 'b' });
    r.observe(2, { room: 'b' }); // last observation of an attribute set wins
  };
  temp.addCallback(tempCb);
  temp.addCallback(tempCb); // added twice: runs once
  const room = meter.createObservableGauge('app.room.count', { valueType: ValueType.INT });
  room.addCallback((r) => r.observe(world.round === 1 ? 3.8 : 4.2, { floor: 1 }));
  world.removeTemp = () => temp.removeCallback(tempCb);
  const items = meter.createObservableUpDownCounter('app.queue.items');
  items.addCallback(() => {
    throw new Error('broken callback'); // counted; the other callbacks still run
  });
  items.addCallback((r) => r.observe(world.round === 1 ? 7 : -2, { queue: 'mail' }));
  const conns = meter.createObservableUpDownCounter('app.connections', { valueType: ValueType.INT });
  const pool = meter.createObservableGauge('app.pool.idle');
  meter.addBatchObservableCallback(
    (r) => {
      r.observe(conns, world.round === 1 ? 12.7 : 9);
      r.observe(pool, world.round === 1 ? 0.25 : 0.5, { pool: 'db' });
    },
    [conns, pool],
  );
}

const NAMES = ['app.cpu.time', 'app.bytes', 'app.temperature', 'app.room.count', 'app.queue.items', 'app.connections', 'app.pool.idle'];

/** name → kind, monotonicity, temporality and each point's attributes and value field. */
function shape(request: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (!NAMES.includes(m.name)) continue;
        const data = m.sum ?? m.gauge;
        out[m.name] = {
          kind: m.sum ? 'sum' : 'gauge',
          unit: m.unit ?? '',
          ...(m.sum ? { monotonic: !!m.sum.isMonotonic, temporality: m.sum.aggregationTemporality } : {}),
          points: (data.dataPoints as any[])
            .map((p) => ({
              attributes: Object.fromEntries((p.attributes ?? []).map((a: any) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.doubleValue])),
              ...('asInt' in p ? { asInt: String(p.asInt) } : { asDouble: p.asDouble }),
            }))
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        };
      }
    }
  }
  return out;
}


/** The SDK's two collections, encoded by otlp-transformer and decoded again. */
async function sdkRounds(temporality: 'delta' | 'cumulative'): Promise<Record<string, unknown>[]> {
  const reader = new CollectingReader(temporality);
  const provider = new MeterProvider({ readers: [reader] });
  const world: World = { round: 1 };
  register(provider.getMeter('lib'), world);
  const out: Record<string, unknown>[] = [];
  for (const round of [1, 2]) {
    world.round = round;
    if (round === 2) world.removeTemp!();
    const { resourceMetrics } = await reader.collect();
    out.push(shape(decodeProto('metrics', ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!)));
  }
  await provider.shutdown();
  return out;
}

describe('observable instruments through the bridge', () => {
  it('OTLP export (delta and cumulative) matches what sdk-metrics + otlp-transformer produce, over two collections', async () => {
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const monitor = createMonitor({
      serviceName: 'observables',
      onDiagnostic: (d) => diags.push(d),
      backends: [
        new OtlpBackend({ name: 'delta', endpoint: rx.url, protocol: 'http/protobuf', temporality: 'delta', headers: { 'x-t': 'delta' } }),
        new OtlpBackend({ name: 'cumulative', endpoint: rx.url, protocol: 'http/protobuf', temporality: 'cumulative', headers: { 'x-t': 'cumulative' } }),
      ],
    });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const world: World = { round: 1 };
    register(metrics.getMeter('lib'), world);
    for (const round of [1, 2]) {
      world.round = round;
      if (round === 2) world.removeTemp!();
      const r = await monitor.flush();
      expect(r.backends.map((b) => b.ok)).toEqual([true, true]);
    }
    await monitor.shutdown();

    const got = rx.requests.slice(start).filter((q) => q.path === '/v1/metrics');
    for (const temporality of ['delta', 'cumulative'] as const) {
      const ours = got.filter((q) => q.headers['x-t'] === temporality).map((q) => shape(decodeProto('metrics', q.body)));
      const sdk = await sdkRounds(temporality);
      expect(ours.slice(0, 2), temporality).toEqual(sdk);
    }

    // Spelled out, so the comparison cannot pass on two empty exports.
    const [d1, d2] = got.filter((q) => q.headers['x-t'] === 'delta').map((q) => shape(decodeProto('metrics', q.body))) as any[];
    expect(d1['app.cpu.time'].points).toEqual([
      { attributes: { state: 'system' }, asDouble: 4 },
      { attributes: { state: 'user' }, asDouble: 10.5 },
    ]);
    expect(d1['app.cpu.time']).toMatchObject({ kind: 'sum', monotonic: true, temporality: 1 });
    // Round 2: user +4.75; system went from 4 to 1, a reset: the delta starts again from 1.
    expect(d2['app.cpu.time'].points).toEqual([
      { attributes: { state: 'system' }, asDouble: 1 },
      { attributes: { state: 'user' }, asDouble: 4.75 },
    ]);
    expect(d2['app.bytes'].points).toEqual([{ attributes: {}, asInt: '150' }]);
    expect(d1['app.temperature'].points).toEqual([
      { attributes: { room: 'a' }, asDouble: 21.5 },
      { attributes: { room: 'b' }, asDouble: 2 },
    ]);
    expect(d2['app.temperature']).toBeUndefined(); // its callback was removed
    expect(d2['app.queue.items']).toMatchObject({ kind: 'sum', monotonic: false, temporality: 2, points: [{ attributes: { queue: 'mail' }, asDouble: -2 }] });
    expect(d1['app.connections'].points).toEqual([{ attributes: {}, asInt: '12' }]);

    // The throwing callback: counted at each collection, reported once, and not an "unsupported" diagnostic.
    expect(diags.filter((d) => d.kind === 'collect_callback').map((d) => d.message)).toEqual([expect.stringContaining('broken callback')]);
    expect(diags.some((d) => /not supported/.test(d.message))).toBe(false);
  });

  it('Prometheus (cumulative) shows an observable counter\'s total, and its reset', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    registerOpenTelemetry(monitor);
    const meter = metrics.getMeter('lib');
    let total = 5;
    const c = meter.createObservableCounter('jobs.done');
    const cb: ObservableCallback = (r) => r.observe(total, { q: 'a' });
    c.addCallback(cb);
    const value = (): unknown => (monitor.metrics.collect().metrics.find((m) => m.name === 'jobs.done')?.points[0] as { value?: number } | undefined)?.value;
    expect(value()).toBe(5);
    total = 8;
    expect(value()).toBe(8);
    total = 2; // the process restarted its count
    expect(value()).toBe(2);
    // A negative total is not a monotonic total: dropped and counted.
    total = -1;
    expect(value()).toBe(2);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect((dropped.points.find((p) => p.attributes.reason === 'invalid_value') as { value: number }).value).toBeGreaterThanOrEqual(1);
    // removeCallback stops it; with no callback left, no collect callback stays registered.
    c.removeCallback(cb);
    total = 100;
    expect(value()).toBe(2);
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);
  });

  it('batch callbacks run once per collection and stop when removed', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    registerOpenTelemetry(monitor);
    const meter = metrics.getMeter('lib');
    const a = meter.createObservableGauge('batch.a');
    const b = meter.createObservableUpDownCounter('batch.b');
    let runs = 0;
    const cb = (r: import('@opentelemetry/api').BatchObservableResult): void => {
      runs++;
      r.observe(a, runs);
      r.observe(b, runs * 10);
    };
    meter.addBatchObservableCallback(cb, [a, b]);
    meter.addBatchObservableCallback(cb, [a, b]); // the same again: once
    const snap = monitor.metrics.collect();
    expect(runs).toBe(1);
    expect((snap.metrics.find((m) => m.name === 'batch.a')!.points[0] as { value: number }).value).toBe(1);
    expect((snap.metrics.find((m) => m.name === 'batch.b')!.points[0] as { value: number }).value).toBe(10);
    meter.removeBatchObservableCallback(cb, [a, b]);
    monitor.metrics.collect();
    expect(runs).toBe(1);
  });
});

/** A cumulative and a delta MemoryBackend on one monitor, and the bridge's meter. */
function twoViews(limits?: { cardinalityLimit: number }): { monitor: ReturnType<typeof createMonitor>; cumulative: MemoryBackend; delta: MemoryBackend; meter: Meter } {
  const cumulative = new MemoryBackend();
  const delta = new MemoryBackend({ temporality: 'delta' });
  const monitor = createMonitor({ serviceName: 'observables', onDiagnostic: () => undefined, backends: [cumulative, delta], ...(limits ? { limits } : {}) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  return { monitor, cumulative, delta, meter: metrics.getMeter('lib') };
}

/** The points of `name` in a MemoryBackend's last metric export: attributes as JSON → value, start time. */
function pointsOf(b: MemoryBackend, name: string): Record<string, { value: number; startTime: number }> {
  const m = b.metricSnapshots.at(-1)?.metrics.find((x) => x.name === name);
  return Object.fromEntries(((m?.points ?? []) as readonly { attributes: object; value: number; startTime: number }[]).map((p) => [JSON.stringify(p.attributes), { value: p.value, startTime: p.startTime }]));
}

const OVERFLOW = JSON.stringify({ 'otel.metric.overflow': true });

describe('an observable counter past the cardinality limit', () => {
  it('the overflow series holds the sum of the overflowed sets\' totals, and its delta their growth (not a reset per set)', async () => {
    const { monitor, cumulative, delta, meter } = twoViews({ cardinalityLimit: 1 });
    let n = 0;
    meter.createObservableCounter('c').addCallback((r) => {
      r.observe(1000 + n, { k: 'a' }); // the one set within the limit
      r.observe(500 + n, { k: 'b' });
      r.observe(10 + n, { k: 'c' });
    });
    const deltas: number[] = [];
    const totals: number[] = [];
    for (n = 1; n <= 4; n++) {
      await monitor.flush();
      deltas.push(pointsOf(delta, 'c')[OVERFLOW]!.value);
      totals.push(pointsOf(cumulative, 'c')[OVERFLOW]!.value);
      expect(pointsOf(cumulative, 'c')[JSON.stringify({ k: 'a' })]!.value).toBe(1000 + n);
    }
    // b and c grow by 1 each per collection: 501 + 11 = 512 first, then +2 a collection. (sdk-metrics
    // 2.12.1 reports 11, 12, 13, 14 here, delta and cumulative, the cumulative start time moved to
    // each collection: it keeps one last total for the whole overflow series, so each set after the
    // first reads as a reset. Not followed: its deltas do not add up to its own cumulative.)
    expect(totals).toEqual([512, 514, 516, 518]);
    expect(deltas).toEqual([512, 2, 2, 2]);
    // The deltas add up to the cumulative total.
    expect(deltas.reduce((a, b) => a + b)).toBe(totals.at(-1));
    await monitor.shutdown();
  });

  it('one overflowed set: the same totals as sdk-metrics 2.12.1 (whose limit counts the overflow series: 2 there is 1 here)', async () => {
    const { monitor, cumulative, delta, meter } = twoViews({ cardinalityLimit: 1 });
    const totals = [501, 502, 3, 7]; // the third collection: b's total went down (its source restarted)
    let n = 0;
    const cb: ObservableCallback = (r) => {
      r.observe(1000 + n, { k: 'a' });
      r.observe(totals[n - 1]!, { k: 'b' });
    };
    meter.createObservableCounter('c').addCallback(cb);
    const ours: { delta: number; cumulative: number }[] = [];
    for (n = 1; n <= totals.length; n++) {
      await monitor.flush();
      ours.push({ delta: pointsOf(delta, 'c')[OVERFLOW]!.value, cumulative: pointsOf(cumulative, 'c')[OVERFLOW]!.value });
    }
    await monitor.shutdown();

    const sdk = { delta: [] as number[], cumulative: [] as number[] };
    for (const temporality of ['delta', 'cumulative'] as const) {
      const reader = new CollectingReader(temporality, 2);
      const provider = new MeterProvider({ readers: [reader] });
      provider.getMeter('lib').createObservableCounter('c').addCallback(cb);
      for (n = 1; n <= totals.length; n++) {
        const { resourceMetrics } = await reader.collect();
        const p = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints.find((d) => d.attributes['otel.metric.overflow'] === true)!;
        sdk[temporality].push(p.value as number);
      }
      await provider.shutdown();
    }
    expect(ours.map((o) => o.delta)).toEqual(sdk.delta);
    expect(ours.map((o) => o.cumulative)).toEqual(sdk.cumulative);
    expect(sdk.delta).toEqual([501, 1, 3, 4]);
  });

  it('a set that overflowed keeps its own last total: its drop is a reset of that set only', async () => {
    const { monitor, delta, meter } = twoViews({ cardinalityLimit: 1 });
    let round = 1;
    meter.createObservableCounter('c').addCallback((r) => {
      r.observe(1, { k: 'a' });
      r.observe(round === 1 ? 100 : 110, { k: 'b' });
      r.observe(round === 1 ? 50 : 5, { k: 'c' }); // c restarted its count
    });
    await monitor.flush();
    expect(pointsOf(delta, 'c')[OVERFLOW]!.value).toBe(150);
    round = 2;
    await monitor.flush();
    expect(pointsOf(delta, 'c')[OVERFLOW]!.value).toBe(10 + 5);
    await monitor.shutdown();
  });
});

describe('the last totals an observable counter keeps', () => {
  it('are bounded at three times the cardinality limit: an overflowed set past that is dropped and counted, not added whole', async () => {
    const { monitor, cumulative, delta, meter } = twoViews({ cardinalityLimit: 1 });
    let n = 0;
    meter.createObservableCounter('c').addCallback((r) => {
      for (const k of ['a', 'b', 'c', 'd', 'e']) r.observe(100 + n, { k }); // a: its series; b, c: kept; d, e: dropped
    });
    for (n = 1; n <= 2; n++) await monitor.flush();
    expect(pointsOf(cumulative, 'c')[OVERFLOW]!.value).toBe(2 * 102);
    expect(pointsOf(delta, 'c')[OVERFLOW]!.value).toBe(2);
    const dropped = pointsOf(cumulative, 'lexigram_monitor_dropped_total')[JSON.stringify({ reason: 'cardinality_overflow' })]!.value;
    expect(dropped).toBeGreaterThanOrEqual(4); // d and e, twice
    await monitor.shutdown();
  });
});

describe('reset() of an observable counter', () => {
  it('keeps the last observed total: the next delta is the growth, and the cumulative series keeps its start time', async () => {
    const { monitor, cumulative, delta, meter } = twoViews();
    let total = 0;
    meter.createObservableCounter('c').addCallback((r) => r.observe(total, { q: 'a' }));
    const deltas: number[] = [];
    const totals: number[] = [];
    const starts = new Set<number>();
    const key = JSON.stringify({ q: 'a' });
    for (let i = 1; i <= 5; i++) {
      total += 5;
      if (i === 4) monitor.metrics.getMetric('c')!.reset();
      await monitor.flush();
      deltas.push(pointsOf(delta, 'c')[key]!.value);
      totals.push(pointsOf(cumulative, 'c')[key]!.value);
      starts.add(pointsOf(cumulative, 'c')[key]!.startTime);
    }
    expect(deltas).toEqual([5, 5, 5, 5, 5]);
    expect(deltas.reduce((a, b) => a + b)).toBe(total);
    expect(totals).toEqual([5, 10, 15, 20, 25]);
    // The cumulative series is the same one: 25 since its first start, as the deltas add up.
    expect(starts.size).toBe(1);
    await monitor.shutdown();
  });

  it('an observable up-down counter too: the delta after reset() is the change', () => {
    const { monitor, meter } = twoViews();
    let total = 7;
    meter.createObservableUpDownCounter('u').addCallback((r) => r.observe(total));
    const read = (): number => (monitor.metrics.collect().metrics.find((m) => m.name === 'u')!.points[0] as { value: number }).value;
    expect(read()).toBe(7);
    monitor.metrics.getMetric('u')!.reset();
    total = 4;
    expect(read()).toBe(4);
  });
});

describe('unregisterOpenTelemetry() and observable callbacks', () => {
  it('stops the callbacks; registering again on the same monitor records the new observables of the same names', () => {
    const diags: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => void (d.kind === 'otel' && diags.push(d.message)) });
    registerOpenTelemetry(monitor);
    let oldRuns = 0;
    const old = metrics.getMeter('lib').createObservableCounter('jobs.done');
    old.addCallback((r) => {
      oldRuns++;
      r.observe(10);
    });
    const g = metrics.getMeter('lib').createObservableGauge('queue.depth');
    metrics.getMeter('lib').addBatchObservableCallback((r) => (oldRuns++, r.observe(g, 1)), [g]);
    const value = (name: string): unknown => (monitor.metrics.collect().metrics.find((m) => m.name === name)?.points[0] as { value?: number } | undefined)?.value;
    expect(value('jobs.done')).toBe(10);
    expect(oldRuns).toBe(2);

    expect(unregisterOpenTelemetry()).toBe(true);
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);
    monitor.metrics.collect();
    expect(oldRuns).toBe(2);
    // A handle of the unregistered bridge adds no callback that would run.
    old.addCallback(() => void oldRuns++);
    monitor.metrics.collect();
    expect(oldRuns).toBe(2);
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);

    expect(registerOpenTelemetry(monitor)).toBe(true);
    const c = metrics.getMeter('lib').createObservableCounter('jobs.done');
    c.addCallback((r) => r.observe(25));
    const d = metrics.getMeter('lib').createObservableGauge('queue.depth');
    d.addCallback((r) => r.observe(4));
    expect(value('jobs.done')).toBe(25);
    expect(value('queue.depth')).toBe(4);
    expect(oldRuns).toBe(2);
    expect(diags).toEqual([]);
    // The counter the old bridge created is the new one's: 10, then +15 (not 10 + 25).
    expect((monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'jobs.done')!.points[0] as { value: number }).value).toBe(25);
  });
});
