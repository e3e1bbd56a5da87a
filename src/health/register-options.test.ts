import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import type { HealthRegisterOptions } from './registry.js';
import { HealthStatus } from './status.js';

// A misspelled registration option would leave its default in force unseen: `critical: false`
// written `criticial` keeps a failing optional check able to fail the whole service.
describe('health.register: options are checked when the check is registered', () => {
  it('an unknown option throws naming it and the known ones', async () => {
    const r = new HealthCheckRegistry();
    const typo = (o: object) => () => r.register('cache', () => HealthStatus.UNHEALTHY, o as HealthRegisterOptions);
    expect(typo({ criticial: false })).toThrow(/health check "cache": unknown option `criticial`; known options are critical, timeoutSeconds/);
    expect(typo({ timeout: 1 })).toThrow(/unknown option `timeout`/);
    expect(r.names).toEqual([]);
    r.register('cache', () => HealthStatus.UNHEALTHY, { critical: false, timeoutSeconds: 1 });
    expect((await r.checkAll()).status).toBe(HealthStatus.DEGRADED);
  });
});
