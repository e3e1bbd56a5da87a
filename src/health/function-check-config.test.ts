import { describe, expect, it } from 'vitest';
import { functionCheck } from './function-check.js';
import { HealthCheckRegistry } from './registry.js';

describe('functionCheck(fn)', () => {
  it('throws when made from something that is not a function, instead of a check failing at every run', () => {
    const db = {} as { ping?: () => boolean };
    expect(() => new HealthCheckRegistry().register('db', functionCheck(db.ping as never))).toThrow(/functionCheck\(fn\): fn must be a function/);
    expect(() => functionCheck(() => true, 5 as never)).toThrow(/component must be a string/);
    expect(() => functionCheck(() => true, 'db')).not.toThrow();
  });
});
