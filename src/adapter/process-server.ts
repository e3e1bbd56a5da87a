/**
 * @module
 * The part of the Deno, Bun and Node adapters that needs no runtime: a fetch-style handler
 * around `handleRequest` whose exports run in the background and are tracked (long-lived
 * processes have no `waitUntil`), a bounded `shutdown()` for signal handlers, and tracing of
 * the global `fetch`. Web APIs only; the runtimes add signals, env and the server itself.
 */
import type { EnvRecord } from '../config/env.js';
import { contextStorage } from '../context/active.js';
import { isExporterRequest } from '../exporters/otlp/exporter-urls.js';
import { endStreamingBodies, handleRequest, type HttpInstrumentationOptions, type RequestTelemetry } from '../http/handle-request.js';
import { instrumentFetch, type FetchFn, type FetchInstrumentationOptions } from '../http/instrument-fetch.js';
import type { Monitor } from '../monitor.js';
import { ADAPTER_BATCH_WINDOW_MS, monitorFromConfig, type MonitorConfig } from './monitor-from-config.js';
import { checkHttpOptions, checkOptionKeys, HTTP_OPTION_KEYS, kindOf } from '../config/option-keys.js';
import { timerMs } from '../time.js';

/** Options of `instrument()` on Deno, Bun and Node. */
export interface ServerInstrumentationOptions extends HttpInstrumentationOptions {
  /**
   * Trace the global `fetch`: CLIENT spans and `traceparent` on calls made inside a request
   * (default true). Pass options to limit which hosts get trace headers.
   */
  traceFetch?: boolean | FetchInstrumentationOptions;
}

/** The option keys of `instrument()` and the adapters built on it. */
export const SERVER_OPTION_KEYS: Record<keyof ServerInstrumentationOptions, 0> = { ...HTTP_OPTION_KEYS, traceFetch: 0 };

/** A user handler: the request, the runtime's second argument, and the request's telemetry. */
export type ServerHandler<I> = (request: Request, info: I, telemetry: RequestTelemetry) => Response | Promise<Response>;

/** What `instrument()` returns: a fetch-style handler that also knows its monitor. */
export interface InstrumentedHandler<I> {
  (request: Request, info: I): Promise<Response>;
  readonly monitor: Monitor;
  /** Exports of requests that have not finished yet (body still streaming or export in flight). */
  readonly pending: number;
  /** Waits for the exports of finished requests, then flushes everything left. */
  flush(timeoutMs?: number): Promise<void>;
  /** Like `flush`, then shuts the monitor's backends down (call it once, before exit). */
  shutdown(timeoutMs?: number): Promise<void>;
  /** @internal adds an export promise to the ones `flush`/`shutdown` wait for */
  track(promise: Promise<unknown>): void;
  /** @internal the requests a Node listener is answering with it, for the exit flush to wait for */
  readonly open?: OpenRequests;
}

/**
 * Requests begun and not yet answered, counted by the Node listeners (instrumentListener,
 * toNodeListener): a signal's flush waits for them before the monitor shuts down, as serve()'s
 * closing of its server does. Shut down at once, a request that finished during the app's own
 * graceful close lost its span (after_shutdown). A number and a shared function: no allocation
 * per request.
 */
export class OpenRequests {
  count = 0;
  #waiting: Array<() => void> = [];
  begin(): void {
    this.count++;
  }
  /** Bound: passed as a promise reaction as it is. */
  readonly end = (): void => {
    if (--this.count > 0) return;
    this.count = 0;
    if (this.#waiting.length > 0) for (const resolve of this.#waiting.splice(0)) resolve();
  };
  /** Resolves once none is open. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiting.push(resolve));
  }
}

/** Something whose pending telemetry can be drained before the process exits. */
export interface Drainable {
  shutdown(timeoutMs?: number): Promise<void>;
}

/**
 * True once the monitor of `target` (a monitor, or an instrumented handler) was shut down: the
 * app's `monitor.shutdown()` takes it out of the exit flush, which has nothing left to export.
 */
export function isShutDown(target: object): boolean {
  return !!((target as Partial<Monitor>).closed ?? (target as { monitor?: Monitor }).monitor?.closed);
}

export const FLUSH_ON_EXIT_KEYS = { timeoutMs: 0, signals: 0, beforeFlush: 0 };

/**
 * The options every runtime's `flushOnExit` shares, checked the same way, saying what to change:
 * a string `timeoutMs` made the flush bound NaN (no wait at all), a string `signals` installed a
 * listener per letter, and a signal the runtime cannot listen for failed inside it after being
 * recorded as installed.
 */
export function checkFlushOnExit(
  target: unknown,
  options: { timeoutMs?: unknown; signals?: unknown; beforeFlush?: unknown },
  allowed: readonly string[],
  known: object = FLUSH_ON_EXIT_KEYS,
): void {
  if (target === null || typeof (target as Drainable | undefined)?.shutdown !== 'function') {
    throw new TypeError('flushOnExit(target): target must be a monitor or an instrumented handler (something with shutdown(timeoutMs)).');
  }
  checkOptionKeys('flushOnExit', options, known);
  const { timeoutMs, signals, beforeFlush } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
    throw new RangeError(`flushOnExit: \`timeoutMs\` must be a number of milliseconds, 0 or more (default 10000), got ${kindOf(timeoutMs)}.`);
  }
  if (signals !== undefined && !(Array.isArray(signals) && signals.every((s) => allowed.includes(s)))) {
    throw new TypeError(`flushOnExit: \`signals\` must be an array of ${allowed.join(', ')}, got ${JSON.stringify(signals)}.`);
  }
  if (beforeFlush !== undefined && typeof beforeFlush !== 'function') throw new TypeError('flushOnExit: `beforeFlush` must be a function.');
}

/**
 * The `flushOnExit` options of a `serve()`: the app's, with the server's close run before the
 * app's own `beforeFlush` (requests in flight finish before the app closes what they use). The
 * close used to replace it without a word. A `beforeFlush` that is not a function is passed on
 * for flushOnExit to refuse.
 */
export function serveExitOptions<O extends { beforeFlush?: () => unknown }>(exitOption: O | boolean | undefined, close: () => unknown): O {
  const o = (typeof exitOption === 'object' && exitOption !== null ? exitOption : {}) as O;
  const own: unknown = o.beforeFlush;
  return {
    ...o,
    beforeFlush:
      own === undefined
        ? close
        : typeof own === 'function'
          ? async () => {
              await close();
              await own();
            }
          : own,
  } as O;
}

/** Resolves after `ms` at most; never rejects. */
export function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<void>((r) => (timer = setTimeout(r, timerMs(ms))));
  return Promise.race([p.then(noop, noop), t]).finally(() => clearTimeout(timer));
}
const noop = (): void => {};

/**
 * Builds the instrumented handler shared by the Deno, Bun and Node adapters.
 *
 * @param handler the app's handler
 * @param config monitor, options, or `(env) => options`; built once per process
 * @param env the process environment (OTEL_* variables)
 * @param options HTTP options; `traceFetch` defaults to true
 * @param decorate sets runtime attributes (`client.address`) on the server span
 */
export function createServerHandler<I>(
  handler: ServerHandler<I>,
  config: MonitorConfig<EnvRecord>,
  env: EnvRecord | undefined,
  options: ServerInstrumentationOptions = {},
  decorate?: (request: Request, info: I, telemetry: RequestTelemetry) => void,
): InstrumentedHandler<I> {
  if (typeof handler !== 'function') throw new TypeError('instrument(handler, config): handler must be a function (request) => Response.');
  checkHttpOptions('instrument', options, SERVER_OPTION_KEYS);
  const monitor = monitorFromConfig(config, env, { batchWindowMs: ADAPTER_BATCH_WINDOW_MS }, 'instrument');
  traceGlobalFetch(monitor, options.traceFetch === true ? {} : options.traceFetch);
  // A long-running server: what its metrics record between requests is not left waiting for one.
  monitor.exportMetricsPeriodically();
  // Marked per request, not only per monitor: a monitor shared with a handler that traces fetch
  // would otherwise trace this one's fetches too.
  const plain = options.traceFetch === false;
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const t = p.then(noop, noop).finally(() => pending.delete(t));
    pending.add(t);
  };
  const { traceFetch: _t, ...http } = options;

  const instrumented = function instrumentedHandler(request: Request, info: I): Promise<Response> {
    return handleRequest(
      monitor,
      request,
      (req, telemetry) => {
        if (plain) telemetry.scope.plainFetch = true;
        if (decorate) {
          try {
            decorate(req, info, telemetry);
          } catch {
            // attributes are best effort
          }
        }
        return handler(req, info, telemetry);
      },
      track,
      http,
    );
  } as InstrumentedHandler<I>;

  const flush = async (timeoutMs = 10_000): Promise<void> => {
    await within(Promise.allSettled([...pending]), timeoutMs);
    await within(monitor.forceFlush(), timeoutMs);
  };
  let shuttingDown: Promise<void> | undefined;
  Object.defineProperties(instrumented, {
    monitor: { value: monitor },
    track: { value: track },
    open: { value: new OpenRequests() },
    pending: { get: () => pending.size },
    flush: { value: flush },
    shutdown: {
      value: (timeoutMs = 10_000) =>
        (shuttingDown ??= (async () => {
          // A response still streaming (SSE with waitForBody) would hold its export past the exit.
          endStreamingBodies(monitor);
          await within(Promise.allSettled([...pending]), timeoutMs);
          await within(monitor.shutdown(), timeoutMs);
        })()),
    },
  });
  return instrumented;
}

const ORIGINAL = Symbol.for('@lexigram/monitor/original-fetch');
const BY_MONITOR = Symbol.for('@lexigram/monitor/traced-fetch-by-monitor');
const UNTRACED = Symbol.for('@lexigram/monitor/untraced-fetch-monitors');

/** Monitors whose fetches stay plain (`traceFetch: false`), shared by every copy of this module. */
function untracedFetches(): WeakSet<object> {
  const g = globalThis as { [UNTRACED]?: WeakSet<object> };
  return (g[UNTRACED] ??= new WeakSet());
}

type PatchedFetch = FetchFn & { [ORIGINAL]?: FetchFn; [BY_MONITOR]?: WeakMap<object, FetchFn> };

/**
 * Replaces `globalThis.fetch` once per process with a traced one (CLIENT span, `traceparent`)
 * for calls made inside a request; the exporter's own requests pass through untouched. Every
 * monitor passed here is remembered with its options: a call made in a scope of one of them is
 * traced by that monitor (its sampler, redaction, backends), other calls by the first monitor.
 * Returns false when the global fetch was already traced.
 */
export function traceGlobalFetch(monitor: Monitor, options: FetchInstrumentationOptions | false = {}): boolean {
  const g = globalThis as unknown as { fetch?: PatchedFetch };
  // traceFetch: false: this monitor's requests (and scopes) keep the plain fetch, whoever traced the global one.
  const untraced = untracedFetches();
  if (options === false) {
    untraced.add(monitor);
    return false;
  }
  const current = g.fetch;
  if (typeof current !== 'function') return false;
  if (current[ORIGINAL]) {
    const byMonitor = current[BY_MONITOR];
    const original = current[ORIGINAL];
    if (byMonitor && !byMonitor.has(monitor)) byMonitor.set(monitor, instrumentFetch(monitor, (input, init) => original(input, init), options));
    return false;
  }
  const original = current;
  const traced = instrumentFetch(monitor, (input, init) => original(input, init), options);
  const byMonitor = new WeakMap<object, FetchFn>([[monitor, traced]]);
  const patched = function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    if (isExporterRequest(input as Request | URL | string, init)) return original(input, init);
    let t = traced;
    try {
      const scope = contextStorage().get()?.scope;
      const owner = scope?.owner;
      if (owner) t = scope.plainFetch ? original : (byMonitor.get(owner) ?? (untraced.has(owner) ? original : traced));
    } catch {
      // no context: the first monitor traces it
    }
    // Until it is shut down: then its spans would only be dropped.
    return (t === traced && monitor.closed ? original : t)(input, init);
  } as PatchedFetch;
  patched[ORIGINAL] = original;
  patched[BY_MONITOR] = byMonitor;
  keepOwnMembers(patched, original);
  g.fetch = patched;
  return true;
}

/**
 * A runtime's fetch may carry members of its own (Bun's `fetch.preconnect(url)`): the traced
 * fetch put in its place keeps them, methods bound to the runtime's fetch, so an app calling
 * `fetch.preconnect(...)` does not get a TypeError once a server is instrumented.
 */
function keepOwnMembers(patched: PatchedFetch, original: FetchFn): void {
  try {
    for (const key of Object.getOwnPropertyNames(original)) {
      if (key in patched) continue; // name, length, prototype: the traced fetch's own
      const value = (original as unknown as Record<string, unknown>)[key];
      Object.defineProperty(patched, key, { value: typeof value === 'function' ? value.bind(original) : value, writable: true, configurable: true });
    }
  } catch {
    // a member that cannot be read or copied: left out, the fetch itself still works
  }
}

/** Puts back the fetch that `traceGlobalFetch` replaced (tests). */
export function untraceGlobalFetch(): void {
  const g = globalThis as unknown as { fetch?: FetchFn & { [ORIGINAL]?: FetchFn } };
  const original = g.fetch?.[ORIGINAL];
  if (original) g.fetch = original;
}
