import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { PerformanceMonitor } from '../perf/performance-monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from '../wrappers/metered.js';
import { traced } from '../wrappers/traced.js';

const calls = (monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string) =>
  (monitor.metrics.collect().metrics.find((m) => m.name === name) as CounterMetric | undefined)?.points[0]?.value;

describe('a lazy thenable returned by an instrumented function, run by one of its methods', () => {
  // Mongoose's Query: awaited, or run by `.exec()` (Drizzle `.execute()`), which returns a native Promise.
  let ran = 0;
  let inside: (() => void) | undefined;
  class Query {
    where(): this {
      return this;
    }
    exec(): Promise<string[]> {
      ran++;
      inside?.();
      return new Promise((r) => setTimeout(() => r(['row']), 1));
    }
    then<R>(ok: (v: string[]) => R, ko?: (e: unknown) => R): Promise<R> {
      return this.exec().then(ok, ko);
    }
  }

  it('a query run by .exec() is recorded like one awaited, its work inside the span', async () => {
    const { monitor, memory } = createTestMonitor();
    ran = 0;
    inside = () => monitor.tracer.startSpan('query').end();
    const find = traced('find', metered('find', () => new Query(), { monitor }), { monitor });
    expect(await find().where()).toEqual(['row']);
    expect(await find().where().exec()).toEqual(['row']);
    inside = undefined;
    const perf = new PerformanceMonitor(monitor);
    expect(await (perf.measure('perf_exec', () => new Query()) as Query).exec()).toEqual(['row']);
    await monitor.flush();
    expect(ran).toBe(3);
    const finds = memory.spans.filter((s) => s.name === 'find');
    expect(finds).toHaveLength(2);
    expect(calls(monitor, 'find_calls_total')).toBe(2);
    expect(perf.stats('perf_exec')?.count).toBe(1);
    // the query's own span is the call's child, whether awaited or run by exec()
    const queries = memory.spans.filter((s) => s.name === 'query');
    expect(queries.map((q) => q.parentSpanId).sort()).toEqual(finds.map((f) => f.spanId).sort());
  });

  it('a PrismaPromise run by $transaction([...]) through requestTransaction is recorded, once per call', async () => {
    const { monitor, memory } = createTestMonitor();
    let queries = 0;
    // the shape of Prisma's createPrismaPromise
    const createPrismaPromise = (callback: (tx?: unknown) => Promise<unknown>) => {
      let promise: Promise<unknown> | undefined;
      const run = (tx?: unknown) => (tx === undefined ? (promise ??= callback(tx)) : callback(tx));
      return {
        then: (ok: (v: unknown) => unknown, ko?: (e: unknown) => unknown) => run().then(ok, ko),
        requestTransaction: (tx: unknown) => run(tx),
        [Symbol.toStringTag]: 'PrismaPromise',
      };
    };
    type PP = ReturnType<typeof createPrismaPromise>;
    const $transaction = (items: PP[]) => Promise.all(items.map((p) => p.requestTransaction({ kind: 'batch' })));
    const create = traced(
      'create',
      metered('create', (id: number) => createPrismaPromise(async () => (queries++, id)), { monitor }),
      { monitor },
    );
    expect(await create(1)).toBe(1);
    const err = new Error('unique constraint');
    const failing = traced('create', () => createPrismaPromise(() => Promise.reject(err)), { monitor });
    expect(await $transaction([create(2), create(3)])).toEqual([2, 3]);
    await expect($transaction([failing()])).rejects.toBe(err);
    await monitor.flush();
    expect(queries).toBe(3);
    expect(memory.spans.filter((s) => s.name === 'create')).toHaveLength(4);
    expect(memory.spans.at(-1)!.attributes['error.type']).toBe('Error');
    expect(calls(monitor, 'create_calls_total')).toBe(3);
  });
});

describe('the Proxy around a returned thenable', () => {
  it('a setter writing a #private field works through it, as on the builder itself', async () => {
    const { monitor } = createTestMonitor();
    class Builder {
      #limit = 10;
      get limit(): number {
        return this.#limit;
      }
      set limit(v: number) {
        this.#limit = v;
      }
      then<R>(ok: (v: number) => R): Promise<R> {
        return Promise.resolve(this.#limit).then(ok);
      }
    }
    const q = traced('query', () => new Builder(), { monitor })();
    q.limit = 5;
    expect(q.limit).toBe(5);
    (q as unknown as { plain: number }).plain = 1;
    expect((q as unknown as { plain: number }).plain).toBe(1);
    expect(await q).toBe(5);
  });
});
