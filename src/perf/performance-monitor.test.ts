import { describe, expect, it } from 'vitest';
import type { HistogramMetric } from '../model/metric-data.js';
import { SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { getActiveSpan } from '../context/active.js';
import { PerformanceMonitor } from './performance-monitor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PerformanceMonitor', () => {
  it('track(): durationMs is live until end(), then fixed', async () => {
    const perf = new PerformanceMonitor();
    const t = perf.track('op');
    await sleep(15);
    const running = t.durationMs;
    expect(running).toBeGreaterThanOrEqual(10);
    expect(t.ended).toBe(false);
    const final = t.end();
    await sleep(5);
    expect(t.durationMs).toBe(final);
    expect(t.end()).toBe(final); // once
    expect(perf.stats('op')!.count).toBe(1);
  });

  it('using t = perf.track(...) ends at the end of the block', () => {
    const perf = new PerformanceMonitor();
    let handle: { ended: boolean } | undefined;
    {
      using t = perf.track('block');
      handle = t;
      expect(t.ended).toBe(false);
    }
    expect(handle!.ended).toBe(true);
    expect(perf.stats('block')!.count).toBe(1);
  });

  it('measure(): sync and async results, the same error rethrown, failures timed', async () => {
    const perf = new PerformanceMonitor();
    expect(perf.measure('sync', () => 41 + 1)).toBe(42);
    expect(await perf.measure('async', async () => 'ok')).toBe('ok');
    const err = new Error('nope');
    expect(() => perf.measure('sync', () => { throw err; })).toThrow(err);
    await expect(perf.measure('async', async () => { throw err; })).rejects.toBe(err);
    expect(perf.stats('sync')!.count).toBe(2);
    expect(perf.stats('async')!.count).toBe(2);
    expect(perf.stats('missing')).toBeUndefined();
  });

  it('measure(): a thenable that is not a native Promise (a query builder) is timed until it settles, as the wrappers do', async () => {
    const perf = new PerformanceMonitor();
    const query = <T>(v: T, fail = false): PromiseLike<T> => ({
      then: (ok, ko) => sleep(40).then(() => (fail ? Promise.reject(new Error('lost')) : v)).then(ok, ko),
    });
    expect(await perf.measure('load_rows', () => query('rows'))).toBe('rows');
    await expect(perf.measure('load_rows', () => query('rows', true))).rejects.toThrow('lost');
    const s = perf.stats('load_rows')!;
    expect(s.count).toBe(2);
    expect(s.min).toBeGreaterThanOrEqual(30);
  });

  it('stats(): count, mean, min, max and percentiles within the sketch accuracy', () => {
    const perf = new PerformanceMonitor();
    // Feed known durations through the private recorder (the clock is not under test here).
    const record = (perf as unknown as { record(n: string, ms: number): void }).record.bind(perf);
    for (let i = 1; i <= 1000; i++) record('q', i);
    const s = perf.stats('q')!;
    expect(s.count).toBe(1000);
    expect(s.mean).toBeCloseTo(500.5, 9);
    expect([s.min, s.max]).toEqual([1, 1000]);
    expect(s.p50).toBeGreaterThan(500 * 0.99);
    expect(s.p50).toBeLessThan(501 * 1.01);
    expect(s.p95).toBeGreaterThan(950 * 0.99);
    expect(s.p95).toBeLessThan(951 * 1.01);
    expect(s.p99).toBeGreaterThan(990 * 0.99);
    expect(s.p99).toBeLessThanOrEqual(1000);
  });

  it('names are bounded by maxOperations', () => {
    const perf = new PerformanceMonitor(undefined, { maxOperations: 2 });
    for (const n of ['a', 'b', 'c']) perf.track(n).end();
    expect(perf.operations).toEqual(['a', 'b']);
  });

  it('configuration mistakes throw at construction, saying what to change (DESIGN §5)', () => {
    const { monitor } = createTestMonitor();
    // Options given first used to pass for a monitor: every end() then threw into the app.
    expect(() => new PerformanceMonitor({ maxOperations: 10 } as never)).toThrow(/first argument must be a Monitor or undefined; options go second/);
    expect(() => new PerformanceMonitor(null as never)).toThrow(/first argument must be a Monitor/);
    for (const maxOperations of [-1, 1.5, NaN, '10' as unknown as number]) {
      expect(() => new PerformanceMonitor(monitor, { maxOperations })).toThrow(/maxOperations must be an integer ≥ 0/);
    }
    expect(() => new PerformanceMonitor(monitor, { histogram: 'op duration' })).toThrow(/invalid metric name "op duration"/);
    expect(() => new PerformanceMonitor(undefined, { histogram: 'op duration' })).toThrow(/invalid metric name/);
    // A misspelled option left its default in force unnoticed.
    expect(() => new PerformanceMonitor(monitor, { maxOperation: 5 } as never)).toThrow(/^PerformanceMonitor: unknown option `maxOperation`; known options are histogram, spans, maxOperations\.$/);
    const ok = new PerformanceMonitor(monitor, { histogram: 'op_duration_seconds', maxOperations: 0 });
    expect(() => ok.track('x').end()).not.toThrow();
    expect(ok.stats('x')).toBeUndefined();
  });

  it('spans that is not a boolean throws at construction (`spans: \'false\'` from an env var kept spans on)', async () => {
    const { monitor, memory } = createTestMonitor();
    for (const spans of ['false', 0, null]) {
      expect(() => new PerformanceMonitor(monitor, { spans: spans as never })).toThrow(/^PerformanceMonitor: spans must be true or false, got /);
    }
    new PerformanceMonitor(monitor, { spans: false }).measure('quiet', () => 1);
    new PerformanceMonitor(monitor, { spans: true }).measure('loud', () => 1);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['loud']);
  });

  it('measure(): `throw undefined` and `reject(undefined)` are failures too (span ERROR, as traced records them)', async () => {
    const { monitor, memory } = createTestMonitor();
    const perf = new PerformanceMonitor(monitor);
    let thrown: unknown = 'nothing';
    try {
      perf.measure('thrown', () => {
        throw undefined;
      });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
    await expect(perf.measure('rejected', () => Promise.reject(undefined))).rejects.toBeUndefined();
    perf.track('ended').end(undefined);
    await monitor.flush();
    expect(['thrown', 'rejected', 'ended'].map((n) => memory.findSpan(n)!.status.code)).toEqual([SpanStatus.ERROR, SpanStatus.ERROR, SpanStatus.UNSET]);
    expect(perf.stats('rejected')!.count).toBe(1);
  });

  it("track().end(err) with a Node-style callback's err: null is success, an error fails the span", async () => {
    const { monitor, memory } = createTestMonitor();
    const perf = new PerformanceMonitor(monitor);
    const read = (fail: boolean, cb: (err: Error | null, data?: string) => void): void => (fail ? cb(new Error('ENOENT')) : cb(null, 'data'));
    for (const fail of [false, true]) {
      const t = perf.track(fail ? 'read_fail' : 'read_ok');
      read(fail, (err) => void t.end(err));
    }
    await monitor.flush();
    expect(memory.findSpan('read_ok')!.status.code).toBe(SpanStatus.UNSET);
    expect(memory.findSpan('read_ok')!.events).toEqual([]);
    expect(memory.findSpan('read_fail')!.status).toEqual({ code: SpanStatus.ERROR, message: 'ENOENT' });
  });

  it('with a monitor: a histogram in seconds and a span per operation (ERROR on failure)', async () => {
    const { monitor, memory } = createTestMonitor();
    const perf = new PerformanceMonitor(monitor);
    perf.measure('work', () => 1, { 'job.id': 7 });
    await expect(perf.measure('fail', async () => { throw new TypeError('bad'); })).rejects.toThrow('bad');
    await monitor.flush();
    expect(memory.findSpan('work')!.attributes).toEqual({ 'job.id': 7 });
    expect(memory.findSpan('fail')!.status.code).toBe(SpanStatus.ERROR);
    const h = memory.getMetric('performance_operation_duration_seconds') as HistogramMetric;
    expect(h.unit).toBe('s');
    expect(h.points.map((p) => [p.attributes.operation, p.count])).toEqual([['work', 1], ['fail', 1]]);
    expect(h.points[0].sum).toBeLessThan(5);
  });

  it("the span ends before the duration is recorded: the recording (the operation's sketch and histogram, made on its first call) is not the operation's time", async () => {
    const { monitor } = createTestMonitor();
    const order: string[] = [];
    const startSpan = monitor.tracer.startSpan.bind(monitor.tracer);
    monitor.tracer.startSpan = (name, options) => {
      const span = startSpan(name, options);
      const end = span.end.bind(span);
      span.end = (t) => (order.push(`end ${name}`), end(t));
      return span;
    };
    const createHistogram = monitor.metrics.createHistogram.bind(monitor.metrics);
    monitor.metrics.createHistogram = ((...a: Parameters<typeof createHistogram>) => {
      order.push('histogram made');
      const h = createHistogram(...a);
      const observe = h.observe.bind(h);
      h.observe = (v, l) => (order.push(`observe ${String(l?.operation)}`), observe(v, l));
      return h;
    }) as typeof createHistogram;
    const perf = new PerformanceMonitor(monitor);
    perf.measure('first', () => 1);
    perf.track('second').end(new Error('x'));
    expect(order).toEqual(['end first', 'histogram made', 'observe first', 'end second', 'observe second']);
  });

  it('measure(): the operation span is active while fn runs, so spans and logs inside are its children', async () => {
    const { monitor, memory } = createTestMonitor();
    const perf = new PerformanceMonitor(monitor);
    await monitor.tracer.startActiveSpan('request-scope', async () => {
      await perf.measure('load_rows', async () => {
        monitor.tracer.startSpan('db.query').end();
        await sleep(1);
        monitor.logger.info('inside measure');
      });
      expect(perf.measure('sync_rows', () => (getActiveSpan() as { name?: string } | undefined)?.name)).toBe('sync_rows');
    });
    await monitor.flush();
    const load = memory.findSpan('load_rows')!;
    expect(memory.findSpan('db.query')!.parentSpanId).toBe(load.spanId);
    expect(load.parentSpanId).toBe(memory.findSpan('request-scope')!.spanId);
    expect(memory.logs[0].spanId).toBe(load.spanId);
    expect(getActiveSpan()).toBeUndefined();
  });

  it('measure(): a lazy thenable comes back as itself, runs when awaited (in the operation span) and is timed until then', async () => {
    const { monitor, memory } = createTestMonitor();
    const perf = new PerformanceMonitor(monitor);
    let executions = 0;
    class QueryBuilder {
      clauses: string[] = [];
      where(c: string) {
        this.clauses.push(c);
        return this;
      }
      then<R>(ok: (rows: string[]) => R, ko?: (e: unknown) => R) {
        executions++;
        monitor.tracer.startSpan('db.query').end();
        return Promise.resolve([this.clauses.join(' and ')]).then(ok, ko);
      }
    }
    const q = perf.measure('users', () => new QueryBuilder());
    expect(q).toBeInstanceOf(QueryBuilder);
    expect(executions).toBe(0);
    expect(perf.stats('users')).toBeUndefined();
    expect(await q.where('a').where('b')).toEqual(['a and b']);
    expect(executions).toBe(1);
    expect(perf.stats('users')!.count).toBe(1);
    await monitor.flush();
    expect(memory.findSpan('db.query')!.parentSpanId).toBe(memory.findSpan('users')!.spanId);
  });
});
