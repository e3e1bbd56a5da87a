import type { Monitor } from '../monitor.js';
import type { HookEventName, HookEvents, HookListener } from './events.js';
import { subscribeMonitor } from './subscriber.js';
import { settleQuietly } from '../diag/callback.js';

/**
 * Typed hook events (cache, events, sql, web, auth, queue, task). Libraries and middleware
 * emit; `monitor.subscribeHooks(registry)` turns the events into metrics and spans. A throwing
 * listener never reaches the emitter: it is counted in the subscribed monitors and told to `onError`.
 *
 * @example
 * ```ts
 * const hooks = new HookRegistry();
 * const unsubscribe = monitor.subscribeHooks(hooks);
 * hooks.emit('cache.hit', { cache: 'sessions' });
 * hooks.sqlQuery({ statement: 'SELECT 1', durationMs: 3 });
 * ```
 */
export class HookRegistry {
  // Copied on each change, never changed in place: an emit walks the array it started with, so a
  // listener added during it waits for the next emit and one that unsubscribes and subscribes
  // itself again is not called again (a live Set kept visiting it, for ever), as with
  // EventEmitter. Emitting copies nothing: listeners change rarely, events are the hot path.
  private readonly listeners = new Map<HookEventName, readonly ((payload: never) => void)[]>();

  /** Monitors subscribed through `subscribe`: a listener that fails is counted in each. */
  #monitors: readonly Monitor[] = [];

  constructor(private readonly onError?: (err: unknown, event: HookEventName) => void) {
    // An options object (`{ onError }`, as other constructors take) would swallow every listener failure.
    if (onError !== undefined && typeof onError !== 'function') {
      throw new TypeError(`new HookRegistry(onError?): onError must be a function (err, event) => void, got ${onError === null ? 'null' : typeof onError}; pass the function itself, not { onError }.`);
    }
  }

  /** Listens to one event; returns the function that stops listening. A listener added twice is called once. */
  on<K extends HookEventName>(event: K, listener: HookListener<K>): () => void {
    const l = listener as (payload: never) => void;
    const list = this.listeners.get(event) ?? [];
    if (!list.includes(l)) this.listeners.set(event, [...list, l]);
    return () => {
      const now = this.listeners.get(event);
      if (now?.includes(l)) this.listeners.set(event, now.filter((x) => x !== l));
    };
  }

  /** True when someone listens to `event` (emitters can skip building payloads). */
  has(event: HookEventName): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  /** Delivers an event to its listeners, synchronously; never throws. */
  emit<K extends HookEventName>(event: K, payload: HookEvents[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        const r: unknown = (list[i] as HookListener<K>)(payload);
        // Only a returned object can be a promise to follow: the usual listener returns nothing,
        // and emits run inside requests (bindings, middleware), so no closure is made for it.
        if (r !== null && typeof r === 'object') settleQuietly(r, (err) => this.#failed(err, event));
      } catch (err) {
        this.#failed(err, event);
      }
    }
  }

  /**
   * A listener that threw, or whose promise rejected: counted in the subscribed monitors'
   * `lexigram_monitor_dropped_total{reason="internal_error"}` and told to `onError` (whose own
   * failure goes nowhere), else reported once through the monitors' diagnostics. Without that a
   * failing listener was swallowed with nobody told.
   */
  #failed(err: unknown, event: HookEventName): void {
    for (const monitor of new Set(this.#monitors)) {
      try {
        monitor.diag.count('internal_error', 1);
        if (!this.onError) monitor.diag.report('internal_error', () => `a listener of the hook "${event}" threw (${err instanceof Error ? err.message : String(err)}); the other listeners ran. Pass onError to new HookRegistry() to see each failure.`, err, 'hook-listener');
      } catch {
        // nothing left to tell
      }
    }
    try {
      settleQuietly(this.onError?.(err, event));
    } catch {
      // nothing left to tell
    }
  }

  /** Unsubscribes of the monitors subscribed. */
  readonly #subscriptions = new Map<Monitor, () => void>();

  /**
   * Turns this registry's events into `monitor`'s metrics and spans; returns the unsubscribe. A
   * monitor subscribed already gets the same unsubscribe back, as from `monitor.subscribeHooks`:
   * subscribed twice, every event was counted twice.
   */
  subscribe(monitor: Monitor): () => void {
    const existing = this.#subscriptions.get(monitor);
    if (existing) return existing;
    const off = subscribeMonitor(this, monitor);
    this.#monitors = [...this.#monitors, monitor];
    const unsubscribe = (): void => {
      if (this.#subscriptions.get(monitor) !== unsubscribe) return;
      this.#subscriptions.delete(monitor);
      off();
      this.#monitors = this.#monitors.filter((m) => m !== monitor);
    };
    this.#subscriptions.set(monitor, unsubscribe);
    return unsubscribe;
  }

  cacheHit(p: HookEvents['cache.hit'] = {}): void {
    this.emit('cache.hit', p);
  }
  cacheMiss(p: HookEvents['cache.miss'] = {}): void {
    this.emit('cache.miss', p);
  }
  cacheSet(p: HookEvents['cache.set'] = {}): void {
    this.emit('cache.set', p);
  }
  cacheDelete(p: HookEvents['cache.delete'] = {}): void {
    this.emit('cache.delete', p);
  }
  eventPublish(p: HookEvents['events.publish']): void {
    this.emit('events.publish', p);
  }
  eventConsume(p: HookEvents['events.consume']): void {
    this.emit('events.consume', p);
  }
  sqlQuery(p: HookEvents['sql.query']): void {
    this.emit('sql.query', p);
  }
  webRequest(p: HookEvents['web.request']): void {
    this.emit('web.request', p);
  }
  authLogin(success: boolean, p: HookEvents['auth.login.success'] = {}): void {
    this.emit(success ? 'auth.login.success' : 'auth.login.failure', p);
  }
  queueEnqueue(p: HookEvents['queue.enqueue']): void {
    this.emit('queue.enqueue', p);
  }
  queueProcess(p: HookEvents['queue.process']): void {
    this.emit('queue.process', p);
  }
  taskStart(p: HookEvents['task.start']): void {
    this.emit('task.start', p);
  }
  taskEnd(p: HookEvents['task.end']): void {
    this.emit('task.end', p);
  }
}
