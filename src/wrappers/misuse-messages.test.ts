import { describe, expect, it } from 'vitest';
import { metered } from './metered.js';
import { traced } from './traced.js';

// Configuration errors throw where they are written, saying what to change.
const any = (f: unknown) => f as (...a: unknown[]) => unknown;
const charge = async (cents: number): Promise<number> => cents;

describe.each([
  ['traced', any(traced)],
  ['metered', any(metered)],
] as const)('%s given arguments it cannot take', (name, wrap) => {
  it('the decorator of (name) called with a function alone says to pass the function with the name', () => {
    expect(() => any(wrap('charge'))(charge)).toThrow(`@${name}() decorates class methods; to wrap a function, pass it: ${name}("charge", fn)`);
    expect(() => any(wrap())(charge)).toThrow(`to wrap a function, pass it: ${name}(fn)`);
  });

  it('a second argument that is neither the function nor options (42, null) throws, saying so', () => {
    expect(() => wrap('x', 42)).toThrow(`${name}("x"): options must be an object ({ monitor?, `);
    expect(() => wrap('x', 42)).toThrow(/, not number; the function to wrap comes before them: \w+\(name, fn, options\)\.$/);
    expect(() => wrap('x', null)).toThrow(/, not null; the function to wrap comes before them/);
    expect(() => wrap('x', charge, 42)).toThrow(/, not number;/);
  });

  it('a class alone (a class decorator) throws, saying a class is wrapped with a name', () => {
    class User {}
    expect(() => wrap(User)).toThrow(`@${name} on the class User: only class methods can be decorated; to wrap the class, name it: ${name}("User", User)`);
    expect(() => wrap('User', User)).not.toThrow();
  });
});
