import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// `traced(fn, 'name')` has the shape of a legacy decorator call (a target, a key): it threw "only
// class methods can be decorated; wrap the function with traced(fn) instead", which is what the
// caller had done. The message now says the name goes first.
describe('a name passed after the function', () => {
  it.each([
    ['traced', traced],
    ['metered', metered],
  ] as const)('%s(fn, name) throws saying the name comes first', (what, wrap) => {
    const { monitor } = createTestMonitor();
    function load(): number {
      return 1;
    }
    const w = wrap as unknown as (...args: unknown[]) => unknown;
    const hint = new RegExp(`pass the name first: ${what}\\('load_user', fn\\)`);
    expect(() => w(load, 'load_user')).toThrow(hint);
    expect(() => w(load, 'load_user', { monitor })).toThrow(hint);
    expect(() => w(() => 1, 'load_user', { monitor })).toThrow(hint);
  });

  it('a legacy decorator on a class field or accessor keeps its message without the hint', () => {
    class Orders {}
    expect(() => traced(Orders.prototype, 'total', undefined as never)).toThrow(/^@traced on total: only class methods can be decorated; wrap the function with traced\(fn\) instead\.$/);
    expect(() => metered(Orders, 'count', { get: () => 1, configurable: true, enumerable: false } as never)).toThrow(/^@metered on count: only class methods can be decorated; wrap the function with metered\(fn\) instead\.$/);
  });
});
