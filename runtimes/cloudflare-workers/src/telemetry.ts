import { contextStorage, type ActiveContext } from '../../../src/context/active.js';
import type { FetchFn } from '../../../src/http/instrument-fetch.js';
import type { Monitor } from '../../../src/monitor.js';
import type { Scope } from '../../../src/scope/scope.js';
import type { Baggage } from '../../../src/trace/propagation/baggage.js';
import type { Span } from '../../../src/trace/span.js';

/**
 * What an instrumented handler gets as its last argument (and from `getRequestTelemetry(ctx)`):
 * the invocation's scope and span, reachable without AsyncLocalStorage.
 */
export interface WorkerTelemetry {
  readonly monitor: Monitor;
  readonly scope: Scope;
  /** The invocation's span: SERVER, or CONSUMER for a queue batch. */
  readonly span: Span;
  /**
   * Runs `fn` with this invocation current. Without AsyncLocalStorage the context ends at the
   * handler's first `await`; wrap later work in `run` to give it the right parent.
   */
  run<R>(fn: () => R): R;
  /** `fetch` traced as a child of this invocation, whatever is current. */
  readonly fetch: FetchFn;
}

/** Where the telemetry is kept on the invocation's `ctx` (a symbol-keyed property). */
const TELEMETRY = Symbol('@lexigram/monitor/telemetry');
/** For a `ctx` that takes no property (frozen): a WeakMap, whose per-request entries cost more. */
const byContext = new WeakMap<object, WorkerTelemetry>();

/** One per invocation; `run` and `fetch` are built on first use (most handlers use neither). */
class Telemetry implements WorkerTelemetry {
  readonly #traced: FetchFn;
  readonly #baggage: Baggage | undefined;
  #run: (<R>(fn: () => R) => R) | undefined;
  #fetch: FetchFn | undefined;

  constructor(
    readonly monitor: Monitor,
    readonly scope: Scope,
    readonly span: Span,
    traced: FetchFn,
    baggage: Baggage | undefined,
  ) {
    this.#traced = traced;
    this.#baggage = baggage;
  }

  get run(): <R>(fn: () => R) => R {
    if (this.#run === undefined) {
      const active: ActiveContext = { scope: this.scope, span: this.span, baggage: this.#baggage };
      this.#run = <R>(fn: () => R): R => contextStorage().run(active, fn);
    }
    return this.#run;
  }

  get fetch(): FetchFn {
    if (this.#fetch === undefined) {
      const run = this.run;
      const traced = this.#traced;
      this.#fetch = (input, init) => run(() => traced(input, init));
    }
    return this.#fetch;
  }
}

export function createTelemetry(monitor: Monitor, scope: Scope, span: Span, traced: FetchFn, baggage?: Baggage): WorkerTelemetry {
  return new Telemetry(monitor, scope, span, traced, baggage);
}

/** Remembers the telemetry of the invocation that owns `ctx`. */
export function bindTelemetry(ctx: unknown, telemetry: WorkerTelemetry): void {
  if (ctx === null || typeof ctx !== 'object') return;
  try {
    (ctx as { [TELEMETRY]?: WorkerTelemetry })[TELEMETRY] = telemetry; // a symbol: not in keys or JSON
  } catch {
    byContext.set(ctx, telemetry);
  }
}

/**
 * The telemetry of the invocation whose `ExecutionContext` is `ctx`: its scope, span, a
 * traced `fetch`, and `run()` to make it current again after an `await`.
 *
 * @example
 * ```ts
 * async fetch(request, env, ctx) {
 *   const data = await env.KV.get('k');
 *   const t = getRequestTelemetry(ctx);
 *   t?.span.setAttribute('app.cached', data !== null);
 *   return t!.fetch('https://api.example.com/');
 * }
 * ```
 */
export function getRequestTelemetry(ctx: unknown): WorkerTelemetry | undefined {
  if (ctx === null || typeof ctx !== 'object') return undefined;
  return ((ctx as { [TELEMETRY]?: WorkerTelemetry })[TELEMETRY] ?? byContext.get(ctx)) as WorkerTelemetry | undefined;
}
