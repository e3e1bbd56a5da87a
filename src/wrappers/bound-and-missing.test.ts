import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// A bound function is named "bound handle": wrapped, its span was "bound handle" and its metrics
// bound_handle_*, not the name the app knows it by.
describe('a bound function', () => {
  class Handler {
    constructor(readonly prefix: string) {}
    handle(id: string): string {
      return this.prefix + id;
    }
  }

  it('is recorded under the name of the function it binds', async () => {
    const { monitor, memory } = createTestMonitor();
    const h = new Handler('h-');
    const t = traced(h.handle.bind(h), { monitor });
    const m = metered(traced(h.handle.bind(h).bind(h)), { monitor });
    expect(t('1')).toBe('h-1');
    expect(m('2')).toBe('h-2');
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['handle']);
    const names = monitor.metrics.collect().metrics.map((x) => x.name);
    expect(names).toContain('handle_calls_total');
    expect(names.some((n) => n.startsWith('bound'))).toBe(false);
  });

  it('a name given still wins', async () => {
    const { monitor } = createTestMonitor();
    const h = new Handler('h-');
    metered('handler_calls', h.handle.bind(h), { monitor })('x');
    const calls = monitor.metrics.collect().metrics.find((x) => x.name === 'handler_calls_calls_total') as CounterMetric;
    expect(calls.points[0].value).toBe(1);
  });
});

// `traced('load', fn, options)` with `fn` undefined (a missing export, a helper forwarding its
// arguments) was taken for `traced('load')`: the options were dropped and the method decorator
// returned in the function's place threw only when the app called it.
describe.each([
  ['traced', traced],
  ['metered', metered],
] as const)('%s(name, fn, options) with no function', (name, wrap) => {
  const w = wrap as unknown as (...a: unknown[]) => unknown;
  const { monitor } = createTestMonitor();

  it('throws when wrapped, saying the function is missing', () => {
    expect(() => w('load', undefined, { monitor })).toThrow(`${name}("load", fn, options): the function to wrap is undefined; pass the function`);
    const forward = (n: string, fn?: () => number, options?: object) => w(n, fn, options);
    expect(() => forward('load')).toThrow(/the function to wrap is undefined/);
    expect(() => w(undefined, 42, {})).toThrow(`${name}(undefined, fn, options): the function to wrap is number`);
  });

  it('the decorator forms are unchanged', () => {
    expect(typeof w('load')).toBe('function');
    expect(typeof w('load', { monitor })).toBe('function');
    expect(typeof w('load', undefined)).toBe('function');
    expect(typeof w({ monitor })).toBe('function');
    expect(typeof w()).toBe('function');
  });
});
