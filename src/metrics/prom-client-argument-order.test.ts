import { expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

// Code ported from prom-client calls inc(labels, value) (typed too: test/types/metric-labels.test.ts); called loosely here, as from JavaScript.
const loose = <T>(f: T): ((...args: unknown[]) => void) => f as unknown as (...args: unknown[]) => void;

const valueOf = (monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): unknown =>
  monitor.metrics.collect().metrics.find((m) => m.name === name)?.points.map((p) => [p.attributes, 'value' in p ? p.value : (p as { sum: number }).sum]);

it("prom-client's order, labels then value, records the value (increment({ code }, 0) recorded 1, unseen)", () => {
  const { monitor } = createTestMonitor();
  const errors = monitor.metrics.createCounter('payment_errors_total', 'Errors', { labelNames: ['code'] });
  loose(errors.increment.bind(errors))({ code: 'declined' }, 0);
  const sent = monitor.metrics.createCounter('sent_bytes_total', 'Bytes', { labelNames: ['peer'] });
  loose(sent.increment.bind(sent))({ peer: 'a' }, 4096);
  const inflight = monitor.metrics.createGauge('inflight', 'In flight', { labelNames: ['queue'] });
  loose(inflight.increment.bind(inflight))({ queue: 'a' }, 8);
  loose(inflight.decrement.bind(inflight))({ queue: 'a' }, 2);
  const depth = monitor.metrics.createUpDownCounter('depth', 'Depth', { labelNames: ['queue'] });
  loose(depth.add.bind(depth))({ queue: 'a' }, 5);
  loose(depth.decrement.bind(depth))({ queue: 'a' }, 2);
  expect(valueOf(monitor, 'payment_errors_total')).toEqual([[{ code: 'declined' }, 0]]);
  expect(valueOf(monitor, 'sent_bytes_total')).toEqual([[{ peer: 'a' }, 4096]]);
  expect(valueOf(monitor, 'inflight')).toEqual([[{ queue: 'a' }, 6]]);
  expect(valueOf(monitor, 'depth')).toEqual([[{ queue: 'a' }, 3]]);
});

it('labels alone still count one, and labels given twice are dropped and counted, not recorded as 1', () => {
  const { monitor } = createTestMonitor();
  const c = monitor.metrics.createCounter('orders_total', 'Orders', { labelNames: ['status'] });
  c.increment({ status: 'ok' });
  loose(c.increment.bind(c))({ status: 'ok' }, { status: 'failed' });
  expect(valueOf(monitor, 'orders_total')).toEqual([[{ status: 'ok' }, 1]]);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
  expect(dropped?.points.some((p) => (p as { value: number }).value >= 1)).toBe(true);
});
