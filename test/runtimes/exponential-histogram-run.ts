/**
 * One exponential histogram's point and its OTLP protobuf bytes, for the same values on every
 * runtime (exponential-histogram-runtimes.test.ts): the bucket index reads a double's bits through
 * typed-array views, so Node, Deno, Bun and workerd must agree to the byte.
 */
import { encodeMetricsProto } from '../../src/exporters/otlp/index.js';
import { base2ExponentialBuckets, createMonitor, NoOpBackend } from '../../src/index.js';
import type { ExponentialHistogramPoint, MetricsSnapshot } from '../../src/model/metric-data.js';

/** Magnitudes over the whole double range, both signs, zeros, exact powers of two and their neighbours. */
export const VALUES = [0, 0, 1, 2, 4, 0.5, 3, 1.0000001, 2 ** 30, 2 ** -30, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1, -1.5, -0.003, -1e6, 0.004, 0.03, 0.2, 1.3, 7.5, 1234.5678, 1e-9, 42];

export function run(maxSize = 20): { point: Omit<ExponentialHistogramPoint, 'attributes' | 'startTime' | 'time' | 'exemplars'>; proto: string } {
  const monitor = createMonitor({ serviceName: 'runtimes', backends: [new NoOpBackend()], onDiagnostic: () => {} });
  const h = monitor.metrics.createHistogram('values', 'Values.', { buckets: base2ExponentialBuckets({ maxSize }) });
  for (const v of VALUES) h.observe(v);
  const snapshot = monitor.metrics.collect({ temporality: 'cumulative' });
  const m = snapshot.metrics.find((x) => x.name === 'values')!;
  const p = m.points[0] as ExponentialHistogramPoint;
  // Times zeroed, so the bytes depend on the values alone.
  const fixed = { ...snapshot, time: 1, metrics: [{ ...m, points: [{ ...p, startTime: 1, time: 2 }] }] } as MetricsSnapshot;
  const bytes = encodeMetricsProto({ resource: { attributes: { 'service.name': 'runtimes' } }, scope: { name: 't' }, spans: [], logs: [], metrics: fixed });
  const { attributes: _a, startTime: _s, time: _t, exemplars: _e, ...point } = p;
  return { point, proto: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
}
