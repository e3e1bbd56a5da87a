/**
 * What an instrumented binding's RPC call or an instrumented RPC method hands the runtime: the
 * runtime's own binding for a wrapped one, also inside arrays and plain objects a few levels
 * down, in a copy; the app's value itself is never changed, and returned as it is when nothing in
 * it is a wrapped binding.
 */
import { describe, expect, test } from 'vitest';
import { native, natives } from '../src/binding-span.js';

const wrapped = (): { raw: object; proxy: object } => {
  const raw = { binding: true };
  const proxy = new Proxy(raw, {});
  natives.set(proxy, raw);
  return { raw, proxy };
};

describe('native(): bindings inside values passed over RPC', () => {
  test('a wrapped binding inside an array or a plain object is replaced in a copy, the app value left as it was', () => {
    const { raw, proxy } = wrapped();
    const arg = { s: proxy, n: [1, proxy, { deep: proxy }], keep: 'x' };
    const out = native(arg);
    expect(out).not.toBe(arg);
    expect(out.s).toBe(raw);
    expect(out.n[1]).toBe(raw);
    expect(out.n[2].deep).toBe(raw);
    expect(out.keep).toBe('x');
    expect(arg.s).toBe(proxy);
    expect(arg.n[1]).toBe(proxy);
    expect(arg.n[2]!).toEqual({ deep: proxy });
    expect(native([proxy])).toEqual([raw]);
    expect(native(proxy)).toBe(raw);
  });

  test('nothing replaced: the same value back, untouched (class instances, Maps and deeper levels not looked into)', () => {
    const { proxy } = wrapped();
    const plain = { a: 1, b: ['x', { c: null }], d: undefined };
    expect(native(plain)).toBe(plain);
    class Holder {
      s = proxy;
    }
    const h = new Holder();
    expect(native(h)).toBe(h);
    const m = new Map([['s', proxy]]);
    expect(native(m)).toBe(m);
    const deep = { a: { b: { c: { d: proxy } } } };
    expect(native(deep)).toBe(deep);
    for (const v of [undefined, null, 0, '', 'x', 1n, Symbol.iterator]) expect(native(v)).toBe(v);
  });

  test('a getter that throws while looked at does not throw here', () => {
    const v = {
      get bad(): never {
        throw new Error('getter');
      },
    };
    expect(native(v)).toBe(v);
  });
});
