import { contextStorage, type ActiveContext } from '../../../src/context/active.js';
import { handleRequest } from '../../../src/http/handle-request.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { lazyIsolate, type Isolate } from './isolate.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import type { InvocationSpec } from './invocation.js';
import { wrapMethod, wrapRpc, type CallTarget } from './rpc.js';
import type { DurableObjectState } from './types.js';
import { heldBy, holdByScope } from './wait-until.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
type DOClass = abstract new (...args: any[]) => object;

/** Not RPC: the handlers the runtime calls itself are instrumented on their own, or not at all. */
const HANDLERS = ['fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'];
const SKIP = ['constructor', ...HANDLERS];
const STATE = Symbol('lexigram.do.state');
/** The context of a Durable Object's constructor and the work it starts: no invocation, no scope. */
const OWN: ActiveContext = Object.freeze({});

interface Instance {
  /** `exportTo`: the runtime's `state.waitUntil`, where the exports go. */
  [STATE]?: { isolate: Isolate; exportTo: (p: Promise<unknown>) => void; className: string };
}

/**
 * Instruments a Durable Object class: `fetch` gets a SERVER span (incoming `traceparent`
 * continued, HTTP metrics), `alarm`, `webSocketMessage`/`webSocketClose`/`webSocketError` and every
 * RPC method (a prototype method other than those) get a span of their own, and bindings in
 * `env` and the object's storage (`ctx.storage` calls and `ctx.storage.sql.exec`) are instrumented. Each call's telemetry is flushed through `state.waitUntil`, once the
 * work the call hands to `state.waitUntil` (`this.ctx.waitUntil`) itself has settled (at most
 * `waitUntilTimeoutMs`; concurrent calls each wait for their own, told apart by AsyncLocalStorage:
 * without it, only what is handed over before the handler's first `await` is waited for).
 * The runtime's handlers written as instance fields (`fetch = async (request) => ...`) are traced
 * as the prototype's are; other instance fields are no RPC methods (workerd does not expose them).
 * The object's `this.constructor` is `Class` (its static private fields stay readable there; wrapRpc).
 * An RPC method's span starts a new trace: Workers RPC has no metadata slot to carry the
 * caller's context without changing the arguments (see the README); `stub.fetch()` does carry it.
 *
 * @param Class the Durable Object class (plain or extending `DurableObject`).
 * @param config the same as `instrument()`'s; pass the same object to share one monitor.
 * @example
 * ```ts
 * class Counter extends DurableObject {
 *   async increment() { ... }
 * }
 * export const CounterDO = instrumentDO(Counter, config);
 * ```
 */
export function instrumentDO<C extends DOClass>(Class: C, config: WorkersConfig = {}, options?: WorkersAdapterOptions): C {
  wrapOnce(Class);
  // A subclass of an instrumented class, instrumented again: each construction threw (both define
  // the instance's state), so every call to the object failed with "Cannot redefine property".
  for (let p = Object.getPrototypeOf(Class); p && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    if (instrumented.has(p)) throw new TypeError(`instrumentDO: ${Class.name || 'the class'} extends ${p.name || 'a class'}, already instrumented; instrument one of them`);
  }
  const isolate = lazyIsolate(config, options);
  const className = Class.name || 'DurableObject';
  const Base = Class as unknown as new (...args: unknown[]) => object;
  const Instrumented = class extends Base {
    constructor(...args: unknown[]) {
      const iso = isolate(args[1]);
      // Before the object's constructor, which may keep `state.waitUntil` (bound) for later.
      const exportTo = holdByScope(args[0] as DurableObjectState, iso.waitUntilTimeoutMs);
      iso.storage(args[0], className);
      const rest = args.slice(2);
      const restore = ownWork(args[0]);
      super(args[0], iso.env(args[1]), ...rest);
      restore();
      try {
        Object.defineProperty(this, STATE, { value: { isolate: iso, exportTo, className } });
      } catch {
        // An object its constructor froze takes no property: it works untraced (this threw, and
        // every request to the object failed).
        iso.monitor.diag.report('config', `${className}: its constructor made the object non-extensible (Object.freeze), so its calls are not traced`, undefined, `do-frozen:${className}`);
        return;
      }
      // Class fields are defined by super(), over the prototype's wrapped handlers: a handler
      // written as one (`fetch = async (req) => ...`) ran with no span, no scope, no export.
      for (const name of HANDLERS) if (Object.hasOwn(this, name)) traceField(this as Record<string, unknown>, name);
    }
  };
  Object.defineProperty(Instrumented, 'name', { value: className });
  const proto = Instrumented.prototype as unknown as Record<string, AnyFn>;
  const base = Class.prototype as unknown as Record<string, AnyFn | undefined>;

  /** `field`: `original` is an instance's own `fetch` (see traceField). */
  const tracedFetch = (original: AnyFn, field?: boolean): AnyFn =>
    function fetch(this: Instance, request: unknown, given?: unknown) {
      const s = this[STATE];
      // Called at once by the field's wrapper: a field bound from the prototype's wrapper
      // (`this.fetch = this.fetch.bind(this)`), whose request has its span already. Or the object
      // calling its own `this.fetch()` inside a call of its (an invocation is current): a function
      // call, part of that call, as its own RPC methods called so are (wrapMethod); it opened a
      // second SERVER span in a trace of its own, counted again in the HTTP server metrics.
      if (!s || inField === this || contextStorage().get()?.scope) {
        inField = undefined;
        return original.call(this, request, given);
      }
      return handleRequest(
        s.isolate.monitor,
        request as Request,
        (req, t) => {
          t.span.setAttribute('cloudflare.durable_object.class', s.className);
          const telemetry = s.isolate.enter(t.scope, t.span);
          if (!field) return original.call(this, req, telemetry) as Response | Promise<Response>;
          inField = this;
          try {
            return original.call(this, req, telemetry) as Response | Promise<Response>;
          } finally {
            inField = undefined;
          }
        },
        s.exportTo,
        s.isolate.http,
        heldBy,
      );
    } as AnyFn;
  if (typeof base.fetch === 'function') proto.fetch = tracedFetch(base.fetch);

  const target: CallTarget = (self: Instance) => {
    const s = self[STATE];
    // Not `state`: getRequestTelemetry(state) would be shared by concurrent calls.
    return s && contextStorage().get() !== OWN ? [s.isolate, { waitUntil: s.exportTo }] : undefined;
  };
  const attributes = (extra: Record<string, unknown>) => ({ ...extra, 'cloudflare.durable_object.class': className });
  // FaaS conventions: a timer's invocation span is SERVER.
  const specs: Record<string, Omit<InvocationSpec, 'waitUntil'>> = {
    alarm: { name: `${className}.alarm`, kind: SpanKind.SERVER, attributes: attributes({ 'faas.trigger': 'timer' }) },
  };
  for (const ws of ['webSocketMessage', 'webSocketClose', 'webSocketError']) {
    specs[ws] = { name: `${className}.${ws}`, kind: SpanKind.SERVER, attributes: attributes({ 'faas.trigger': 'other', 'cloudflare.websocket.event': ws.slice(9).toLowerCase() }) };
  }
  /** Wraps handler `name` on `on` (the prototype, or an instance whose field it is). */
  const wrap = (on: object, name: string, original: unknown): void => {
    if (name === 'fetch') {
      if (typeof original === 'function') (on as Record<string, AnyFn>).fetch = tracedFetch(original as AnyFn, on !== proto);
    } else wrapMethod(on, name, original, target, specs[name]!, false, name === 'alarm' ? alarmTime : undefined);
  };
  for (const name of HANDLERS) if (name !== 'fetch') wrap(proto, name, base[name]);
  const traceField = (self: Record<string, unknown>, name: string): void => {
    try {
      wrap(self, name, self[name]);
    } catch {
      // a frozen object (or a read-only field): the handler runs as it is, untraced
    }
  };
  wrapRpc(Class, proto, 'DurableObject', SKIP, target, attributes({}));
  return mark(Instrumented) as unknown as C;
}

/**
 * `faas.time` and `cloudflare.scheduled_time` of a scheduled time `ms` (a cron run's, an alarm's)
 * within the range of a Date (toISOString throws past it, into the call: a test's far-off time).
 */
export function scheduledTime(out: Record<string, unknown>, ms: unknown): void {
  if (typeof ms === 'number' && Math.abs(ms) <= 8.64e15) {
    out['faas.time'] = new Date(ms).toISOString();
    out['cloudflare.scheduled_time'] = ms;
  }
}

/**
 * An alarm's scheduled time, from the `alarmInfo` workerd passes (`{ scheduledTime, retryCount,
 * isRetry }`; older runtimes pass `retryCount` and `isRetry` only, or nothing): FaaS conventions'
 * `faas.time` for a timer trigger, as a cron run's span has it, and the retry count.
 */
function alarmTime(args: unknown[]): Record<string, unknown> | undefined {
  const info = args[0] as { scheduledTime?: unknown; retryCount?: unknown } | null | undefined;
  if (info === null || typeof info !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  scheduledTime(out, info.scheduledTime);
  if (typeof info.retryCount === 'number' && Number.isFinite(info.retryCount)) out['cloudflare.alarm.retry_count'] = info.retryCount;
  return out;
}

/**
 * While the object's constructor runs, `state.blockConcurrencyWhile` runs its callback in OWN:
 * that work is no call of the object, yet a method it called after an `await` (`this.migrate()`
 * once storage was read) opened a SERVER span `Class.method` with the rpc.* attributes, in a
 * trace of its own, on every construction. Only AsyncLocalStorage carries OWN past an `await`.
 * Returns what puts the runtime's method back. A `state` that takes no property is left as it is.
 */
function ownWork(state: any): () => void {
  try {
    const block = state?.blockConcurrencyWhile;
    if (typeof block !== 'function') return () => {};
    state.blockConcurrencyWhile = (fn: unknown, ...rest: unknown[]) =>
      // Inside an invocation (a reference kept and called later) the callback is that invocation's.
      block.call(state, typeof fn === 'function' && !contextStorage().get()?.scope ? () => contextStorage().run(OWN, fn as () => unknown) : fn, ...rest);
    return () => {
      try {
        // Assigned, not deleted (a delete turns `state` into a dictionary in V8): called with `state` as before.
        state.blockConcurrencyWhile = block;
      } catch {
        // left wrapped: the wrapper passes a call inside an invocation on as it is
      }
    };
  } catch {
    return () => {};
  }
}

/** The object whose own `fetch` (a field) its wrapper is calling, until that call returns (see tracedFetch). */
let inField: object | undefined;

/** What instrument() and instrumentDO() returned (handlers, classes). */
const instrumented = new WeakSet<object>();

export function mark<T extends object>(h: T): T {
  instrumented.add(h);
  return h;
}

/**
 * Wrapped twice, every request got two SERVER spans in two unrelated traces and was counted
 * twice, without a word: a configuration error, thrown where it is made (at deploy).
 */
export function wrapOnce(h: object): void {
  if (instrumented.has(h)) throw new TypeError('instrument: handler already instrumented; wrap it once');
}
