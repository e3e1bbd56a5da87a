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
import { AggregationTemporality, InstrumentType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor, setContextStorage, type Diagnostic } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
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

class CollectingReader extends MetricReader {
  constructor(temporality: 'delta' | 'cumulative') {
    super({
      // As the SDK's OTLP exporter reads AggregationTemporalityPreference.DELTA: up-down counters stay cumulative.
      aggregationTemporalitySelector: (t) =>
        temporality === 'cumulative' || t === InstrumentType.UP_DOWN_COUNTER || t === InstrumentType.OBSERVABLE_UP_DOWN_COUNTER
          ? AggregationTemporality.CUMULATIVE
          : AggregationTemporality.DELTA,
    });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
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
