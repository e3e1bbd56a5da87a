import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

// Standard decorators are given no class: the name was taken from the `this` of each call, so a
// method called without its object (a route handler `router.get('/users', users.list)`, a
// `setTimeout(o.tick)` callback) was named `Object.list`, `Timeout.tick` or `list`, and every
// class's `list` merged into one series. Compiled by tsc both ways: both must name them alike.
const SOURCE = `
  // another library's decorator (logging, retry), standard or legacy, applied outside ours
  const logged = (fn, context, descriptor) => {
    const wrap = (f) => function (...args) { return f.apply(this, args); };
    return descriptor ? { ...descriptor, value: wrap(descriptor.value) } : wrap(fn);
  };
  export const define = (traced, metered) => {
    class UsersController {
      @traced() @metered() list() { return 'users'; }
      @traced() static count() { return 1; }
    }
    class OrdersController { @traced() @metered() list() { return 'orders'; } }
    class Timer { @traced() tick() { return 't'; } }
    class Base { @logged @traced() @metered() place(n) { return n; } }
    class Orders extends Base {}
    class Refunds extends Base {}
    return { UsersController, OrdersController, Timer, Base, Orders, Refunds };
  };
`;

async function compile(experimentalDecorators: boolean): Promise<{ define: (t: typeof traced, m: typeof metered) => Record<string, new () => Record<string, (...a: unknown[]) => unknown>> }> {
  const out = ts.transpileModule(SOURCE, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators } }).outputText;
  expect(out).toContain(experimentalDecorators ? '__decorate(' : '__esDecorate');
  const file = join(mkdtempSync(join(tmpdir(), 'lexigram-detached-')), 'classes.mjs');
  writeFileSync(file, out);
  return import(/* @vite-ignore */ pathToFileURL(file).href);
}

afterEach(() => setDefaultMonitor(undefined));

const calls = (monitor: ReturnType<typeof createTestMonitor>['monitor']) =>
  Object.fromEntries(
    monitor.metrics
      .collect()
      .metrics.filter((m) => m.name.endsWith('_calls_total'))
      .map((m) => [m.name, (m as CounterMetric).points[0].value]),
  );

describe.each([['standard', false], ['legacy', true]] as const)('%s decorators', (_, experimentalDecorators) => {
  it('a method called without its object is named after its class, one series per class', async () => {
    const { define } = await compile(experimentalDecorators);
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const { UsersController, OrdersController, Timer } = define(traced, metered);
    const routes = { users: new UsersController().list, orders: new OrdersController().list };
    expect(routes.users()).toBe('users');
    routes.orders();
    routes.orders();
    // called back with another `this`, as a timer or an event emitter does
    expect(new Timer().tick.call(new (class Timeout {})())).toBe('t');
    const count = (UsersController as unknown as { count: () => number }).count;
    expect(count()).toBe(1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['UsersController.list', 'OrdersController.list', 'OrdersController.list', 'Timer.tick', 'UsersController.count']);
    expect(calls(monitor)).toEqual({ users_controller_list_calls_total: 1, orders_controller_list_calls_total: 2 });
  });

  it('under another library’s decorator, an inherited method is named after the class that declares it', async () => {
    const { define } = await compile(experimentalDecorators);
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const { Base, Orders, Refunds } = define(traced, metered);
    // a subclass's instance first: the class is found from it all the same
    expect(new Orders().place(1)).toBe(1);
    new Base().place(2);
    new Refunds().place(3);
    const detached = new Refunds().place;
    detached(4);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['Base.place', 'Base.place', 'Base.place', 'Base.place']);
    expect(calls(monitor)).toEqual({ base_place_calls_total: 4 });
  });
});
