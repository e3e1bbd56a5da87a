import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatus } from '../model/span-data.js';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { setDefaultMonitor } from './default-monitor.js';
import type { defineOrders as DefineOrders, ValidationError as VE } from './decorated-orders.fixture.mjs';
import { metered } from './metered.js';
import { traced } from './traced.js';

const fixture = fileURLToPath(new URL('./decorated-orders.fixture.mts', import.meta.url));
let defineOrders: typeof DefineOrders;
let ValidationError: typeof VE;

beforeAll(async () => {
  // Type-check the decorated class as an app would compile it: standard decorators, no
  // experimentalDecorators, strict, no Node types.
  const program = ts.createProgram([fixture], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);
  const out = ts.transpileModule(readFileSync(fixture, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  expect(out).toContain('__esDecorate'); // really the TC39 decorators, lowered by tsc
  const file = join(mkdtempSync(join(tmpdir(), 'lexigram-decorators-')), 'orders.mjs');
  writeFileSync(file, out);
  const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { defineOrders: typeof DefineOrders; ValidationError: typeof VE };
  defineOrders = mod.defineOrders;
  ValidationError = mod.ValidationError;
}, 60_000);

afterEach(() => setDefaultMonitor(undefined));

describe('TypeScript 5 standard decorators (no experimentalDecorators)', () => {
  it('@traced() and @metered() keep this, args, results and errors', async () => {
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

    await monitor.flush();
    const names = memory.spans.map((s) => s.name);
    expect(names.filter((n) => n === 'Orders.label')).toHaveLength(3);
    expect(names.filter((n) => n === 'process_order')).toHaveLength(2);
    expect(names).toContain('Orders.create');
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

  it('decorated methods run unchanged without any monitor', async () => {
    const Orders = defineOrders(traced, metered);
    const o = new Orders('p');
    expect(await o.process('1')).toBe('p-1');
    const err = new ValidationError('x');
    await expect(o.process('1', err)).rejects.toBe(err);
  });
});

describe('legacy decorators (experimentalDecorators)', () => {
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

  it('bare @traced / @metered and @traced() throw at class definition, naming the setting, instead of leaving the method silently unwrapped', async () => {
    const mod = await compileLegacy(`
      export const bare = (d) => { class A { @d run(x) { return x + 1; } } return A; };
      export const bareStatic = (d) => { class B { @d static run(x) { return x + 1; } } return B; };
      export const factory = (d) => { class C { @d() run(x) { return x + 1; } } return C; };
    `);
    const { monitor } = createTestMonitor();
    setDefaultMonitor(monitor);
    for (const [decorator, name] of [[traced, 'traced'], [metered, 'metered']] as const) {
      for (const define of [mod.bare, mod.bareStatic, mod.factory]) {
        expect(() => define(decorator)).toThrow(new RegExp(`@${name} on run: .*legacy decorator \\(TypeScript experimentalDecorators\\)`));
      }
    }
  });
});
