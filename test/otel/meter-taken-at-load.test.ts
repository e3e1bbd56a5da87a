import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, type Meter } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import { BridgeMeterProvider, registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});
afterEach(() => {
  unregisterOpenTelemetry();
});

type Memory = ReturnType<typeof createTestMonitor>['memory'];
const value = (memory: Memory, name: string): unknown => {
  const p = memory.getMetric(name)?.points[0] as { value?: number; sum?: number } | undefined;
  return p?.value ?? p?.sum;
};

describe('a meter and instruments taken under one registration, with a fresh monitor per test', () => {
  it('record into the monitor registered now, not into the first one', async () => {
    const first = createTestMonitor();
    expect(registerOpenTelemetry(first.monitor)).toBe(true);
    // As an instrumented library does: its meter and instruments taken once, at load.
    const meter: Meter = metrics.getMeter('db', '1.0.0');
    const queries = meter.createCounter('db.queries');
    const open = meter.createUpDownCounter('db.open');
    const took = meter.createHistogram('db.duration', { unit: 's' });
    const pool = meter.createGauge('db.pool');
    const depth = meter.createObservableGauge('db.depth');
    const batched = meter.createObservableCounter('db.batched');
    queries.add(1);
    unregisterOpenTelemetry();

    for (const n of [2, 3]) {
      const { monitor, memory } = createTestMonitor();
      expect(registerOpenTelemetry(monitor)).toBe(true);
      queries.add(n);
      open.add(n);
      took.record(n);
      pool.record(n);
      depth.addCallback((r) => r.observe(n));
      meter.addBatchObservableCallback((r) => r.observe(batched, n), [batched]);
      meter.createCounter('db.later').add(n);
      await monitor.flush();
      expect([value(memory, 'db.queries'), value(memory, 'db.open'), value(memory, 'db.duration'), value(memory, 'db.pool')]).toEqual([n, n, n, n]);
      expect([value(memory, 'db.depth'), value(memory, 'db.batched'), value(memory, 'db.later')]).toEqual([n, n, n]);
      unregisterOpenTelemetry();
    }
    await first.monitor.flush();
    const names = first.memory.metricSnapshots.flatMap((s) => s.metrics.map((m) => m.name)).filter((n) => n.startsWith('db.'));
    expect([...new Set(names)]).toEqual(['db.queries']);
    expect(value(first.memory, 'db.queries')).toBe(1);
  });

  it('a provider built by hand keeps its own monitor', async () => {
    const own = createTestMonitor();
    const handMade = new BridgeMeterProvider(own.monitor).getMeter('x').createCounter('mine');
    const { monitor } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    handMade.add(4);
    await own.monitor.flush();
    expect(value(own.memory, 'mine')).toBe(4);
  });
});
