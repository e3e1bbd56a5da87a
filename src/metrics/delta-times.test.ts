// Delta collections in one clock step (workerd's clock moves in whole milliseconds and stands still
// during CPU work) still end one after the other: a collector summing a delta stream drops a point
// whose time is not after the previous one's.
import { afterEach, expect, it, vi } from 'vitest';
import { createMonitor, MemoryBackend } from '../index.js';

afterEach(() => void vi.restoreAllMocks());

it('two delta collections at the same clock reading end at increasing times, each interval starting where the last ended', () => {
  const monitor = createMonitor({ serviceName: 'x', backends: [new MemoryBackend({ temporality: 'delta' })], onDiagnostic: () => {} });
  const orders = monitor.metrics.createCounter('orders_total', 'Orders');
  vi.spyOn(performance, 'now').mockReturnValue(5000);
  orders.increment();
  const a = monitor.metrics.collect({ temporality: 'delta' });
  orders.increment();
  const b = monitor.metrics.collect({ temporality: 'delta' });
  expect(b.time).toBeGreaterThan(a.time);
  const pa = a.metrics.find((m) => m.name === 'orders_total')!.points[0]!;
  const pb = b.metrics.find((m) => m.name === 'orders_total')!.points[0]!;
  expect(pb.time).toBeGreaterThan(pa.time);
  expect(pb.startTime).toBe(pa.time);
  expect(pb.startTime).toBeLessThan(pb.time);
});
