import { expect, test } from 'vitest';
import { monitorFromConfig } from '../../src/adapter/monitor-from-config.js';
import { base2ExponentialBuckets } from '../../src/index.js';

/**
 * The `metrics` group given in code and the one OTEL_METRICS_EXEMPLAR_FILTER makes are merged key
 * by key, as `resource` is: `metrics: { histogramBuckets }` in code (the Hono middleware, Workers,
 * wrapFunction) must not silently undo `always_off` from the environment.
 */
test('metrics.histogramBuckets in code keeps OTEL_METRICS_EXEMPLAR_FILTER=always_off from env', () => {
  const monitor = monitorFromConfig({ serviceName: 'api', backends: [], metrics: { histogramBuckets: base2ExponentialBuckets() } }, { OTEL_METRICS_EXEMPLAR_FILTER: 'always_off' });
  const fixed = monitor.metrics.createHistogram('fixed_seconds', 'Fixed', { buckets: [1] });
  const exp = monitor.metrics.createHistogram('exp_seconds', 'Exponential');
  monitor.tracer.startActiveSpan('op', (span) => {
    fixed.observe(0.1);
    exp.observe(0.1);
    span.end();
  });
  const points = monitor.metrics.collect().metrics.filter((m) => m.name === 'fixed_seconds' || m.name === 'exp_seconds');
  expect(points.map((m) => m.type).sort()).toEqual(['exponential_histogram', 'histogram']);
  for (const m of points) expect((m.points[0] as { exemplars?: unknown[] }).exemplars ?? []).toEqual([]);
});

test('metrics.exemplars given in code still wins over the environment', () => {
  const monitor = monitorFromConfig({ serviceName: 'api', backends: [], metrics: { exemplars: true } }, { OTEL_METRICS_EXEMPLAR_FILTER: 'always_off' });
  const h = monitor.metrics.createHistogram('latency_seconds', 'Latency', { buckets: [1] });
  monitor.tracer.startActiveSpan('op', (span) => {
    h.observe(0.1);
    span.end();
  });
  const p = monitor.metrics.collect().metrics.find((m) => m.name === 'latency_seconds')!.points[0] as { exemplars?: unknown[] };
  expect(p.exemplars).toHaveLength(1);
});
