import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { getActiveSpan } from '../context/active.js';
import { SpanStatus } from '../model/span-data.js';
import type { HistogramMetric, CounterMetric } from '../model/metric-data.js';
import { metered } from './metered.js';
import { setDefaultMonitor } from './default-monitor.js';
import { traced } from './traced.js';

class ValidationError extends Error {
  override name = 'ValidationError';
}

function metric<T>(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): T {
  return monitor.metrics.collect().metrics.find((m) => m.name === name) as T;
}

afterEach(() => setDefaultMonitor(undefined));

describe('traced()', () => {
  it('wraps sync and async functions with a span per call, passing this, args and results through', async () => {
    const { monitor, memory } = createTestMonitor();
    const obj = { factor: 3 };
    const mul = traced('mul', function (this: typeof obj, x: number) {
      expect(getActiveSpan()).toBeDefined();
      return this.factor * x;
    }, { monitor });
    expect(mul.call(obj, 2)).toBe(6);
    async function later0(x: number): Promise<number> {
      return x + 1;
    }
    const later = traced(later0, { monitor });
    await expect(later(1)).resolves.toBe(2);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['mul', 'later0']);
  });

  it('records the exception, sets ERROR and rethrows the same error (sync and async)', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new ValidationError('bad input');
    const boom = traced('boom', () => {
      throw err;
    }, { monitor });
    const reject = traced('reject', async () => {
      throw err;
    }, { monitor });
    let caught: unknown;
    try {
      boom();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    await expect(reject()).rejects.toBe(err);
    await monitor.flush();
    for (const name of ['boom', 'reject']) {
      const s = memory.findSpan(name)!;
      expect(s.status).toEqual({ code: SpanStatus.ERROR, message: 'bad input' });
      expect(s.events[0].name).toBe('exception');
    }
  });

  it('a generator function: the span lasts the iteration, each step runs inside it, a throw while iterating is recorded', async () => {
    const { monitor, memory } = createTestMonitor();
    const pages = traced('pages', async function* (n: number) {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setTimeout(r, 20));
        monitor.tracer.startSpan(`page ${i}`).end();
        yield i;
      }
      throw new RangeError('no more pages');
    }, { monitor });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of pages(3)) seen.push(p);
      })(),
    ).rejects.toThrow('no more pages');
    const ids = traced('ids', function* () {
      yield 1;
      yield 2;
    }, { monitor });
    const firstOnly: number[] = [];
    for (const id of ids()) {
      firstOnly.push(id);
      break; // an early return ends the call too
    }
    await monitor.flush();
    expect(seen).toEqual([0, 1, 2]);
    expect(firstOnly).toEqual([1]);
    const span = memory.findSpan('pages')!;
    // It ends after the last step it contains, not when the generator object was returned.
    const lastPage = memory.findSpan('page 2')!;
    expect(span.endTime).toBeGreaterThanOrEqual(lastPage.endTime);
    expect(span.status).toEqual({ code: SpanStatus.ERROR, message: 'no more pages' });
    expect(memory.spans.filter((s) => s.name.startsWith('page ')).every((s) => s.parentSpanId === span.spanId)).toBe(true);
    expect(memory.findSpan('ids')!.status.code).toBe(SpanStatus.UNSET);
  });

  it('traced() around metered() around a generator function: the outer call lasts the iteration too', async () => {
    const { monitor, memory } = createTestMonitor();
    const rows = traced('rows', metered('rows', function* (n: number) {
      for (let i = 0; i < n; i++) {
        monitor.tracer.startSpan(`row ${i}`).end();
        yield i;
      }
    }, { monitor }), { monitor });
    const it = rows(2);
    expect(Object.prototype.toString.call(it)).toBe('[object Generator]');
    expect(metric<CounterMetric | undefined>(monitor, 'rows_calls_total')?.points ?? []).toHaveLength(0);
    expect([...it]).toEqual([0, 1]);
    await monitor.flush();
    const span = memory.findSpan('rows')!;
    expect(memory.spans.map((s) => s.name)).toEqual(['row 0', 'row 1', 'rows']);
    expect(memory.spans.filter((s) => s.name.startsWith('row ')).every((s) => s.parentSpanId === span.spanId)).toBe(true);
    expect(metric<CounterMetric>(monitor, 'rows_calls_total').points[0].value).toBe(1);
  });

  it('nests: a traced call inside another is its child', async () => {
    const { monitor, memory } = createTestMonitor();
    const inner = traced('inner', async () => 1, { monitor });
    const outer = traced('outer', async () => (await inner()) + 1, { monitor });
    expect(await outer()).toBe(2);
    await monitor.flush();
    expect(memory.findSpan('inner')!.parentSpanId).toBe(memory.findSpan('outer')!.spanId);
  });

  it('a thenable that is not a native Promise (query builder, Bluebird, another realm) ends the span when it settles', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new ValidationError('query failed');
    const query = (fail: boolean) => ({
      then(ok?: (v: unknown) => unknown, ko?: (e: unknown) => unknown) {
        return new Promise((res, rej) => setTimeout(() => (fail ? rej(err) : res('rows')), 30)).then(ok, ko);
      },
    });
    const good = traced('good', () => query(false), { monitor });
    const bad = traced('bad', () => query(true), { monitor });
    await expect(Promise.resolve(good())).resolves.toBe('rows');
    await expect(Promise.resolve(bad())).rejects.toBe(err);
    await monitor.flush();
    for (const name of ['good', 'bad']) expect(memory.findSpan(name)!.durationMs).toBeGreaterThanOrEqual(20);
    expect(memory.findSpan('good')!.status.code).toBe(SpanStatus.UNSET);
    expect(memory.findSpan('bad')!.status).toEqual({ code: SpanStatus.ERROR, message: 'query failed' });
    expect(memory.findSpan('bad')!.events[0].name).toBe('exception');
  });

  it('runs bare without a monitor and uses the default monitor when set later', async () => {
    const f = traced('late', (x: number) => x * 2);
    expect(f(2)).toBe(4);
    const { monitor, memory } = createTestMonitor();
    setDefaultMonitor(monitor);
    expect(f(3)).toBe(6);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['late']);
  });

  it('a broken monitor never reaches the caller', () => {
    const broken = { tracer: { startSpan: () => { throw new Error('telemetry down'); } } } as never;
    const f = traced('x', (a: number) => a + 1, { monitor: broken });
    expect(f(1)).toBe(2);
  });
});

describe('metered()', () => {
  it('counts calls, errors by error.type and durations in seconds', async () => {
    const { monitor } = createTestMonitor();
    const work = metered('orders_processed', async (fail: boolean) => {
      if (fail) throw new ValidationError('no');
      return 'ok';
    }, { monitor });
    expect(await work(false)).toBe('ok');
    await expect(work(true)).rejects.toThrow('no');
    expect(metric<CounterMetric>(monitor, 'orders_processed_calls_total').points[0].value).toBe(2);
    const errors = metric<CounterMetric>(monitor, 'orders_processed_errors_total');
    expect(errors.points).toHaveLength(1);
    expect(errors.points[0]).toMatchObject({ attributes: { 'error.type': 'ValidationError' }, value: 1 });
    const h = metric<HistogramMetric>(monitor, 'orders_processed_duration_seconds');
    expect(h.unit).toBe('s');
    expect(h.points[0].count).toBe(2);
    expect(h.points[0].sum).toBeLessThan(5);
  });

  it('counts the rejection of a thenable that is not a native Promise as an error', async () => {
    const { monitor } = createTestMonitor();
    const thenable = { then: (_ok: unknown, ko: (e: unknown) => unknown) => Promise.reject(new ValidationError('no')).then(undefined, ko) };
    const work = metered('lazy_query', () => thenable, { monitor });
    await expect(Promise.resolve(work())).rejects.toThrow('no');
    const errors = metric<CounterMetric>(monitor, 'lazy_query_errors_total');
    expect(errors.points[0]).toMatchObject({ attributes: { 'error.type': 'ValidationError' }, value: 1 });
  });

  it('a metric name clash is reported, not thrown', () => {
    const { monitor } = createTestMonitor();
    monitor.metrics.createGauge('clash_calls_total', 'app gauge');
    const f = metered('clash', () => 42, { monitor });
    expect(f()).toBe(42);
  });
});

describe('lazy thenables (query builders, PrismaPromise) returned by traced() and metered()', () => {
  let executions = 0;
  class QueryBuilder {
    #table: string;
    clauses: string[] = [];
    constructor(table: string) {
      this.#table = table;
    }
    get [Symbol.toStringTag]() {
      return 'QueryBuilder';
    }
    where(c: string): this {
      this.clauses.push(c);
      return this;
    }
    /** An immutable builder's method: a new builder. */
    clone(): QueryBuilder {
      const b = new QueryBuilder(this.#table);
      b.clauses = [...this.clauses];
      return b;
    }
    then<R>(ok?: (rows: string[]) => R, ko?: (e: unknown) => R): Promise<R> {
      executions++;
      const sql = `select * from ${this.#table}${this.clauses.length ? ' where ' + this.clauses.join(' and ') : ''}`;
      return new Promise<string[]>((res, rej) => setTimeout(() => (this.clauses.includes('fail') ? rej(new ValidationError('bad query')) : res([sql])), 5)).then(ok, ko) as Promise<R>;
    }
  }

  it('the builder comes back as itself: nothing runs until awaited, its methods chain, the span ends when it settles', async () => {
    executions = 0;
    const { monitor, memory } = createTestMonitor();
    let inside: string | undefined;
    const users = traced('users', () => new QueryBuilder('users'), { monitor });
    const q = users();
    expect(executions).toBe(0);
    expect(q).toBeInstanceOf(QueryBuilder);
    expect(Object.prototype.toString.call(q)).toBe('[object QueryBuilder]');
    expect(q.where).toBe(q.where);
    const chained = q.where('id = 1').where('active');
    expect(chained).toBe(q);
    await monitor.flush();
    expect(memory.spans).toHaveLength(0); // not settled yet
    // The query runs in the call's span; the caller's callback in the caller's context.
    const rows = await chained.then((r) => {
      inside = (getActiveSpan() as { name?: string } | undefined)?.name;
      return r;
    });
    expect(rows).toEqual(['select * from users where id = 1 and active']);
    expect(inside).toBeUndefined();
    expect(executions).toBe(1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['users']);
  });

  it('then called twice ends the span once; a rejection is an ERROR', async () => {
    const kinds: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => kinds.push(d.kind) });
    const q = traced('twice', () => new QueryBuilder('t'), { monitor })();
    await Promise.all([q, q.then((r) => r)]);
    const bad = traced('bad', () => new QueryBuilder('t').where('fail'), { monitor })();
    await expect(bad).rejects.toThrow('bad query');
    await monitor.flush();
    expect(memory.spans.filter((s) => s.name === 'twice')).toHaveLength(1);
    expect(memory.findSpan('bad')!.status).toEqual({ code: SpanStatus.ERROR, message: 'bad query' });
    expect(kinds).not.toContain('span_ended_twice');
  });

  it('a method returning a new builder returns it observed', async () => {
    const { monitor, memory } = createTestMonitor();
    const q = traced('immutable', () => new QueryBuilder('u'), { monitor })();
    const other = q.clone().where('x');
    expect(other).toBeInstanceOf(QueryBuilder);
    expect(await other).toEqual(['select * from u where x']);
    await monitor.flush();
    expect(memory.findSpan('immutable')).toBeDefined();
  });

  it('a PrismaPromise-like object (then, catch, finally, toStringTag) keeps its shape; catch and finally settle the span', async () => {
    const { monitor, memory } = createTestMonitor();
    let runs = 0;
    const prismaPromise = (fail: boolean) => {
      let p: Promise<string> | undefined;
      const once = () => (p ??= (runs++, fail ? Promise.reject(new ValidationError('P2025')) : Promise.resolve('row')));
      return {
        then: (ok?: (v: string) => unknown, ko?: (e: unknown) => unknown) => once().then(ok, ko),
        catch: (ko?: (e: unknown) => unknown) => once().catch(ko),
        finally: (f?: () => void) => once().finally(f),
        requestTransaction: () => once(),
        [Symbol.toStringTag]: 'PrismaPromise',
      };
    };
    const find = traced('find', prismaPromise, { monitor });
    const a = find(false);
    const b = find(true);
    expect(runs).toBe(0);
    expect(Object.prototype.toString.call(a)).toBe('[object PrismaPromise]');
    expect(typeof a.requestTransaction).toBe('function');
    let finalized = false;
    expect(await a.finally(() => (finalized = true))).toBe('row');
    expect(finalized).toBe(true);
    expect(await b.catch((e: unknown) => (e as Error).message)).toBe('P2025');
    expect(runs).toBe(2);
    await monitor.flush();
    expect(memory.findSpan('find')).toBeDefined();
    expect(memory.spans.map((s) => s.status.code).sort()).toEqual([SpanStatus.UNSET, SpanStatus.ERROR].sort());
  });

  it('a thenable never awaited records nothing (its work never ran); a native Promise is watched at once', async () => {
    executions = 0;
    const { monitor, memory } = createTestMonitor();
    traced('dropped', () => new QueryBuilder('x'), { monitor })();
    metered('dropped_query', () => new QueryBuilder('x'), { monitor })();
    expect(executions).toBe(0);
    await monitor.flush();
    expect(memory.spans).toHaveLength(0);
    expect(metric<CounterMetric | undefined>(monitor, 'dropped_query_calls_total')?.points ?? []).toHaveLength(0);
    expect(traced('native', async () => 1, { monitor })()).toBeInstanceOf(Promise);
  });

  it('metered(): the call is counted and timed when the builder settles', async () => {
    const { monitor } = createTestMonitor();
    const q = metered('users_query', () => new QueryBuilder('users'), { monitor })();
    expect(metric<CounterMetric | undefined>(monitor, 'users_query_calls_total')?.points ?? []).toHaveLength(0);
    expect(await q.where('a')).toEqual(['select * from users where a']);
    expect(metric<CounterMetric>(monitor, 'users_query_calls_total').points[0].value).toBe(1);
  });

  it('a frozen thenable, which a Proxy cannot stand in for, is chained as before instead of throwing', async () => {
    const { monitor, memory } = createTestMonitor();
    const frozen = Object.freeze({ then: (ok: (v: string) => unknown) => Promise.resolve('done').then(ok), where: () => frozen });
    expect(await traced('frozen', () => frozen, { monitor })()).toBe('done');
    const derived = Object.freeze({ then: (ok: (v: number) => unknown) => Promise.resolve(2).then(ok) });
    const q = traced('derived', () => new (class { then(ok: (v: number) => unknown) { return Promise.resolve(1).then(ok); } next() { return derived; } })(), { monitor })();
    expect(await q.next()).toBe(2); // observed, its frozen then left as it is
    expect(await q).toBe(1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['derived', 'frozen']);
  });

  it('tracer.startActiveSpan() hands a builder back unrun, too', async () => {
    executions = 0;
    const { monitor, memory } = createTestMonitor();
    const q = monitor.tracer.startActiveSpan('active', () => new QueryBuilder('a'));
    expect(q).toBeInstanceOf(QueryBuilder);
    expect(executions).toBe(0);
    expect(await q.where('k')).toEqual(['select * from a where k']);
    await monitor.flush();
    expect(memory.findSpan('active')).toBeDefined();
  });
});

describe('review: options are checked when wrapping, and the hot path stays cheap', () => {
  it('metered(): labels and buckets that would drop every data point throw when the function is wrapped, naming the option', () => {
    const { monitor } = createTestMonitor();
    expect(() => metered('x', () => 1, { monitor, buckets: [2, 1] })).toThrow(/x_duration_seconds.*strictly increasing/);
    expect(() => metered('x', () => 1, { monitor, labels: { 'bad-name': 'a' } })).toThrow(/invalid label name "bad-name" in `labels`/);
    expect(() => metered('x', () => 1, { monitor, labels: { tier: {} as unknown as string } })).toThrow(/"tier" in `labels` must be a string/);
    expect(() => metered('x', () => 1, { monitor, labels: { 'error.type': 'x' } })).toThrow(/"error.type"/);
    expect(() => metered({ labels: { le: '1' } })).toThrow(/"le"/);
    // the Prometheus spelling of error.type: both would be one label there, their values merged
    expect(() => metered('x', () => 1, { monitor, labels: { error_type: 'x' } })).toThrow(/"error_type"/);
    // A misspelled option (its default left in force unnoticed: no labels, or another monitor).
    expect(() => metered('x', () => 1, { lables: { tier: 'gold' } } as never)).toThrow(/^metered\("x"\): unknown option `lables`; known options are monitor, labels, buckets\.$/);
    expect(() => traced('x', () => 1, { monitr: monitor } as never)).toThrow(/^traced\("x"\): unknown option `monitr`; known options are monitor, spanKind, attributes\.$/);
    expect(() => traced({ kind: 2 } as never)).toThrow(/^traced\(\): unknown option `kind`/);
    // Valid ones still record.
    const f = metered('ok', () => 1, { monitor, labels: { tier: 'gold', shard: 3, beta: true }, buckets: [0.1, 1] });
    expect(f()).toBe(1);
    expect(metric<CounterMetric>(monitor, 'ok_calls_total').points[0]).toMatchObject({ attributes: { tier: 'gold', shard: 3, beta: true }, value: 1 });
  });

  it('a `monitor` option that is not a Monitor (createTestMonitor()\'s { monitor, memory }) throws when wrapping, saying what to pass; calls ran bare', () => {
    const t = createTestMonitor();
    const hint = /`monitor` must be a Monitor \(from createMonitor\(\)\), or left out to use the one set by setDefaultMonitor\(\); createTestMonitor\(\) returns \{ monitor, memory \}: pass its `monitor`\.$/;
    expect(() => traced('job', () => 1, { monitor: t as never })).toThrow(hint);
    expect(() => metered('job', () => 1, { monitor: t as never })).toThrow(hint);
    expect(() => traced({ monitor: t as never })).toThrow(/^traced\(\): `monitor` must be a Monitor/);
    expect(() => metered('job', { monitor: t as never })).toThrow(/^metered\("job"\): `monitor` must be a Monitor/);
    for (const monitor of [null, 'monitor', {}]) {
      expect(() => traced('job', () => 1, { monitor: monitor as never })).toThrow(/^traced\("job"\): `monitor` must be a Monitor \(from createMonitor\(\)\), or left out to use the one set by setDefaultMonitor\(\)\.$/);
      expect(() => metered('job', () => 1, { monitor: monitor as never })).toThrow(/^metered\("job"\): `monitor` must be a Monitor/);
    }
    expect(traced('job', () => 1, { monitor: t.monitor })()).toBe(1);
    expect(metered('job', () => 1, { monitor: t.monitor })()).toBe(1);
    expect(metric<CounterMetric>(t.monitor, 'job_calls_total').points[0].value).toBe(1);
  });

  it('setDefaultMonitor() given something that is not a Monitor throws, saying what to pass, instead of every call running bare', () => {
    const t = createTestMonitor();
    expect(() => setDefaultMonitor(t as never)).toThrow(/^setDefaultMonitor\(monitor\): pass a Monitor \(from createMonitor\(\)\), or undefined to clear it; createTestMonitor\(\) returns \{ monitor, memory \}: pass its `monitor`\.$/);
    for (const bad of [null, 'monitor', {}]) expect(() => setDefaultMonitor(bad as never)).toThrow(/^setDefaultMonitor\(monitor\): pass a Monitor/);
    setDefaultMonitor(t.monitor);
    metered('dflt', () => 1)();
    expect(metric<CounterMetric>(t.monitor, 'dflt_calls_total').points[0].value).toBe(1);
    setDefaultMonitor(undefined);
  });

  it('traced(): a spanKind that is not a SpanKind throws when wrapping instead of silently becoming INTERNAL', () => {
    const { monitor } = createTestMonitor();
    expect(() => traced('t', () => 1, { monitor, spanKind: 99 as never })).toThrow(/`spanKind` is 99; use SpanKind.INTERNAL/);
    expect(() => traced('t', () => 1, { monitor, spanKind: 'server' as never })).toThrow(/spanKind/);
    expect(() => traced({ spanKind: 0 as never })).toThrow(/spanKind/);
    expect(traced('t', () => 1, { monitor, spanKind: 3 })()).toBe(1);
  });

  it('a thrown string is error.type "string", not its text (one series per kind of failure, not per message)', () => {
    const { monitor } = createTestMonitor();
    const f = metered('s', (id: number) => {
      throw `order ${id} not found`;
    }, { monitor });
    for (const id of [1, 2, 3]) expect(() => f(id)).toThrow(`order ${id} not found`);
    const errors = metric<CounterMetric>(monitor, 's_errors_total');
    expect(errors.points.map((p) => [p.attributes['error.type'], p.value])).toEqual([['string', 3]]);
  });

  it('bare @traced / @metered on a class or a field throw when the class is defined, not when it is used', () => {
    const ctx = (kind: string) => ({ kind, name: 'x', static: false, private: false, addInitializer() {}, metadata: {} });
    expect(() => (traced as (a: unknown, b: unknown) => unknown)(class {}, ctx('class'))).toThrow(/@traced on the class x: only class methods/);
    expect(() => (metered as (a: unknown, b: unknown) => unknown)(undefined, ctx('field'))).toThrow(/@metered on the field x/);
    expect(() => (traced as (a: unknown, b: unknown) => unknown)(() => 1, ctx('getter'))).toThrow(/getter/);
  });

  it('a decorated method names its metrics once per class, not per call', () => {
    const { monitor } = createTestMonitor();
    class Orders {
      placeOrder() {
        return 1;
      }
    }
    // another class with a method of that name (a subclass would be named Orders: it inherits it)
    class Special {
      placeOrder() {
        return 2;
      }
    }
    const context = { kind: 'method', name: 'placeOrder', static: false, private: false, addInitializer() {}, metadata: {} };
    const wrapped = (metered({ monitor }) as unknown as (f: unknown, c: unknown) => (this: Orders) => number)(Orders.prototype.placeOrder, context);
    const calls = { n: 0 };
    const original = String.prototype.replace;
    String.prototype.replace = function (this: string, ...args: unknown[]) {
      calls.n++;
      return (original as (...a: unknown[]) => string).apply(this, args);
    } as typeof original;
    try {
      for (let i = 0; i < 50; i++) wrapped.call(new Orders());
      for (let i = 0; i < 50; i++) wrapped.call(new Special() as Orders);
    } finally {
      String.prototype.replace = original;
    }
    expect(calls.n).toBeLessThanOrEqual(2 * 4);
    expect(metric<CounterMetric>(monitor, 'orders_place_order_calls_total').points[0].value).toBe(50);
    expect(metric<CounterMetric>(monitor, 'special_place_order_calls_total').points[0].value).toBe(50);
  });

  it('two metered() of one name with other buckets: the second is reported (it records into the first one\'s histogram) instead of its buckets being ignored silently', () => {
    const reported: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => reported.push(d.message) });
    const a = metered('db_query', () => 1, { monitor, buckets: [0.1, 1] });
    const b = metered('db_query', () => 2, { monitor, buckets: [0.5, 5] });
    const c = metered('db_query', () => 3, { monitor });
    expect([a(), b(), b(), c()]).toEqual([1, 2, 2, 3]);
    expect(reported).toEqual([expect.stringMatching(/metered\("db_query"\): db_query_duration_seconds exists with other buckets/)]);
    const h = metric<HistogramMetric>(monitor, 'db_query_duration_seconds');
    expect([h.points[0].bounds, h.points[0].count]).toEqual([[0.1, 1], 4]);
  });

  it('a traced generator still looks like a generator: [object Generator], its prototype, so iterator helpers work', async () => {
    const { monitor, memory } = createTestMonitor();
    function* plain() {
      yield 1;
      yield 2;
    }
    async function* plainAsync() {
      yield 1;
    }
    const ids = traced('ids', plain, { monitor });
    const it = ids();
    expect(Object.prototype.toString.call(it)).toBe('[object Generator]');
    expect(Object.getPrototypeOf(it)).toBe(Object.getPrototypeOf(plain()));
    expect(Object.prototype.toString.call(traced('a', plainAsync, { monitor })())).toBe('[object AsyncGenerator]');
    expect([...it]).toEqual([1, 2]);
    await monitor.flush();
    expect(memory.findSpan('ids')).toBeDefined();
  });

  it('traced(): an attribute value no span can hold throws when wrapping, instead of being converted and counted as a drop on every call', () => {
    const { monitor } = createTestMonitor();
    expect(() => traced('t', () => 1, { monitor, attributes: { user: { id: 1 } } as never })).toThrow(/the attribute "user" in `attributes` must be a string, number, boolean or an array of them/);
    expect(() => traced({ attributes: { tags: [1, {}] } as never })).toThrow(/"tags"/);
    expect(traced('t', () => 1, { monitor, attributes: { tier: 'gold', n: 1, ok: true, tags: ['a', 'b'] } })()).toBe(1);
    // An attribute left unset is left out once, not counted as a drop on every call.
    const f = traced('u', () => 1, { monitor, attributes: { region: undefined, tier: 'gold' } });
    f();
    f();
    expect(monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')).toBeUndefined();
  });

  it('the wrapper keeps the function\'s own properties, and `new` on it constructs the function itself (prototype, new.target)', async () => {
    const { monitor, memory } = createTestMonitor();
    type Fn = (...args: never[]) => unknown;
    const wrappers = [<F extends Fn>(name: string, f: F): F => traced(name, f, { monitor }), <F extends Fn>(name: string, f: F): F => metered(name, f, { monitor })];
    // fastify-plugin marks a plugin so; without the mark fastify encapsulates it differently.
    function plugin(): void {}
    Object.assign(plugin, { [Symbol.for('skip-override')]: true, schema: { body: 'x' } });
    for (const wrap of wrappers) {
      const w = wrap('plugin', plugin) as typeof plugin & Record<PropertyKey, unknown>;
      expect(w[Symbol.for('skip-override')]).toBe(true);
      expect(w.schema).toBe((plugin as unknown as Record<string, unknown>).schema);
    }

    let seenTarget: unknown;
    function Point(this: { x: number }, x: number): void {
      seenTarget = new.target;
      this.x = x;
    }
    Point.prototype.double = function (this: { x: number }): number {
      return this.x * 2;
    };
    for (const wrap of wrappers) {
      const P = wrap('Point', Point) as unknown as new (x: number) => { x: number; double(): number };
      const p = new P(2);
      expect(p.double()).toBe(4);
      expect(p).toBeInstanceOf(Point);
      expect(p).toBeInstanceOf(P);
      expect(seenTarget).toBe(Point);
      class Sub extends P {}
      const s = new Sub(3);
      expect([s.double(), s instanceof Sub, seenTarget]).toEqual([6, true, Sub]);
      // an arrow function is not a constructor, wrapped or not
      const arrow = wrap('arrow', () => 1) as unknown as new () => unknown;
      expect(() => new arrow()).toThrow(TypeError);
    }
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['Point', 'Point', 'arrow']);
  });

  it('a failed call\'s span carries error.type (semantic conventions), the value metered counts the failure under', async () => {
    const { monitor, memory } = createTestMonitor();
    const { PerformanceMonitor } = await import('../perf/performance-monitor.js');
    const sync = traced('sync', () => {
      throw new ValidationError('bad');
    }, { monitor });
    const text = traced('text', async () => {
      throw 'order 42 not found';
    }, { monitor });
    const ok = traced('ok', () => 1, { monitor });
    expect(() => sync()).toThrow('bad');
    await expect(text()).rejects.toBe('order 42 not found');
    ok();
    await expect(new PerformanceMonitor(monitor).measure('perf', async () => Promise.reject(new RangeError('r')))).rejects.toThrow('r');
    await monitor.flush();
    expect(['sync', 'text', 'ok', 'perf'].map((n) => memory.findSpan(n)!.attributes['error.type'])).toEqual(['ValidationError', 'string', undefined, 'RangeError']);
    expect(memory.findSpan('sync')!.status.code).toBe(SpanStatus.ERROR);
  });
});
