import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { checkHttpValues, kindOf, unknownOption } from '../../../src/config/option-keys.js';
import { KNOWN, type MonitorOptions } from '../../../src/config/options.js';
import type { AsyncLocalStorageClass } from '../../../src/context/storage.js';
import type { HttpInstrumentationOptions } from '../../../src/http/handle-request.js';
import type { FetchInstrumentationOptions } from '../../../src/http/instrument-fetch.js';
import type { Monitor } from '../../../src/monitor.js';
import type { BindingCallEvent } from './binding-span.js';

/** What the Workers adapter adds to the monitor options. */
export interface WorkersAdapterOptions extends HttpInstrumentationOptions {
  /**
   * End the server span when the response body has been sent, not when the handler returns the
   * Response (default false on Workers). Turn on for streamed responses (server-sent events, a
   * proxied download) whose span should cover the body: every body then goes through an
   * identity `TransformStream`: about 40–120 µs more CPU per request in workerd, plus about 6 ms
   * per MB streamed.
   */
  waitForBody?: boolean;
  /**
   * Which hosts an outgoing `fetch` (global, service bindings, Durable Object stubs) sends
   * `traceparent` to. Default: every host. Lists of host names (`*.example.com` matches
   * subdomains, `deny` wins) or a function of the URL.
   */
  propagateTo?: FetchInstrumentationOptions['propagateTo'];
  /** Trace the global `fetch` during invocations (default true). */
  instrumentFetch?: boolean;
  /**
   * CLIENT/PRODUCER spans for the bindings in `env` (KV, D1, R2, Queue producers, Durable Object stubs,
   * service bindings, Workflows, Workers AI, Vectorize, Analytics Engine, rate limiting) and the Cache API (default true).
   */
  instrumentBindings?: boolean;
  /**
   * Called after each binding call, traced or not: the seam the hook registry plugs into. Never allowed
   * to throw. A service binding's or Durable Object stub's `fetch` is traced as an outgoing fetch and
   * reported by its span only, not here.
   */
  onBindingCall?: (event: BindingCallEvent) => void;
  /**
   * `AsyncLocalStorage` from `node:async_hooks`, for Workers with only the `nodejs_als` flag.
   * With `nodejs_compat` it is found by itself; without either flag context is synchronous.
   */
  asyncLocalStorage?: AsyncLocalStorageClass;
  /**
   * How long an invocation's export waits for the promises its handler hands to `ctx.waitUntil`
   * (a Durable Object's `this.ctx.waitUntil`; default 10 000 ms), so that the spans and logs
   * recorded in that work leave with it. Past it the export goes with what has ended; the work
   * itself goes on. 0: the export does not wait (what ends later leaves with a later export).
   */
  waitUntilTimeoutMs?: number;
}

/** Monitor options plus the Workers adapter's own. */
export interface WorkersOptions extends MonitorOptions, WorkersAdapterOptions {}

/**
 * How `instrument()` and `instrumentDO()` are configured: options, a monitor, or a function of
 * `env` returning either (called once per isolate, on the first invocation).
 */
export type WorkersConfig<E = any> = Monitor | WorkersOptions | ((env: E) => Monitor | WorkersOptions);

const ADAPTER_KEYS = [
  'route',
  'trustIncomingTrace',
  'captureHeaders',
  'waitForBody',
  'ignoreRequest',
  'waitUntilTimeoutMs',
  'propagateTo',
  'instrumentFetch',
  'instrumentBindings',
  'onBindingCall',
  'asyncLocalStorage',
] as const satisfies readonly (keyof WorkersAdapterOptions)[];

/**
 * Throws, saying what to change, when `asyncLocalStorage` is not the class (run and getStore on its prototype): an instance
 * (`new AsyncLocalStorage()`) failed every request instead. A malformed `propagateTo` throws
 * where the fetch is instrumented (`instrumentFetch`), at the same first invocation. So does a
 * `waitUntilTimeoutMs` that is no number of ms below Workers' 30 s.
 */
export function checkAdapterOptions(o: WorkersAdapterOptions): void {
  for (const k in o) if (!(ADAPTER_KEYS as readonly string[]).includes(k)) unknownOption('instrument', k, ADAPTER_KEYS);
  checkHttpValues('instrument', o, ['trustIncomingTrace', 'waitForBody', 'instrumentFetch', 'instrumentBindings']);
  if (o.onBindingCall !== undefined && typeof o.onBindingCall != 'function') throw new TypeError(`instrument: \`onBindingCall\` must be a function (event) => void, got ${kindOf(o.onBindingCall)}.`);
  // An instance has no prototype; a class without run() and getStore() (another library's) failed at the first request instead.
  const p = (o.asyncLocalStorage as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  if (o.asyncLocalStorage && (typeof p?.run != 'function' || typeof p.getStore != 'function')) {
    throw new TypeError('asyncLocalStorage must be the AsyncLocalStorage class of node:async_hooks, not an instance of it');
  }
  const w = o.waitUntilTimeoutMs;
  if (w !== undefined && !(typeof w == 'number' && w >= 0 && w < 3e4)) throw new RangeError(`waitUntilTimeoutMs must be 0 to 29999 (ms), got ${typeof w == 'number' ? w : typeof w == 'string' ? `"${w}"` : typeof w}`);
}

/** Splits the adapter's keys off, leaving what `createMonitor` accepts. */
export function splitOptions(o: WorkersOptions): { monitor: MonitorOptions; adapter: WorkersAdapterOptions } {
  const monitor: Record<string, unknown> = { ...o };
  const adapter: Record<string, unknown> = {};
  for (const k of ADAPTER_KEYS) {
    if (k in monitor) {
      adapter[k] = monitor[k];
      delete monitor[k];
    }
  }
  // Checked here, not by createMonitor alone: its error would list only its own options, and a
  // misspelt adapter option (instrumentBinding) belongs to neither list.
  for (const k in monitor) if (!KNOWN.has(k)) unknownOption('instrument', k, [...KNOWN, ...ADAPTER_KEYS]);
  return { monitor: monitor as MonitorOptions, adapter: adapter as WorkersAdapterOptions };
}

export type { MonitorConfig };
