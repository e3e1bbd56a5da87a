import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { Monitor } from '../monitor.js';
import { HealthCheckRegistry } from './registry.js';

function dropped(monitor: Monitor, reason: string): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total') as { points: { attributes: Record<string, unknown>; value: number }[] } | undefined;
  return m?.points.find((p) => p.attributes.reason === reason)?.value ?? 0;
}

describe('HealthCheckRegistry drops', () => {
  it('a notifier that throws loses no alert silently: counted as export_failed and reported once', async () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(`${d.kind}: ${d.message}`) });
    monitor.health.notifier = { notify: () => { throw new Error('boom'); } };
    let up = false;
    monitor.health.register('db', () => up);
    await monitor.health.checkAll(); // firing
    up = true;
    await monitor.health.checkAll(); // resolved
    expect(dropped(monitor, 'export_failed')).toBe(2);
    expect(seen).toEqual([expect.stringMatching(/^export_failed: .*notifier threw, alert health:db firing lost: boom/)]);
  });

  it('a health_check_status the app made as another kind of metric: the status is counted as dropped and reported once, /health still answers', async () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(`${d.kind}: ${d.message}`) });
    monitor.metrics.createCounter('health_check_status', 'mine');
    monitor.health.register('a', () => true).register('b', () => true);
    expect((await monitor.health.checkAll()).status).toBe('healthy');
    await monitor.health.checkAll();
    expect(dropped(monitor, 'invalid_value')).toBe(4);
    expect(seen).toEqual([expect.stringMatching(/^config: .*health_check_status/)]);
  });

  it('a registry made without metrics still works with a throwing notifier', async () => {
    const r = new HealthCheckRegistry({ notifier: { notify: () => { throw new Error('x'); } } });
    r.register('a', () => false);
    expect((await r.checkAll()).status).toBe('unhealthy');
  });
});
