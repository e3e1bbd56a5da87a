import { contextStorage, type ActiveContext } from '../../../src/context/active.js';
import { handleRequest } from '../../../src/http/handle-request.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { lazyIsolate, type Isolate } from './isolate.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import { wrapMethod, wrapRpc, type CallTarget } from './rpc.js';
import type { DurableObjectState } from './types.js';
import { heldBy, holdByScope } from './wait-until.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
type DOClass = abstract new (...args: any[]) => object;

/** Not RPC: the handlers the runtime calls itself are instrumented on their own, or not at all. */
const SKIP = ['constructor', 'fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'];
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
 * Methods defined as instance fields (arrow functions) are not wrapped.
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
      Object.defineProperty(this, STATE, { value: { isolate: iso, exportTo, className } });
    }
  };
  Object.defineProperty(Instrumented, 'name', { value: className });
  const proto = Instrumented.prototype as unknown as Record<string, AnyFn>;
  const base = Class.prototype as unknown as Record<string, AnyFn | undefined>;

  if (typeof base.fetch === 'function') {
    const original = base.fetch;
    proto.fetch = function fetch(this: Instance, request: unknown) {
      const s = this[STATE];
      if (!s) return original.call(this, request);
      return handleRequest(
        s.isolate.monitor,
        request as Request,
        (req, t) => {
          t.span.setAttribute('cloudflare.durable_object.class', s.className);
          const telemetry = s.isolate.enter(t.scope, t.span);
          return original.call(this, req, telemetry) as Response | Promise<Response>;
        },
        s.exportTo,
        s.isolate.http,
        heldBy,
      );
    } as AnyFn;
  }

  const target: CallTarget = (self: Instance) => {
    const s = self[STATE];
    // Not `state`: getRequestTelemetry(state) would be shared by concurrent calls.
    return s && contextStorage().get() !== OWN ? [s.isolate, { waitUntil: s.exportTo }] : undefined;
  };
  const attributes = (extra: Record<string, unknown>) => ({ ...extra, 'cloudflare.durable_object.class': className });
  // FaaS conventions: a timer's invocation span is SERVER.
  wrapMethod(proto, 'alarm', base.alarm, target, { name: `${className}.alarm`, kind: SpanKind.SERVER, attributes: attributes({ 'faas.trigger': 'timer' }) });
  for (const ws of ['webSocketMessage', 'webSocketClose', 'webSocketError']) {
    wrapMethod(proto, ws, base[ws], target, {
      name: `${className}.${ws}`,
      kind: SpanKind.SERVER,
      attributes: attributes({ 'faas.trigger': 'other', 'cloudflare.websocket.event': ws.slice(9).toLowerCase() }),
    });
  }
  wrapRpc(Class, proto, 'DurableObject', SKIP, target, attributes({}));
  return mark(Instrumented) as unknown as C;
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
