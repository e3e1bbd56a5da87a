import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';

describe('new HealthCheckRegistry(options)', () => {
  it('throws at construction for a misspelled option, a bad default timeout or a notifier without notify()', () => {
    expect(() => new HealthCheckRegistry({ timeoutSecond: 1 } as never)).toThrow(/unknown option `timeoutSecond`.*timeoutSeconds/);
    expect(() => new HealthCheckRegistry({ timeoutSeconds: 0 })).toThrow(/timeoutSeconds must be a positive number/);
    expect(() => new HealthCheckRegistry({ timeoutSeconds: '3' as never })).toThrow(/timeoutSeconds/);
    expect(() => new HealthCheckRegistry({ notifier: {} as never })).toThrow(/notify\(alert\)/);
    expect(() => new HealthCheckRegistry({ timeoutSeconds: 2, notifier: { notify: () => {} } })).not.toThrow();
    expect(() => new HealthCheckRegistry()).not.toThrow();
  });
});
