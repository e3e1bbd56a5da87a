import { contextStorage } from '../../../src/context/active.js';
import { handleRequest } from '../../../src/http/handle-request.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { runInvocation } from './invocation.js';
import { lazyIsolate, type Isolate } from './isolate.js';
import type { WorkersAdapterOptions, WorkersConfig } from './options.js';
import type { DurableObjectState } from './types.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
type DOClass = abstract new (...args: any[]) => object;

/** Not RPC: the handlers the runtime calls itself are instrumented on their own, or not at all. */
const SKIP = new Set(['constructor', 'fetch', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError']);
const STATE = Symbol('lexigram.do.state');

interface Instance {
  [STATE]?: { isolate: Isolate; state: DurableObjectState; className: string };
}

function methodNames(proto: object | null): Set<string> {
  const names = new Set<string>();
  for (let p = proto; p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    // Stop at the runtime's base class (`DurableObject` from cloudflare:workers).
    if (p.constructor?.name === 'DurableObject' && Object.getPrototypeOf(p) === Object.prototype) break;
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (d && typeof d.value === 'function') names.add(n);
    }
  }
  return names;
}

function waitUntilOf(state: DurableObjectState): (p: Promise<unknown>) => void {
  return (p) => state.waitUntil(p);
}

/**
 * Instruments a Durable Object class: `fetch` gets a SERVER span (incoming `traceparent`
 * continued, HTTP metrics), `alarm`, `webSocketMessage`/`webSocketClose`/`webSocketError` and every
 * RPC method (a prototype method other than those) get a span of their own, and bindings in
 * `env` are instrumented. Each call's telemetry is flushed through `state.waitUntil`.
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
  const isolate = lazyIsolate(config, options);
  const className = Class.name || 'DurableObject';
  const Base = Class as unknown as new (...args: unknown[]) => object;
  const Instrumented = class extends Base {
    constructor(...args: unknown[]) {
      const state = args[0] as DurableObjectState;
      const iso = isolate(args[1]);
      const rest = args.slice(2);
      super(state, iso.env(args[1]), ...rest);
      Object.defineProperty(this, STATE, { value: { isolate: iso, state, className } });
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
        waitUntilOf(s.state),
        s.isolate.http,
      );
    } as AnyFn;
  }

  const wrap = (name: string, kind: SpanKind, spanName: (cls: string) => string, attributes: (cls: string) => Record<string, unknown>): void => {
    const original = base[name];
    if (typeof original !== 'function') return;
    proto[name] = {
      [name](this: Instance, ...args: unknown[]) {
        const s = this[STATE];
        // Not set up, or called from inside another call of this object: no new invocation.
        if (!s || contextStorage().get()?.scope !== undefined) return original.apply(this, args);
        return runInvocation(
          s.isolate,
          { name: spanName(s.className), kind, attributes: { ...attributes(s.className), 'cloudflare.durable_object.class': s.className }, waitUntil: waitUntilOf(s.state) },
          () => original.apply(this, args),
        );
      },
    }[name] as AnyFn;
  };

  wrap('alarm', SpanKind.INTERNAL, (c) => `${c}.alarm`, () => ({ 'faas.trigger': 'timer' }));
  for (const ws of ['webSocketMessage', 'webSocketClose', 'webSocketError']) {
    wrap(ws, SpanKind.SERVER, (c) => `${c}.${ws}`, () => ({ 'faas.trigger': 'other', 'cloudflare.websocket.event': ws.slice(9).toLowerCase() }));
  }
  for (const name of methodNames(Class.prototype)) {
    if (SKIP.has(name) || name.startsWith('_')) continue;
    wrap(name, SpanKind.SERVER, (c) => `${c}.${name}`, (c) => ({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': c, 'rpc.method': name }));
  }
  return Instrumented as unknown as C;
}
