import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { MetricsCollector } from '../metrics/collector.js';
import { HealthCheckRegistry } from './registry.js';

// `metrics` is configuration: anything but a MetricsCollector was taken, and the first checkAll()
// then recorded nothing (the monitor itself: each status dropped as "the name is an app metric")
// or rejected (another library's registry: checkAll(), which never rejects, threw into /health).
describe('new HealthCheckRegistry({ metrics }): metrics that is not monitor.metrics throws at construction', () => {
  it('the monitor itself, another registry or {} throws saying to pass monitor.metrics', () => {
    const { monitor } = createTestMonitor();
    expect(() => new HealthCheckRegistry({ metrics: monitor as unknown as MetricsCollector })).toThrow(/^new HealthCheckRegistry: metrics must be a monitor's metrics \(monitor\.metrics\)/);
    expect(() => new HealthCheckRegistry({ metrics: { registerMetric() {} } as unknown as MetricsCollector })).toThrow(/monitor\.metrics/);
    expect(() => new HealthCheckRegistry({ metrics: null as unknown as MetricsCollector })).toThrow(/monitor\.metrics/);
    expect(() => new HealthCheckRegistry({ metrics: undefined })).not.toThrow();
  });

  it('monitor.metrics is taken and records health_check_status', async () => {
    const { monitor } = createTestMonitor();
    const r = new HealthCheckRegistry({ metrics: monitor.metrics }).register('db', () => true);
    expect((await r.checkAll()).status).toBe('healthy');
    expect(monitor.metrics.collect().metrics.some((m) => m.name === 'health_check_status')).toBe(true);
  });
});
