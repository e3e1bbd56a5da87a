import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// A wrapped constructor took its own properties but not the ones it inherits: a wrapped
// `class User extends Model` lost `Model`'s static methods (`User.findAll` was undefined), and so
// did a class extending the wrapper.
describe('a wrapped class that extends another', () => {
  class Model {
    static table = 'models';
    static find(id: number): Model {
      return new this(id);
    }
    constructor(readonly id: number) {}
  }
  class User extends Model {
    static kind = 'user';
  }

  it.each([
    ['traced', traced],
    ['metered', metered],
  ] as const)('%s keeps its inherited static members, resolved against the wrapper', async (_, wrap) => {
    const { monitor, memory } = createTestMonitor();
    const W = (wrap as (name: string, fn: typeof User, options: object) => typeof User)('User', User, { monitor });
    expect(W.kind).toBe('user');
    expect(W.table).toBe('models');
    const u = W.find(7);
    expect(u).toBeInstanceOf(User);
    expect(u.id).toBe(7);
    class Admin extends W {}
    expect(Admin.find(8)).toBeInstanceOf(Admin);
    expect(Object.getPrototypeOf(W)).toBe(Model);
    await monitor.flush();
    if (wrap === traced) expect(memory.spans.map((s) => s.name)).toEqual(['User', 'User']);
  });

  it('a plain, async or generator function keeps Function.prototype as its wrapper’s prototype', () => {
    const { monitor } = createTestMonitor();
    for (const f of [function f(): number {
      return 1;
    }, async (): Promise<number> => 1, function* g(): Generator<number> {
      yield 1;
    }]) {
      expect(Object.getPrototypeOf(traced('x', f as () => unknown, { monitor }))).toBe(Function.prototype);
    }
  });
});
