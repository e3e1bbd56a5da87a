/**
 * ENV-08 `lowmemory`: Delta for synchronous counters and histograms, Cumulative for observable
 * counters and for up-down counters (sync and observable). Checked on the wire: each protobuf
 * request the backend posts is decoded with the official .proto files (protobufjs).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpBackend } from './otlp-backend.js';
import { otlpOptionsFromEnv } from './env.js';
import type { OtlpBackendOptions } from './options.js';
import { createMonitor, setContextStorage } from '../../index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../otel/index.js';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';

afterEach(() => unregisterOpenTelemetry());

/** A backend whose metrics requests are kept, decoded. */
function capturing(options: OtlpBackendOptions): { backend: OtlpBackend; requests: any[] } {
  const requests: any[] = [];
  const backend = new OtlpBackend({
    ...options,
    signals: ['metrics'],
    fetch: async (_url, init) => {
      requests.push(decodeProto('metrics', init.body as Uint8Array));
      return new Response(null, { status: 200 });
    },
  });
  return { backend, requests };
}

/** name → [AggregationTemporality, the points' values in attribute order]. */
function wire(request: any): Record<string, [number, number[]]> {
  const out: Record<string, [number, number[]]> = {};
  for (const rm of request.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        if (m.name === 'lexigram_monitor_dropped_total') continue;
        const data = m.sum ?? m.histogram;
        const points = [...data.dataPoints].sort((a: any, b: any) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
        out[m.name] = [data.aggregationTemporality, points.map((p: any) => (m.histogram ? Number(p.count) : (p.asDouble ?? Number(p.asInt))))];
      }
    }
  }
  return out;
}

/** The same instruments, through the monitor and through the OpenTelemetry API bridge, over two flushes. */
async function twoRounds(backends: OtlpBackend[]): Promise<void> {
  setContextStorage(AsyncLocalStorage);
  const monitor = createMonitor({ serviceName: 'lowmemory', onDiagnostic: () => undefined, backends });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const meter = metrics.getMeter('lib');
  let round = 1;
  const requests = monitor.metrics.createCounter('requests');
  const duration = monitor.metrics.createHistogram('duration', undefined, { buckets: [1, 10] });
  const queue = monitor.metrics.createUpDownCounter('queue');
  const apiCounter = meter.createCounter('api.counter');
  meter.createObservableCounter('cpu.time').addCallback((r) => {
    r.observe(round === 1 ? 10 : 15, { state: 'user' });
    r.observe(round === 1 ? 4 : 6, { state: 'system' });
  });
  meter.createObservableUpDownCounter('connections').addCallback((r) => r.observe(round === 1 ? 7 : 5));
  for (round = 1; round <= 2; round++) {
    requests.increment(2);
    duration.observe(3);
    queue.add(round);
    apiCounter.add(1);
    const r = await monitor.flush();
    expect(r.backends.every((b) => b.ok)).toBe(true);
  }
  await monitor.shutdown();
}

describe('OTLP temporality preference lowmemory (ENV-08)', () => {
  it('sends observable counters Cumulative (their totals), sync counters and histograms Delta, up-down counters Cumulative', async () => {
    const { backend, requests } = capturing({ temporality: 'lowmemory' });
    expect(backend.temporality).toBe('delta');
    await twoRounds([backend]);
    expect(requests.slice(0, 2).map(wire)).toEqual([
      { requests: [1, [2]], duration: [1, [1]], queue: [2, [1]], 'api.counter': [1, [1]], 'cpu.time': [2, [4, 10]], connections: [2, [7]] },
      { requests: [1, [2]], duration: [1, [1]], queue: [2, [3]], 'api.counter': [1, [1]], 'cpu.time': [2, [6, 15]], connections: [2, [5]] },
    ]);
  });

  it('is one of the temporality options; another value throws, naming the three', () => {
    expect(() => new OtlpBackend({ temporality: 'low' as never })).toThrow('OtlpBackend: option "temporality" must be one of "delta", "cumulative", "lowmemory", got "low"');
  });

  it('is read from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (any case)', async () => {
    const options = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory' }, () => undefined);
    expect(options.temporality).toBe('lowmemory');
    const { backend, requests } = capturing(options);
    await twoRounds([backend]);
    expect(requests.slice(0, 2).map((q) => wire(q)['cpu.time'])).toEqual([
      [2, [4, 10]],
      [2, [6, 15]],
    ]);
  });

  it('beside a delta backend on one monitor: each gets every sync delta, the observable counter as its own temporality', async () => {
    const low = capturing({ temporality: 'lowmemory' });
    const delta = capturing({ temporality: 'delta' });
    await twoRounds([delta.backend, low.backend]);
    expect(delta.requests.slice(0, 2).map((q) => [wire(q).requests, wire(q)['cpu.time']])).toEqual([
      [[1, [2]], [1, [4, 10]]],
      [[1, [2]], [1, [2, 5]]],
    ]);
    expect(low.requests.slice(0, 2).map((q) => [wire(q).requests, wire(q)['cpu.time']])).toEqual([
      [[1, [2]], [2, [4, 10]]],
      [[1, [2]], [2, [6, 15]]],
    ]);
  });

  it('OTLP/JSON says the same', async () => {
    const bodies: any[] = [];
    const backend = new OtlpBackend({
      temporality: 'lowmemory',
      protocol: 'http/json',
      signals: ['metrics'],
      fetch: async (_url, init) => {
        bodies.push(JSON.parse(new TextDecoder().decode(init.body as Uint8Array)));
        return new Response(null, { status: 200 });
      },
    });
    await twoRounds([backend]);
    const sums = Object.fromEntries(bodies[0].resourceMetrics[0].scopeMetrics[0].metrics.filter((m: any) => m.sum).map((m: any) => [m.name, m.sum.aggregationTemporality]));
    expect(sums).toMatchObject({ requests: 1, queue: 2, 'api.counter': 1, 'cpu.time': 2, connections: 2 });
  });

  it('the delta collection of an observable counter reads as before: its totals are not enumerated', async () => {
    setContextStorage(AsyncLocalStorage);
    const monitor = createMonitor({ serviceName: 'lowmemory', onDiagnostic: () => undefined, backends: [] });
    registerOpenTelemetry(monitor);
    metrics.getMeter('lib').createObservableCounter('c').addCallback((r) => r.observe(3));
    const m = monitor.metrics.collect({ temporality: 'delta' }).metrics.find((x) => x.name === 'c')!;
    expect(Object.keys(m)).toEqual(['name', 'help', 'unit', 'type', 'temporality', 'points']);
    expect(m.type === 'counter' && m.totals?.map((p) => p.value)).toEqual([3]);
  });
});
