import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';

describe('HealthCheckRegistry.unregister', () => {
  it('resolves the alert of a check removed while it was unhealthy, so the receiver does not page for ever', async () => {
    const alerts: string[] = [];
    const r = new HealthCheckRegistry({ notifier: { notify: (a) => alerts.push(`${a.key} ${a.state} ${a.severity}`) } });
    r.register('legacy-db', () => false).register('cache', () => false, { critical: false }).register('kv', () => true);
    await r.checkAll();
    expect(alerts).toEqual(['health:legacy-db firing critical', 'health:cache firing warning']);
    r.unregister('legacy-db');
    r.unregister('kv'); // healthy: nothing was firing, nothing to resolve
    expect(alerts.slice(2)).toEqual(['health:legacy-db resolved critical']);
    await r.checkAll();
    expect(alerts.length).toBe(3);
  });
});
