import { afterEach, describe, expect, it, vi } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import { HealthStatus, type HealthCheck } from './status.js';

afterEach(() => vi.restoreAllMocks());

// The type asks every result for a latencyMs, and the documented checks write `latencyMs: 0`
// (the original's results had none): /health then showed 0 ms for a check that took 40.
describe('health: a check result with latencyMs 0 gets the latency the registry measured', () => {
  it('0 is read as "not measured"; a latency the check measured itself is kept', async () => {
    let t = 1000;
    // A clock that advances 40 ms at each reading: no real time involved.
    vi.spyOn(performance, 'now').mockImplementation(() => (t += 40));
    const placeholder: HealthCheck = { check: async () => ({ component: 'db', status: HealthStatus.HEALTHY, latencyMs: 0 }) };
    const measured: HealthCheck = { check: async () => ({ component: 'api', status: HealthStatus.HEALTHY, latencyMs: 7 }) };
    const report = await new HealthCheckRegistry().register('db', placeholder).register('api', measured).register('fn', () => ({ status: 'healthy', latencyMs: 0 })).checkAll();
    expect(report.checks.db.latencyMs).toBeGreaterThan(0);
    expect(report.checks.fn.latencyMs).toBeGreaterThan(0);
    expect(report.checks.api.latencyMs).toBe(7);
  });
});
