// The order of these imports is the order of the modules in a bundle: this one compresses best
// (`npm run size`; about 270 B of the Worker bundle). It has no other meaning.
import { ADAPTER_BATCH_WINDOW_MS, checkConfigNow, configResult, withEnv } from '../../../src/adapter/monitor-from-config.js';
import { createTelemetry, type WorkerTelemetry } from './telemetry.js';
import { contextStorage, setContextStorage } from '../../../src/context/active.js';
import { Monitor } from '../../../src/monitor.js';
import { patchGlobalFetch, platformFetch, routeFetch } from './global-fetch.js';
import { WAIT_UNTIL_TIMEOUT_MS } from './wait-until.js';
import { instrumentFetch, propagationFilter, type FetchFn } from '../../../src/http/instrument-fetch.js';
import { checkAdapterOptions, splitOptions, type WorkersAdapterOptions, type WorkersConfig, type WorkersOptions } from './options.js';
import { instrumentEnv, type BindingsContext } from './bindings.js';
import { instrumentStorage } from './do-storage.js';
import { traceCache } from './cache.js';
import type { EnvRecord } from '../../../src/config/env.js';
import type { AdapterHttpOptions, HttpInstrumentationOptions } from '../../../src/http/handle-request.js';
import type { Scope } from '../../../src/scope/scope.js';
import type { Span } from '../../../src/trace/span.js';
import type { Baggage } from '../../../src/trace/propagation/baggage.js';

/** Everything one `instrument()`/`instrumentDO()` keeps per isolate, built on the first invocation. */
export interface Isolate {
  readonly monitor: Monitor;
  readonly http: HttpInstrumentationOptions;
  /**
   * `http` for a request served at Cloudflare's edge (a Worker's or Pages' fetch): its server span
   * records as `client.address` the `CF-Connecting-IP` that Cloudflare sets on every request it
   * hands a Worker, replacing whatever the client sent (so, unlike `X-Forwarded-For` on other
   * runtimes, it can be trusted). Not a Durable Object's fetch: its caller is a Worker, not the client.
   */
  readonly edgeHttp: AdapterHttpOptions;
  /** How long an invocation's export waits for the work its handler hands to `ctx.waitUntil` (0: not at all). */
  readonly waitUntilTimeoutMs: number;
  /** The env the handler sees: bindings instrumented unless turned off (idempotent). */
  env<E>(env: E): E;
  /** Gives a Durable Object's `state.storage` its spans, unless bindings are not instrumented. */
  storage(state: unknown, className: string): void;
  /** Makes `scope` route outgoing fetches to this monitor and returns the handler's telemetry. */
  enter(scope: Scope, span: Span, baggage?: Baggage): WorkerTelemetry;
}

const resolved = new WeakMap<object, { monitor: Monitor; adapter: WorkersAdapterOptions }>();

/**
 * How often request scopes carry metric deltas when neither `metricExportIntervalMs` nor
 * `OTEL_METRIC_EXPORT_INTERVAL` says otherwise. Metrics are aggregated per isolate (DESIGN 3),
 * so exporting them with every request cost a third OTLP POST per request, plus collecting
 * and encoding a delta, for points that a busy isolate re-sends a moment later; at most once
 * per 10 s they still leave inside a request's `waitUntil` (never outliving its 30 s window).
 * The price: the changes since the last export are lost if the isolate is evicted before a
 * request comes 10 s later. `metricExportIntervalMs: 0` exports them with every request again.
 */
export const WORKERS_METRIC_EXPORT_INTERVAL_MS = 10_000;

/** One monitor per config object per isolate, shared by every `instrument()` given that object. */
function resolve<E>(config: WorkersConfig<E>, env: E): { monitor: Monitor; adapter: WorkersAdapterOptions } {
  if (config instanceof Monitor) return { monitor: config, adapter: {} };
  const key = config as object;
  const hit = resolved.get(key);
  if (hit) return hit;
  const given = typeof config === 'function' ? configResult(config(env), 'instrument') : config;
  let out: { monitor: Monitor; adapter: WorkersAdapterOptions };
  if (given instanceof Monitor) out = { monitor: given, adapter: {} };
  else {
    const { monitor, adapter } = splitOptions((given ?? {}) as WorkersOptions);
    checkAdapterOptions(adapter); // before the AsyncLocalStorage below is put in place
    // The Als must be in place before the monitor (or anything) reads the context storage.
    if (adapter.asyncLocalStorage && contextStorage().kind !== 'async-local-storage') setContextStorage(adapter.asyncLocalStorage);
    const options = withEnv(monitor, env as EnvRecord);
    options.metricExportIntervalMs ??= WORKERS_METRIC_EXPORT_INTERVAL_MS;
    // A timer does not outlive its request: what ends outside a scope leaves with the next one.
    // OTEL_BSP_/OTEL_BLRP_SCHEDULE_DELAY, settings shared with other services, do not turn one on here.
    if (monitor.exportDelayMs === undefined) options.exportDelayMs = 0;
    options.batchWindowMs ??= ADAPTER_BATCH_WINDOW_MS;
    out = { monitor: new Monitor(options), adapter };
  }
  resolved.set(key, out);
  return out;
}

/**
 * Returns a function that builds the isolate state on first call and returns it afterwards.
 * What can be checked without the env is checked now, where the Worker's module is evaluated
 * (wrangler dev, a deploy): the adapter options, and an options object (a function of the env is
 * checked at the first invocation, when it is called). A mistake then failed every request.
 */
export function lazyIsolate<E>(config: WorkersConfig<E>, extra: WorkersAdapterOptions | undefined): (env: E) => Isolate {
  if (extra) checkAdapter(extra);
  // Anything but options, a Monitor or a function throws too: null, a number or a string got
  // past here and failed every request (a WeakMap key, a spread).
  if (typeof config == 'object' && config && !(config instanceof Monitor) && !Array.isArray(config)) {
    const { monitor, adapter } = splitOptions(config as WorkersOptions);
    checkAdapter(adapter);
    checkConfigNow(monitor);
  } else checkConfigNow(config, 'instrument');
  let state: Isolate | undefined;
  return (env) => (state ??= build(config, env, extra));
}

function checkAdapter(o: WorkersAdapterOptions): void {
  checkAdapterOptions(o);
  propagationFilter(o.propagateTo);
}

function build<E>(config: WorkersConfig<E>, env: E, extra: WorkersAdapterOptions | undefined): Isolate {
  const r = resolve(config, env);
  const adapter: WorkersAdapterOptions = { ...(extra ?? {}), ...r.adapter };
  if (extra) checkAdapterOptions(extra);
  if (adapter.asyncLocalStorage && contextStorage().kind !== 'async-local-storage') setContextStorage(adapter.asyncLocalStorage);
  const monitor = r.monitor;
  const traceFetch = adapter.instrumentFetch !== false;
  if (traceFetch) patchGlobalFetch();
  const traced: FetchFn = instrumentFetch(monitor, (input, init) => platformFetch()(input, init), { propagateTo: adapter.propagateTo });
  const bindings: BindingsContext | undefined =
    adapter.instrumentBindings === false ? undefined : { monitor, onCall: adapter.onBindingCall, propagateTo: adapter.propagateTo };
  if (bindings) traceCache();
  const envs = new WeakMap<object, unknown>();
  return {
    monitor,
    // The span ends when the handler returns unless `waitForBody` asks for the body to be
    // watched: piping every body costs workerd 30–70 µs of CPU per request (BENCHMARKS.md).
    // The adapter options are the HTTP instrumentation's too (route, trustIncomingTrace, captureHeaders, waitForBody).
    http: adapter,
    edgeHttp: { ...adapter, clientAddressHeader: 'cf-connecting-ip' },
    waitUntilTimeoutMs: adapter.waitUntilTimeoutMs ?? WAIT_UNTIL_TIMEOUT_MS,
    env<T>(e: T): T {
      if (!bindings || e === null || typeof e !== 'object') return e;
      let w = envs.get(e) as T | undefined;
      if (w === undefined) {
        envs.set(e, (w = instrumentEnv(bindings, e)));
        envs.set(w as object, w); // an env already instrumented is handed back as it is
      }
      return w;
    },
    storage(state, className) {
      if (!bindings || state === null || typeof state !== 'object') return;
      try {
        const storage = (state as { storage?: unknown }).storage;
        // An own property in front of the runtime's getter (a frozen state is left as it is).
        if (storage !== null && typeof storage === 'object') Object.defineProperty(state, 'storage', { value: instrumentStorage(bindings, className, storage), configurable: true });
      } catch {
        // A frozen state (a test's): its storage calls are left untraced, and counted.
        bindings.monitor.diag.drop('internal_error', `${className}: its state is frozen, so its storage calls are not traced`);
      }
    },
    enter(scope, span, baggage) {
      if (traceFetch) routeFetch(scope, traced);
      scope.bindings = bindings;
      return createTelemetry(monitor, scope, span, traced, baggage);
    },
  };
}
