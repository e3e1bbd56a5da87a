import { expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import { HealthStatus } from './status.js';

it('a check named __proto__ is refused at register(): it was left out of the report and of /health', () => {
  const r = new HealthCheckRegistry();
  expect(() => r.register('__proto__', () => HealthStatus.UNHEALTHY)).toThrow(new TypeError('health check name must be a non-empty string, not __proto__'));
  expect(() => r.register('', () => HealthStatus.HEALTHY)).toThrow(TypeError);
  expect(r.names).toEqual([]);
});
