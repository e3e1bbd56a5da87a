import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { healthHandler, type HealthSource } from './handler.js';
import { HealthCheckRegistry } from './registry.js';

// The source is configuration (DESIGN §5): a wrong one used to pass construction and then make
// every /health request reject into the app ("Cannot read properties of undefined (reading 'checkAll')").
describe('healthHandler: a source that is neither a monitor nor a registry throws at construction', () => {
  it("createTestMonitor()'s { monitor, memory } throws saying to pass its monitor; undefined and {} say what to pass", () => {
    const test = createTestMonitor();
    expect(() => healthHandler(test as unknown as HealthSource)).toThrow(/healthHandler.*Monitor.*HealthCheckRegistry.*pass its `monitor`/);
    expect(() => healthHandler(undefined as unknown as HealthSource)).toThrow(/healthHandler.*Monitor.*HealthCheckRegistry/);
    expect(() => healthHandler({} as unknown as HealthSource)).toThrow(/healthHandler.*Monitor.*HealthCheckRegistry/);
  });

  it('a monitor and a registry are still taken, the monitor giving its serviceName as serviceId', async () => {
    const { monitor } = createTestMonitor({ serviceName: 'orders' });
    monitor.health.register('db', () => true);
    const res = (await healthHandler(monitor, { details: 'full' })(new Request('http://svc.local/health')))!;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'pass', serviceId: 'orders', checks: { db: [{ status: 'pass' }] } });
    const registry = new HealthCheckRegistry().register('kv', () => false);
    const failed = (await healthHandler(registry, { details: 'full' })(new Request('http://svc.local/health')))!;
    expect(failed.status).toBe(503);
    expect((await failed.json()).serviceId).toBeUndefined();
  });
});
