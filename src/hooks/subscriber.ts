import { sanitizeSql, sqlOperation } from '../attributes/sql.js';
import { normalizeMethod } from '../http/request-attributes.js';
import { httpServerMetrics } from '../http/server-metrics.js';
import type { Monitor } from '../monitor.js';
import { SpanKind } from '../model/span-data.js';
import { now } from '../time.js';
import { failSpan } from '../trace/tracer.js';
import { errorType } from '../wrappers/error-type.js';
import type { HookEventName, HookEvents, MaybeFailed } from './events.js';
import type { HookRegistry } from './registry.js';

const SECONDS = { unit: 's' } as const;

/**
 * Whether an outcome failed. An empty string names no error type, as the empty `error.type` label
 * means success: read as a failure it was counted as one of type "string" (`error: err?.name ?? ''`).
 */
function isFailure(error: unknown): boolean {
  return error !== undefined && error !== null && error !== false && error !== '';
}

/** The `error.type` label: '' when the outcome did not fail. */
function failed(e: MaybeFailed): string {
  return isFailure(e.error) ? errorType(e.error) : '';
}

/**
 * The span attributes of a consumer span named `{operation} {destination}`; `messaging.system`
 * when the payload names one (the semantic conventions' key, as the library's other consumer
 * spans set it). Not a metric label: the series stay as they were.
 */
function messagingAttributes(operation: string, destination: string, system: unknown): Record<string, unknown> {
  const attrs: Record<string, unknown> = { 'messaging.destination.name': destination, 'messaging.operation.name': operation, 'messaging.operation.type': 'process' };
  if (typeof system === 'string' && system) attrs['messaging.system'] = system;
  return attrs;
}

function operationOf(e: HookEvents['sql.query']): string {
  if (e.operation) return e.operation.toUpperCase();
  return typeof e.statement === 'string' ? sqlOperation(e.statement) : 'QUERY';
}

/**
 * Subscribes `monitor` to every hook event: creates the standard instruments (a name clash
 * with an app metric throws here, at set-up) and returns the function that unsubscribes.
 */
export function subscribeMonitor(hooks: HookRegistry, monitor: Monitor): () => void {
  const m = monitor.metrics;
  const tracer = monitor.tracer;
  const cache = ['cache'];
  const cacheHits = m.createCounter('cache_hits_total', 'Cache lookups that found a value.', { labelNames: cache });
  const cacheMisses = m.createCounter('cache_misses_total', 'Cache lookups that found nothing.', { labelNames: cache });
  const cacheSets = m.createCounter('cache_sets_total', 'Values written to a cache.', { labelNames: cache });
  const cacheDeletes = m.createCounter('cache_deletes_total', 'Values deleted from a cache.', { labelNames: cache });
  const published = m.createCounter('events_published_total', 'Events published.', { labelNames: ['topic'] });
  const consumed = m.createCounter('events_consumed_total', 'Events consumed; error.type is set when handling failed.', { labelNames: ['topic', 'error.type'] });
  const consumeTime = m.createHistogram('events_consume_duration_seconds', 'Time to handle one event.', { ...SECONDS, labelNames: ['topic'] });
  const queries = m.createCounter('sql_queries_total', 'SQL queries; error.type is set when the query failed.', { labelNames: ['operation', 'database', 'error.type'] });
  const queryTime = m.createHistogram('sql_query_duration_seconds', 'SQL query duration.', { ...SECONDS, labelNames: ['operation', 'database'] });
  const requests = m.createCounter('http_server_requests_total', 'HTTP requests handled.', { labelNames: ['method', 'route', 'status'] });
  // The request duration goes to the OpenTelemetry histogram the HTTP adapters record,
  // http.server.request.duration: a histogram of the hooks' own would be a second family named
  // http_server_request_duration_seconds in Prometheus text, and one of the two was left out.
  const logins = m.createCounter('auth_logins_total', 'Login attempts by outcome (success or failure).', { labelNames: ['method', 'outcome', 'reason'] });
  const enqueued = m.createCounter('queue_messages_enqueued_total', 'Messages sent to a queue.', { labelNames: ['queue'] });
  const processed = m.createCounter('queue_messages_processed_total', 'Queue messages processed; error.type is set on failure.', { labelNames: ['queue', 'error.type'] });
  const processTime = m.createHistogram('queue_process_duration_seconds', 'Time to process one queue message.', { ...SECONDS, labelNames: ['queue'] });
  const started = m.createCounter('tasks_started_total', 'Tasks started.', { labelNames: ['task'] });
  const finished = m.createCounter('tasks_completed_total', 'Tasks finished; error.type is set on failure.', { labelNames: ['task', 'error.type'] });
  const active = m.createUpDownCounter('tasks_active', 'Tasks running now.', { labelNames: ['task'] });
  const running = new Map<string, number>();
  const taskTime = m.createHistogram('task_duration_seconds', 'Task duration.', { ...SECONDS, labelNames: ['task'] });

  /** A span for something that already happened: it started `durationMs` ago and ends now. */
  const pastSpan = (name: string, kind: SpanKind, durationMs: number, attributes: Record<string, unknown>, error: unknown, traced?: boolean): void => {
    if (traced) return;
    const end = now();
    // An infinite duration (already counted by secs()) would start the span at -Infinity, counted again.
    const span = tracer.startSpan(name, { kind, attributes, startTime: end - (durationMs > 0 && durationMs !== Infinity ? durationMs : 0) });
    if (isFailure(error)) {
      // Required on a failed database or messaging span by the semantic conventions.
      span.setAttribute('error.type', errorType(error));
      failSpan(span, error);
    }
    span.end(end);
  };
  /**
   * `durationMs` in seconds; NaN, a negative or an infinite duration (or none where one is
   * required) is dropped and counted, not recorded as 0: the event itself is still counted.
   */
  const secs = (ms: unknown, event: HookEventName): number | undefined => {
    if (typeof ms === 'number' && ms >= 0 && ms !== Infinity) return ms / 1000;
    monitor.diag.drop('invalid_value', () => `hook "${event}": durationMs must be a finite number of milliseconds ≥ 0, got ${String(ms)}; the duration was dropped, the event still counted`);
    return undefined;
  };
  /**
   * A listener that cannot read its payload (a missing field, a wrong type from plain JavaScript)
   * would be swallowed by the registry with nobody told: it is counted and reported instead.
   */
  const guard = <K extends HookEventName>(event: K, f: (e: HookEvents[K]) => void): ((e: HookEvents[K]) => void) => (e) => {
    try {
      f(e);
    } catch (err) {
      monitor.diag.drop('invalid_value', () => `hook "${event}": the event could not be recorded (${err instanceof Error ? err.message : String(err)}); check its payload`);
    }
  };
  const on = <K extends HookEventName>(event: K, f: (e: HookEvents[K]) => void): (() => void) => hooks.on(event, guard(event, f));

  const offs = [
    on('cache.hit', (e) => cacheHits.increment(1, { cache: e.cache ?? '' })),
    on('cache.miss', (e) => cacheMisses.increment(1, { cache: e.cache ?? '' })),
    on('cache.set', (e) => cacheSets.increment(1, { cache: e.cache ?? '' })),
    on('cache.delete', (e) => cacheDeletes.increment(1, { cache: e.cache ?? '' })),
    on('events.publish', (e) => published.increment(1, { topic: e.topic })),
    on('events.consume', (e) => {
      consumed.increment(1, { topic: e.topic, 'error.type': failed(e) });
      if (e.durationMs !== undefined) {
        const seconds = secs(e.durationMs, 'events.consume');
        if (seconds !== undefined) consumeTime.observe(seconds, { topic: e.topic });
        pastSpan(`consume ${e.topic}`, SpanKind.CONSUMER, e.durationMs, messagingAttributes('consume', e.topic, e.system), e.error, e.traced);
      }
    }),
    on('sql.query', (e) => {
      const operation = operationOf(e);
      const database = e.database ?? '';
      queries.increment(1, { operation, database, 'error.type': failed(e) });
      const seconds = secs(e.durationMs, 'sql.query');
      if (seconds !== undefined) queryTime.observe(seconds, { operation, database });
      const attrs: Record<string, unknown> = { 'db.operation.name': operation };
      // The stable database conventions' key; a span without it cannot be told from another database's.
      if (typeof e.system === 'string' && e.system) attrs['db.system.name'] = e.system;
      if (e.database) attrs['db.namespace'] = e.database;
      if (typeof e.statement === 'string' && e.statement) attrs['db.query.text'] = sanitizeSql(e.statement);
      pastSpan(database ? `${operation} ${database}` : operation, SpanKind.CLIENT, e.durationMs, attrs, e.error, e.traced);
    }),
    on('web.request', (e) => {
      // No span here: the server middleware that emits this already made one.
      // Known methods only (others are _OTHER, as HTTP semconv says): a client can send any method.
      const method = normalizeMethod(String(e.method));
      requests.increment(1, { method, route: e.route ?? '', status: String(e.status) });
      // A request an adapter or the Hono middleware served (traced) is in the histogram already.
      if (e.traced) return;
      const seconds = secs(e.durationMs, 'web.request');
      if (seconds === undefined) return;
      const labels: Record<string, string | number> = { 'http.request.method': method, 'http.response.status_code': e.status };
      if (e.route) labels['http.route'] = e.route;
      const error = failed(e);
      if (error) labels['error.type'] = error;
      else if (e.status >= 500) labels['error.type'] = String(e.status);
      httpServerMetrics(monitor).duration.observe(seconds, labels);
    }),
    on('auth.login.success', (e) => logins.increment(1, { method: e.method ?? '', outcome: 'success', reason: '' })),
    on('auth.login.failure', (e) => logins.increment(1, { method: e.method ?? '', outcome: 'failure', reason: e.reason ?? '' })),
    on('queue.enqueue', (e) => enqueued.increment(1, { queue: e.queue })),
    on('queue.process', (e) => {
      processed.increment(1, { queue: e.queue, 'error.type': failed(e) });
      const seconds = secs(e.durationMs, 'queue.process');
      if (seconds !== undefined) processTime.observe(seconds, { queue: e.queue });
      pastSpan(`process ${e.queue}`, SpanKind.CONSUMER, e.durationMs, messagingAttributes('process', e.queue, e.system), e.error, e.traced);
    }),
    on('task.start', (e) => {
      started.increment(1, { task: e.task });
      active.add(1, { task: e.task });
      // Bounded as the series are: past the cap a name is not tracked (its end then always counts down).
      if (running.size < monitor.limits.cardinalityLimit || running.has(e.task)) running.set(e.task, (running.get(e.task) ?? 0) + 1);
    }),
    on('task.end', (e) => {
      finished.increment(1, { task: e.task, 'error.type': failed(e) });
      // Only a task this subscription saw start is taken off tasks_active (one started before
      // the registry was subscribed, or an end sent twice, would take it below zero).
      const n = running.get(e.task);
      if (n !== undefined || running.size >= monitor.limits.cardinalityLimit) active.add(-1, { task: e.task });
      if (n === 1) running.delete(e.task);
      else if (n !== undefined) running.set(e.task, n - 1);
      const seconds = secs(e.durationMs, 'task.end');
      if (seconds !== undefined) taskTime.observe(seconds, { task: e.task });
      pastSpan(`task ${e.task}`, SpanKind.INTERNAL, e.durationMs, { 'task.name': e.task }, e.error, e.traced);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

