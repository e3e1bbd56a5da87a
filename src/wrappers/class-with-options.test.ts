import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// Only a one-argument call can be a legacy class decorator (`@traced class User`): `traced(User,
// { monitor })` threw "name it: traced("User", User)" though nothing was ambiguous. It wraps the
// class under its own name, as `traced('User', User, options)` does.
describe('a class given with options, called as a function', () => {
  class Model {
    static find(id: number): Model {
      return new this(id);
    }
    constructor(readonly id: number) {}
  }
  class User extends Model {}

  it('traced(User, options) wraps the class, its span named after it, the options applied', async () => {
    const { monitor, memory } = createTestMonitor();
    const T = traced(User, { monitor, attributes: { table: 'users' } });
    const u = new T(1);
    expect(u).toBeInstanceOf(User);
    expect(u.id).toBe(1);
    expect(T.find(2)).toBeInstanceOf(User);
    expect(T.name).toBe('User');
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.attributes.table])).toEqual([
      ['User', 'users'],
      ['User', 'users'],
    ]);
  });

  it('metered(User, options) wraps the class, its metrics named after it', async () => {
    const { monitor } = createTestMonitor();
    const M = metered(User, { monitor, labels: { table: 'users' } });
    expect(new M(3)).toBeInstanceOf(User);
    const calls = monitor.metrics.collect().metrics.find((m) => m.name === 'user_calls_total') as CounterMetric;
    expect(calls.points.map((p) => [p.attributes, p.value])).toEqual([[{ table: 'users' }, 1]]);
  });

  it.each([
    ['traced', traced],
    ['metered', metered],
  ] as const)('%s(User) alone (a legacy class decorator) still throws; wrong options still throw', (name, wrap) => {
    const w = wrap as unknown as (...a: unknown[]) => unknown;
    expect(() => w(User)).toThrow(`@${name} on the class User: only class methods can be decorated`);
    expect(() => w(User, { nope: 1 })).toThrow(/nope/);
    expect(() => w(User, 42)).toThrow(/options must be an object/);
  });
});
