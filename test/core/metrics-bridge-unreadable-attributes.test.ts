/**
 * OpenTelemetry API instruments given attributes that throw when read (a getter, a revoked Proxy):
 * the call never throws into the app (the SDK does not throw either); the measurement is dropped
 * and counted (invalid_label), as the core's own instruments do, and the next calls record.
 */
import { expect, it } from 'vitest';
import type { Attributes } from '@opentelemetry/api';
import { createTestMonitor } from '../../src/testing/index.js';
import { BridgeMeterProvider } from '../../src/otel/meter.js';

const getter = (): Attributes =>
  Object.defineProperty({}, 'k', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
const revoked = (): Attributes => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};

const dropped = (monitor: ReturnType<typeof createTestMonitor>['monitor']) =>
  monitor.metrics
    .collect()
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')
    ?.points.filter((p) => p.attributes.reason === 'invalid_label')
    .reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;

it('synchronous API instruments: dropped and counted, not thrown', () => {
  const { monitor } = createTestMonitor({ onDiagnostic: () => {} });
  const meter = new BridgeMeterProvider(monitor).getMeter('lib');
  const c = meter.createCounter('jobs');
  const u = meter.createUpDownCounter('items');
  const h = meter.createHistogram('latency');
  const g = meter.createGauge('depth');
  const calls = [
    (a: Attributes) => c.add(1, a),
    (a: Attributes) => u.add(1, a),
    (a: Attributes) => h.record(1, a),
    (a: Attributes) => g.record(1, a),
  ];
  for (const call of calls) for (const a of [getter(), revoked()]) expect(() => call(a)).not.toThrow();
  expect(dropped(monitor)).toBe(8);
  // Readable attributes still record.
  c.add(2, { k: 'v' });
  const points = monitor.metrics.collect().metrics.find((m) => m.name === 'jobs')?.points;
  expect(points?.map((p) => [p.attributes, (p as { value: number }).value])).toEqual([[{ k: 'v' }, 2]]);
});

it('an observable callback: that observation is dropped and counted, the callback and its other observations go on', () => {
  const { monitor } = createTestMonitor({ onDiagnostic: () => {} });
  const meter = new BridgeMeterProvider(monitor).getMeter('lib');
  const g = meter.createObservableGauge('queue.depth');
  g.addCallback((r) => {
    r.observe(1, getter());
    r.observe(2, revoked());
    r.observe(3, { queue: 'q' });
  });
  const snap = monitor.metrics.collect();
  const points = snap.metrics.find((m) => m.name === 'queue.depth')?.points;
  expect(points?.map((p) => [p.attributes, (p as { value: number }).value])).toEqual([[{ queue: 'q' }, 3]]);
  const reasons = snap.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points.map((p) => [p.attributes.reason, (p as { value: number }).value]);
  expect(reasons).toEqual([['invalid_label', 2]]);
});
