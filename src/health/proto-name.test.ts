import { expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import { HealthStatus } from './status.js';

it('a check named __proto__ is refused at register(): it was left out of the report and of /health', () => {
  const r = new HealthCheckRegistry();
  expect(() => r.register('__proto__', () => HealthStatus.UNHEALTHY)).toThrow(new TypeError('health check name must be a non-empty string other than "__proto__", got "__proto__"'));
  // What was given is said: an empty name or a number was told "not __proto__".
  expect(() => r.register('', () => HealthStatus.HEALTHY)).toThrow(new TypeError('health check name must be a non-empty string other than "__proto__", got an empty string'));
  expect(() => r.register(42 as unknown as string, () => HealthStatus.HEALTHY)).toThrow(new TypeError('health check name must be a non-empty string other than "__proto__", got number'));
  expect(r.names).toEqual([]);
});
