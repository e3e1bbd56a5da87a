import { describe, expect, it } from 'vitest';
import type { HistogramMetric, MetricData, CounterMetric } from '../model/metric-data.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';
import { HookRegistry } from './registry.js';
import { renderSnapshot } from '../exporters/prometheus/render.js';
import { handleRequest } from '../http/handle-request.js';

function values(metrics: readonly MetricData[], name: string): [Record<string, string>, number][] {
  const m = metrics.find((x) => x.name === name);
  if (!m) return [];
  if (m.type === 'histogram') return (m as HistogramMetric).points.map((p) => [p.attributes as Record<string, string>, p.count]);
  return (m as CounterMetric).points.map((p): [Record<string, string>, number] => [p.attributes as Record<string, string>, p.value]);
}

describe('HookRegistry → monitor.subscribeHooks', () => {
  it('turns every event kind into standard metrics', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    const unsubscribe = monitor.subscribeHooks(hooks);

    hooks.cacheHit({ cache: 'sessions', key: 'u1' });
    hooks.emit('cache.hit', { cache: 'sessions' });
    hooks.cacheMiss({ cache: 'sessions' });
    hooks.cacheSet({ cache: 'sessions' });
    hooks.cacheDelete({ cache: 'sessions' });
    hooks.eventPublish({ topic: 'orders' });
    hooks.eventConsume({ topic: 'orders', durationMs: 12 });
    hooks.sqlQuery({ statement: 'select * from users where id = ?', database: 'main', durationMs: 4 });
    hooks.sqlQuery({ operation: 'insert', database: 'main', durationMs: 9, error: new RangeError('constraint') });
    hooks.webRequest({ method: 'GET', route: '/users/:id', status: 200, durationMs: 25 });
    hooks.authLogin(true, { method: 'password' });
    hooks.authLogin(false, { method: 'password', reason: 'bad_password' });
    hooks.queueEnqueue({ queue: 'emails' });
    hooks.queueProcess({ queue: 'emails', durationMs: 30 });
    hooks.queueProcess({ queue: 'emails', durationMs: 5, error: 'TimeoutError' });
    hooks.taskStart({ task: 'nightly' });
    hooks.taskStart({ task: 'nightly' });
    hooks.taskEnd({ task: 'nightly', durationMs: 1000 });

    const m = monitor.metrics.collect().metrics;
    expect(values(m, 'cache_hits_total')).toEqual([[{ cache: 'sessions' }, 2]]);
    expect(values(m, 'cache_misses_total')).toEqual([[{ cache: 'sessions' }, 1]]);
    expect(values(m, 'cache_sets_total')).toEqual([[{ cache: 'sessions' }, 1]]);
    expect(values(m, 'cache_deletes_total')).toEqual([[{ cache: 'sessions' }, 1]]);
    expect(values(m, 'events_published_total')).toEqual([[{ topic: 'orders' }, 1]]);
    expect(values(m, 'events_consumed_total')).toEqual([[{ topic: 'orders' }, 1]]);
    expect(values(m, 'events_consume_duration_seconds')).toEqual([[{ topic: 'orders' }, 1]]);
    expect(values(m, 'sql_queries_total')).toEqual([
      [{ database: 'main', operation: 'SELECT' }, 1],
      [{ database: 'main', 'error.type': 'RangeError', operation: 'INSERT' }, 1],
    ]);
    expect(values(m, 'sql_query_duration_seconds')).toHaveLength(2);
    expect(values(m, 'http_server_requests_total')).toEqual([[{ method: 'GET', route: '/users/:id', status: '200' }, 1]]);
    // The duration goes to the HTTP adapters' histogram (Prometheus: http_server_request_duration_seconds).
    const h = m.find((x) => x.name === 'http.server.request.duration') as HistogramMetric;
    expect([h.unit, h.points[0].sum]).toEqual(['s', 0.025]);
    expect(h.points[0].attributes).toEqual({ 'http.request.method': 'GET', 'http.route': '/users/:id', 'http.response.status_code': 200 });
    expect(values(m, 'auth_logins_total')).toEqual([
      [{ method: 'password', outcome: 'success' }, 1],
      [{ method: 'password', outcome: 'failure', reason: 'bad_password' }, 1],
    ]);
    expect(values(m, 'queue_messages_enqueued_total')).toEqual([[{ queue: 'emails' }, 1]]);
    expect(values(m, 'queue_messages_processed_total')).toEqual([
      [{ queue: 'emails' }, 1],
      [{ queue: 'emails', 'error.type': 'TimeoutError' }, 1],
    ]);
    expect(values(m, 'tasks_started_total')).toEqual([[{ task: 'nightly' }, 2]]);
    expect(values(m, 'tasks_completed_total')).toEqual([[{ task: 'nightly' }, 1]]);
    expect(values(m, 'tasks_active')).toEqual([[{ task: 'nightly' }, 1]]);
    expect(values(m, 'task_duration_seconds')).toEqual([[{ task: 'nightly' }, 1]]);

    // spans for work with a duration: sql, queue processing, tasks, consumed events
    await monitor.flush();
    const select = memory.findSpan('SELECT main')!;
    expect(select.kind).toBe(SpanKind.CLIENT);
    expect(select.attributes['db.query.text']).toBe('select * from users where id = ?');
    expect(select.durationMs).toBeGreaterThan(3.9);
    expect(memory.findSpan('INSERT main')!.status.code).toBe(SpanStatus.ERROR);
    expect(memory.findSpan('process emails')).toBeDefined();
    expect(memory.findSpan('task nightly')!.durationMs).toBeGreaterThan(999);
    expect(memory.findSpan('consume orders')!.kind).toBe(SpanKind.CONSUMER);

    unsubscribe();
    hooks.cacheHit({ cache: 'sessions' });
    expect(values(monitor.metrics.collect().metrics, 'cache_hits_total')).toEqual([[{ cache: 'sessions' }, 2]]);
    expect(hooks.has('cache.hit')).toBe(false);
  });

  it('subscribing the same registry twice counts each event once; the one unsubscribe stops it', () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    const first = monitor.subscribeHooks(hooks);
    const second = monitor.subscribeHooks(hooks);
    expect(second).toBe(first);
    hooks.cacheHit({ cache: 'sessions' });
    expect(values(monitor.metrics.collect().metrics, 'cache_hits_total')).toEqual([[{ cache: 'sessions' }, 1]]);
    first();
    expect(hooks.has('cache.hit')).toBe(false);
    expect(monitor.hooks).toBeUndefined();
    // Subscribed again after that: counts again, once.
    monitor.subscribeHooks(hooks);
    hooks.cacheHit({ cache: 'sessions' });
    expect(values(monitor.metrics.collect().metrics, 'cache_hits_total')).toEqual([[{ cache: 'sessions' }, 2]]);
  });

  it('tasks_active never goes below zero: an end with no start seen (started before subscribing, or sent twice) is counted but not taken off', () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.taskEnd({ task: 'nightly', durationMs: 5 });
    hooks.taskStart({ task: 'nightly' });
    hooks.taskEnd({ task: 'nightly', durationMs: 5 });
    hooks.taskEnd({ task: 'nightly', durationMs: 5 });
    const m = monitor.metrics.collect().metrics;
    expect(values(m, 'tasks_active')).toEqual([[{ task: 'nightly' }, 0]]);
    expect(values(m, 'tasks_completed_total')).toEqual([[{ task: 'nightly' }, 3]]);
  });

  it('unsubscribing the latest of two registries hands the built-in sources back to the earlier one', () => {
    const { monitor } = createTestMonitor();
    const a = new HookRegistry();
    const b = new HookRegistry();
    const offA = monitor.subscribeHooks(a);
    const offB = monitor.subscribeHooks(b);
    expect(monitor.hooks).toBe(b);
    offB();
    expect(monitor.hooks).toBe(a);
    const offB2 = monitor.subscribeHooks(b);
    monitor.subscribeHooks(a); // again: the latest once more
    expect(monitor.hooks).toBe(a);
    offA();
    expect(monitor.hooks).toBe(b);
    offB2();
    expect(monitor.hooks).toBeUndefined();
  });

  it('sql.query: the statement on the span has its literals replaced by ?; the operation is read past leading comments', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.sqlQuery({ statement: "/* app:orders */ -- list\nSELECT * FROM users WHERE email = 'a@secret.example' AND id = ?", database: 'main', durationMs: 2 });
    await monitor.flush();
    const span = memory.findSpan('SELECT main')!;
    expect(span.attributes['db.query.text']).toBe('/* app:orders */ -- list\nSELECT * FROM users WHERE email = ? AND id = ?');
    expect(span.attributes['db.operation.name']).toBe('SELECT');
  });

  it('a throwing listener never reaches the emitter', () => {
    const errors: unknown[] = [];
    const hooks = new HookRegistry((e) => errors.push(e));
    let seen = 0;
    hooks.on('task.start', () => {
      throw new Error('listener bug');
    });
    hooks.on('task.start', () => seen++);
    expect(() => hooks.taskStart({ task: 't' })).not.toThrow();
    expect(seen).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('failed sql, messaging and task spans carry error.type, which the database and messaging conventions require on failure', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.sqlQuery({ statement: 'SELECT 1', database: 'main', durationMs: 1, error: new RangeError('timeout') });
    hooks.sqlQuery({ statement: 'SELECT 2', database: 'main', durationMs: 1 });
    hooks.queueProcess({ queue: 'q', durationMs: 1, error: 'TimeoutError' });
    hooks.taskEnd({ task: 't', durationMs: 1, error: new TypeError('x') });
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.attributes['error.type']])).toEqual([
      ['SELECT main', 'RangeError'],
      ['SELECT main', undefined],
      ['process q', 'TimeoutError'],
      ['task t', 'TypeError'],
    ]);
  });

  it('a listener that throws or rejects is counted in the subscribed monitor (internal_error) and reported once, the event still recorded', async () => {
    const reported: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => void reported.push(d.message) });
    const hooks = new HookRegistry();
    const off = monitor.subscribeHooks(hooks);
    hooks.on('cache.hit', () => {
      throw new Error('listener bug');
    });
    hooks.on('cache.miss', () => Promise.reject(new Error('async listener bug')));
    expect(() => {
      hooks.cacheHit({ cache: 'c' });
      hooks.cacheHit({ cache: 'c' });
      hooks.cacheMiss({ cache: 'c' });
    }).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    const dropped = () => values(monitor.metrics.collect().metrics, 'lexigram_monitor_dropped_total');
    expect(dropped()).toEqual([[{ reason: 'internal_error' }, 3]]);
    expect(values(monitor.metrics.collect().metrics, 'cache_hits_total')).toEqual([[{ cache: 'c' }, 2]]);
    expect(reported.filter((m) => m.includes('listener of the hook "cache.hit" threw (listener bug)'))).toHaveLength(1);
    // With onError the failure goes there (and is still counted); unsubscribed, the monitor no longer counts it.
    const errors: unknown[] = [];
    const withHandler = new HookRegistry((e) => errors.push(e));
    const off2 = monitor.subscribeHooks(withHandler);
    withHandler.on('task.start', () => {
      throw new Error('x');
    });
    withHandler.taskStart({ task: 't' });
    expect(errors).toHaveLength(1);
    expect(dropped()).toEqual([[{ reason: 'internal_error' }, 4]]);
    off();
    off2();
    hooks.cacheHit({ cache: 'c' });
    withHandler.taskStart({ task: 't' });
    expect(dropped()).toEqual([[{ reason: 'internal_error' }, 4]]);
    expect(reported.filter((m) => m.includes('listener of the hook'))).toHaveLength(1);
  });

  it('an onError that is not a function (an options object, as other constructors take) throws at construction', () => {
    const onError = (): void => {};
    expect(() => new HookRegistry({ onError } as never)).toThrow(/^new HookRegistry\(onError\?\): onError must be a function \(err, event\) => void, got object; pass the function itself, not \{ onError \}\.$/);
    expect(() => new HookRegistry(null as never)).toThrow(/got null/);
    expect(() => new HookRegistry(onError)).not.toThrow();
  });

  it('an emit calls the listeners there were when it started: one that subscribes itself again is called once, one added during it from the next emit on', () => {
    const hooks = new HookRegistry();
    let calls = 0;
    let off = (): void => {};
    const again = (): void => {
      // Without a snapshot this spun for ever; the guard ends it and fails the count below.
      if (++calls > 10) return;
      off();
      off = hooks.on('cache.hit', again);
    };
    off = hooks.on('cache.hit', again);
    hooks.cacheHit();
    expect(calls).toBe(1);
    hooks.cacheHit();
    expect(calls).toBe(2);

    const order: string[] = [];
    const h = new HookRegistry();
    const late = (): void => void order.push('late');
    h.on('cache.miss', () => {
      order.push('first');
      h.on('cache.miss', late);
    });
    h.cacheMiss();
    expect(order).toEqual(['first']);
    h.cacheMiss();
    expect(order).toEqual(['first', 'first', 'late']);
    // Subscribed twice, called once; one unsubscribe stops it.
    const off2 = h.on('cache.miss', late);
    h.on('cache.miss', late);
    off2();
    h.cacheMiss();
    expect(order).toEqual(['first', 'first', 'late', 'first']);
    expect(h.has('cache.miss')).toBe(true);
  });

  it("error: '' (no type name) is no failure, as false and null are not: no error.type, no error span", async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.eventConsume({ topic: 't', durationMs: 1, error: '' });
    hooks.taskEnd({ task: 'x', durationMs: 1, error: false });
    hooks.queueProcess({ queue: 'q', durationMs: 1, error: 'TimeoutError' });
    const m = monitor.metrics.collect().metrics;
    expect(values(m, 'events_consumed_total')).toEqual([[{ topic: 't' }, 1]]);
    expect(values(m, 'tasks_completed_total')).toEqual([[{ task: 'x' }, 1]]);
    expect(values(m, 'queue_messages_processed_total')).toEqual([[{ queue: 'q', 'error.type': 'TimeoutError' }, 1]]);
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.status.code])).toEqual([
      ['consume t', SpanStatus.UNSET],
      ['task x', SpanStatus.UNSET],
      ['process q', SpanStatus.ERROR],
    ]);
  });

  it('emit without listeners is a no-op; two monitors can subscribe to one registry', () => {
    const hooks = new HookRegistry();
    hooks.cacheHit();
    const a = createTestMonitor().monitor;
    const b = createTestMonitor().monitor;
    a.subscribeHooks(hooks);
    b.subscribeHooks(hooks);
    hooks.cacheMiss({ cache: 'c' });
    expect(values(a.metrics.collect().metrics, 'cache_misses_total')).toEqual([[{ cache: 'c' }, 1]]);
    expect(values(b.metrics.collect().metrics, 'cache_misses_total')).toEqual([[{ cache: 'c' }, 1]]);
  });

  it('web.request and the HTTP adapters share one request-duration histogram, so Prometheus text keeps both (it had two families named http_server_request_duration_seconds and left one out)', async () => {
    for (const hooksFirst of [true, false]) {
      const { monitor } = createTestMonitor();
      const hooks = new HookRegistry();
      if (hooksFirst) monitor.subscribeHooks(hooks);
      await handleRequest(monitor, new Request('http://x/a'), () => new Response('ok'), undefined, { route: () => '/a' });
      if (!hooksFirst) monitor.subscribeHooks(hooks);
      hooks.webRequest({ method: 'POST', route: '/b', status: 503, durationMs: 10 });
      // As the Hono middleware emits it: the request was timed by handleRequest already.
      hooks.webRequest({ method: 'GET', route: '/a', status: 200, durationMs: 10, traced: true });
      const text = renderSnapshot(monitor.metrics.collect({ temporality: 'cumulative' }));
      const counts = text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds_count'));
      expect(counts.sort()).toEqual([
        'http_server_request_duration_seconds_count{error_type="503",http_request_method="POST",http_response_status_code="503",http_route="/b"} 1',
        'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/a",url_scheme="http"} 1',
      ]);
      expect(text.match(/# TYPE http_server_request_duration_seconds /g)).toHaveLength(1);
      expect(text).toContain('http_server_requests_total{method="GET",route="/a",status="200"} 1');
    }
  });

  it('a payload a listener cannot read, and a duration that is NaN or negative, are counted and reported instead of vanishing or becoming 0', () => {
    const reported: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => reported.push(`${d.kind}: ${d.message}`) });
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    const dropped = (): number => values(monitor.metrics.collect().metrics, 'lexigram_monitor_dropped_total').reduce((n, [, v]) => n + v, 0);
    hooks.sqlQuery({ operation: 5 as unknown as string, durationMs: 3 });
    hooks.emit('events.publish', undefined as never);
    expect(dropped()).toBe(2);
    expect(reported.join('\n')).toMatch(/hook "sql.query": the event could not be recorded/);
    hooks.sqlQuery({ statement: 'select 1', durationMs: NaN });
    hooks.taskEnd({ task: 't', durationMs: -5 });
    expect(dropped()).toBe(4);
    const m = monitor.metrics.collect().metrics;
    // The events are counted; their durations are not recorded as 0.
    expect(values(m, 'sql_queries_total')).toEqual([[{ operation: 'SELECT' }, 1]]);
    expect(values(m, 'sql_query_duration_seconds')).toEqual([]);
    expect(values(m, 'tasks_completed_total')).toEqual([[{ task: 't' }, 1]]);
    expect(values(m, 'task_duration_seconds')).toEqual([]);
  });

  it('web.request: the method label is the known HTTP method or _OTHER, so a client sending made-up methods cannot add series', () => {
    const { monitor } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    for (const method of ['get', 'GET', 'FOO1', 'FOO2', 'BREW']) hooks.webRequest({ method, route: '/', status: 200, durationMs: 1 });
    expect(values(monitor.metrics.collect().metrics, 'http_server_requests_total').sort()).toEqual([
      [{ method: 'GET', route: '/', status: '200' }, 2],
      [{ method: '_OTHER', route: '/', status: '200' }, 3],
    ]);
  });

  it('sql and messaging spans carry the system the payload names, as db.system.name and messaging.system (semantic conventions); its labels stay as they were', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.sqlQuery({ system: 'postgresql', operation: 'select', database: 'shop', durationMs: 3 });
    hooks.queueProcess({ system: 'rabbitmq', queue: 'emails', durationMs: 5 });
    hooks.eventConsume({ system: 'kafka', topic: 'orders', durationMs: 7 });
    // Left out, empty or not a string (plain JavaScript): no attribute, the event still recorded.
    hooks.sqlQuery({ operation: 'select', database: 'shop', durationMs: 1 });
    hooks.queueProcess({ system: 42 as unknown as string, queue: 'emails', durationMs: 1 });
    hooks.eventConsume({ system: '', topic: 'orders', durationMs: 1 });
    await monitor.flush();
    const attrs = memory.spans.map((s) => [s.name, s.attributes['db.system.name'] ?? s.attributes['messaging.system']]);
    expect(attrs).toEqual([
      ['SELECT shop', 'postgresql'],
      ['process emails', 'rabbitmq'],
      ['consume orders', 'kafka'],
      ['SELECT shop', undefined],
      ['process emails', undefined],
      ['consume orders', undefined],
    ]);
    expect(values(monitor.metrics.collect().metrics, 'sql_queries_total').map(([labels]) => Object.keys(labels).sort())[0]).toEqual(['database', 'operation']);
  });

  it('queueProcess and eventConsume spans carry messaging.operation.name, which the messaging conventions require, and operation type process', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.queueProcess({ queue: 'emails', durationMs: 5 });
    hooks.eventConsume({ topic: 'orders', durationMs: 7 });
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.attributes['messaging.operation.name'], s.attributes['messaging.operation.type']])).toEqual([
      ['process emails', 'process', 'process'],
      ['consume orders', 'consume', 'process'],
    ]);
  });
});
