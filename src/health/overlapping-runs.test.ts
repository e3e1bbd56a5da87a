import { describe, expect, it } from 'vitest';
import type { GaugeMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { HealthCheckRegistry } from './registry.js';

describe('HealthCheckRegistry: two checkAll() runs at once', () => {
  it('a run that started first but ends last (its check timed out) does not overwrite the newer result: no false alert, the gauge shows the latest', async () => {
    const { monitor } = createTestMonitor();
    const alerts: string[] = [];
    const r = new HealthCheckRegistry({ metrics: monitor.metrics, notifier: { notify: (a) => alerts.push(`${a.key} ${a.state}`) } });
    let calls = 0;
    // The first run's call hangs (the dependency was down) until its timeout; the second, made
    // after the dependency came back, answers at once.
    r.register('db', () => (calls++ === 0 ? new Promise<boolean>(() => {}) : true), { timeoutSeconds: 0.05 });
    const first = r.checkAll();
    const second = await r.checkAll();
    expect(second.status).toBe('healthy');
    const older = await first;
    expect(older.checks.db).toMatchObject({ status: 'unhealthy', error: 'timed out after 0.05 s' }); // its caller still sees it
    expect(alerts).toEqual([]);
    const gauge = monitor.metrics.collect().metrics.find((m) => m.name === 'health_check_status') as GaugeMetric;
    expect(gauge.points.map((p) => p.value)).toEqual([1]);
    // The next run is recorded as usual.
    r.register('db', () => false);
    await r.checkAll();
    expect(alerts).toEqual(['health:db firing']);
  });
});
