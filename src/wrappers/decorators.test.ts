import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { appCompilerOptions } from '../../test/helpers/app-compiler.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatus } from '../model/span-data.js';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import type { defineInheritance as DefineInheritance, defineOrders as DefineOrders, ValidationError as VE } from './decorated-orders.fixture.mjs';
import { metered } from './metered.js';
import { traced } from './traced.js';

const fixture = fileURLToPath(new URL('./decorated-orders.fixture.mts', import.meta.url));
type Fixture = { defineOrders: typeof DefineOrders; defineInheritance: typeof DefineInheritance; ValidationError: typeof VE };
const compiled: Record<'standard' | 'legacy', Fixture> = {} as Record<'standard' | 'legacy', Fixture>;

/**
 * Type-checks the decorated class as an app would compile it (strict, no Node types), with
 * standard decorators or with `experimentalDecorators` (Vitest 4, NestJS), then compiles it with
 * the real TypeScript compiler and imports it.
 */
async function compile(experimentalDecorators: boolean): Promise<Fixture> {
  const program = ts.createProgram([fixture], appCompilerOptions({ experimentalDecorators }));
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
  const out = ts.transpileModule(readFileSync(fixture, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators },
  }).outputText;
  // really the TC39 decorators, or the legacy __decorate(decorators, prototype, key, descriptor)
  expect(out).toContain(experimentalDecorators ? '__decorate(' : '__esDecorate');
  const file = join(mkdtempSync(join(tmpdir(), 'lexigram-decorators-')), 'orders.mjs');
  writeFileSync(file, out);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Fixture;
}

beforeAll(async () => {
  compiled.standard = await compile(false);
  compiled.legacy = await compile(true);
}, 60_000);

afterEach(() => setDefaultMonitor(undefined));

describe.each(['standard', 'legacy'] as const)('%s decorators, type-checked and compiled by tsc', (kind) => {
  it('@traced() and @metered() keep this, args, results and errors', async () => {
    const { defineOrders, ValidationError } = compiled[kind];
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const Orders = defineOrders(traced, metered);
    const err = new ValidationError('empty order');
    const orders = new Orders('ord');

    expect(orders.label('1')).toBe('ord-1');
    expect(await orders.process('42')).toBe('ord-42');
    await expect(orders.process('', err)).rejects.toBe(err);
    const made = Orders.create('s');
    expect(made).toBeInstanceOf(Orders);
    expect(made.label('x')).toBe('s-x');
    expect(orders.sum(1, 2, 3)).toBe(6);
    expect(orders.process.name).toBe('process');
    expect(orders.pick({ a: 1 }, 'a')).toBe(1);
    expect(Orders.of('p')).toEqual({ prefix: 'p' });

    await monitor.flush();
    const names = memory.spans.map((s) => s.name);
    expect(names.filter((n) => n === 'Orders.label')).toHaveLength(3);
    expect(names.filter((n) => n === 'process_order')).toHaveLength(2);
    expect(names).toContain('Orders.create');
    expect(names).toContain('Orders.pick');
    const failed = memory.spans.filter((s) => s.name === 'process_order' && s.status.code === SpanStatus.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].status.message).toBe('empty order');
    const parent = memory.spans.find((s) => s.name === 'process_order' && s.status.code !== SpanStatus.ERROR)!;
    expect(memory.spans.some((s) => s.name === 'Orders.label' && s.parentSpanId === parent.spanId)).toBe(true);

    const m = monitor.metrics.collect().metrics;
    const get = (n: string) => m.find((x) => x.name === n) as CounterMetric;
    expect(get('orders_processed_calls_total').points[0].value).toBe(2);
    expect(get('orders_processed_errors_total').points[0].attributes).toEqual({ 'error.type': 'ValidationError' });
    expect(get('orders_label_calls_total').points[0].value).toBe(3);
    expect(get('orders_sum_calls_total').points[0]).toMatchObject({ attributes: { tier: 'gold' }, value: 1 });
  });

  it('a method is named after the class that declares it: an override calling super.place() records both, an inherited one its base', async () => {
    const { defineInheritance } = compiled[kind];
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const { Base, Sub, Inherits } = defineInheritance(traced, metered, () => undefined);
    expect(new Sub().place(1)).toBe(3);
    expect(new Inherits().place(1)).toBe(2);
    expect(new Base().place(2)).toBe(4);
    expect(Sub.make()).toBeInstanceOf(Sub);
    await monitor.flush();
    const sub = memory.findSpan('Sub.place')!;
    expect(memory.spans.map((s) => s.name)).toEqual(['Base.place', 'Sub.place', 'Base.place', 'Base.place', 'Base.make']);
    expect(memory.spans[0].parentSpanId).toBe(sub.spanId);
    const calls = monitor.metrics.collect().metrics.filter((m) => m.name.endsWith('_place_calls_total'));
    expect(Object.fromEntries(calls.map((m) => [m.name, (m as CounterMetric).points[0].value]))).toEqual({ base_place_calls_total: 3, sub_place_calls_total: 1 });
  });

  it('@traced() stacked on @metered() on a generator: the span lasts the iteration, whose steps are its children', async () => {
    const { defineInheritance } = compiled[kind];
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    const { Base } = defineInheritance(traced, metered, () => monitor.tracer.startSpan('step').end());
    const seen: number[] = [];
    for await (const n of new Base().rows()) seen.push(n);
    expect(seen).toEqual([1]);
    await monitor.flush();
    const rows = memory.findSpan('rows')!;
    const step = memory.findSpan('step')!;
    expect(step.parentSpanId).toBe(rows.spanId);
    expect(rows.endTime).toBeGreaterThanOrEqual(step.endTime);
    expect((monitor.metrics.collect().metrics.find((m) => m.name === 'rows_calls_total') as CounterMetric).points[0].value).toBe(1);
  });

  it('decorated methods run unchanged without any monitor', async () => {
    const { defineOrders, ValidationError } = compiled[kind];
    const Orders = defineOrders(traced, metered);
    const o = new Orders('p');
    expect(await o.process('1')).toBe('p-1');
    const err = new ValidationError('x');
    await expect(o.process('1', err)).rejects.toBe(err);
  });
});

describe('legacy decorators (experimentalDecorators), compiled by tsc', () => {
  // Compiled by tsc as such a project would: __decorate(decorators, prototype, key, descriptor).
  async function compileLegacy(source: string): Promise<Record<string, (...decorators: unknown[]) => unknown>> {
    const out = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: true },
    }).outputText;
    expect(out).toContain('__decorate');
    const file = join(mkdtempSync(join(tmpdir(), 'lexigram-legacy-')), 'legacy.mjs');
    writeFileSync(file, out);
    return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, (...decorators: unknown[]) => unknown>;
  }

  it('bare @traced / @metered and @traced() wrap methods, static ones and symbol-named ones, named by the class that declares them', async () => {
    const mod = await compileLegacy(`
      export const define = (d) => {
        class A { constructor() { this.n = 1; } @d run(x) { return x + this.n; } @d static make() { return new this(); } @d() [Symbol.for('s')]() { return this.n; } }
        class B extends A {}
        return { A, B };
      };
    `);
    for (const [decorator, base] of [[traced, 'traced'], [metered, 'metered']] as const) {
      const { monitor, memory } = createTestMonitor();
      setDefaultMonitor(monitor);
      const { A, B } = mod.define(decorator) as { A: { make(): { run(x: number): number } }; B: { make(): { run(x: number): number; [k: symbol]: () => number } } };
      expect(A.make().run(1)).toBe(2);
      const b = B.make();
      expect(b.run(2)).toBe(3);
      expect(b[Symbol.for('s')]()).toBe(1);
      await monitor.flush();
      if (base === 'traced') expect(memory.spans.map((s) => s.name)).toEqual(['A.make', 'A.run', 'A.make', 'A.run', 'A.s']);
      else expect(monitor.metrics.collect().metrics.map((m) => m.name).filter((n) => n.endsWith('_calls_total')).sort()).toEqual(['a_make_calls_total', 'a_run_calls_total', 'a_s_calls_total']);
    }
  });

  it('metadata set on the method by a decorator applied before (reflect-metadata: NestJS routes) is on the wrapped method too', async () => {
    // reflect-metadata's API, enough of it for the test
    const store = new WeakMap<object, Map<unknown, unknown>>();
    const meta = {
      defineMetadata: (k: unknown, v: unknown, o: object) => void (store.get(o) ?? store.set(o, new Map()).get(o)!).set(k, v),
      getOwnMetadata: (k: unknown, o: object) => store.get(o)?.get(k),
      getOwnMetadataKeys: (o: object) => [...(store.get(o)?.keys() ?? [])],
    };
    Object.assign(Reflect, meta);
    try {
      const mod = await compileLegacy(`
        const Get = (path) => (target, key, descriptor) => { Reflect.defineMetadata('path', path, descriptor.value); };
        export const define = (d) => { class Users { @d() @Get('/users') list() { return [1]; } } return Users; };
      `);
      for (const decorator of [traced, metered] as const) {
        const { monitor, memory } = createTestMonitor();
        const Users = mod.define(() => (decorator === traced ? traced({ monitor }) : metered({ monitor }))) as { prototype: { list(): number[] } };
        expect(meta.getOwnMetadata('path', Users.prototype.list)).toBe('/users');
        expect(Users.prototype.list()).toEqual([1]);
        await monitor.flush();
        if (decorator === traced) expect(memory.spans.map((s) => s.name)).toEqual(['Users.list']);
        else expect(monitor.metrics.collect().metrics.some((m) => m.name === 'users_list_calls_total')).toBe(true);
      }
    } finally {
      for (const k of Object.keys(meta)) delete (Reflect as unknown as Record<string, unknown>)[k];
    }
  });

  it('on a getter, a field or a class they throw when the class is defined, instead of leaving it unwrapped', async () => {
    const mod = await compileLegacy(`
      export const getter = (d) => { class A { @d get x() { return 1; } } return A; };
      export const field = (d) => { class B { @d x = () => 1; } return B; };
      export const klass = (d) => { @d class C {} return C; };
    `);
    for (const [bare, factory, name] of [[traced, traced(), 'traced'], [metered, metered(), 'metered']] as const) {
      for (const d of [bare, factory]) {
        expect(() => mod.getter(d)).toThrow(`@${name} on x: only class methods can be decorated`);
        expect(() => mod.field(d)).toThrow(`@${name} on x: only class methods can be decorated`);
      }
      expect(() => mod.klass(bare)).toThrow(`@${name} on the class C: only class methods can be decorated`);
      expect(() => mod.klass(factory)).toThrow(`@${name}() decorates class methods`);
    }
  });
});
