import { createContextKey, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { contextStorage, type ActiveContext } from '../context/active.js';
import type { Scope } from '../scope/scope.js';
import { fromApiBaggage, toApiBaggage } from './baggage.js';
import { unwrapSpan, wrapSpan } from './span.js';
import { unreadable, type Span } from '../trace/span.js';
import type { Monitor } from '../monitor.js';
import type { Diagnostics } from '../diag/diagnostics.js';

/** Where the request's scope rides inside an OpenTelemetry `Context`. */
export const SCOPE_KEY: symbol = createContextKey('@lexigram/monitor scope');

/** The request scope of an API context: its own, its span's (`span`: ours, unwrapped), or the current request's. */
export function scopeIn(c: Context, span: Span | undefined): Scope | undefined {
  return (c.getValue(SCOPE_KEY) as Scope | undefined) ?? (span as { scope?: Scope } | undefined)?.scope ?? contextStorage().get()?.scope;
}

/** Our active context → an OpenTelemetry context with the same span, scope and baggage (built once, then kept on it). */
export function toApiContext(a: ActiveContext | undefined): Context {
  if (a === undefined) return ROOT_CONTEXT;
  let c = a.otelView as Context | undefined;
  if (c !== undefined) return c;
  // Start from the context ours was derived from, so keys other libraries set survive.
  c = (a.otel as Context | undefined) ?? ROOT_CONTEXT;
  if (a.span !== undefined) {
    if (unwrapSpan(trace.getSpan(c)) !== a.span) c = trace.setSpan(c, wrapSpan(a.span));
  } else if (trace.getSpan(c) !== undefined) c = trace.deleteSpan(c);
  if (c.getValue(SCOPE_KEY) !== a.scope) c = a.scope === undefined ? c.deleteValue(SCOPE_KEY) : c.setValue(SCOPE_KEY, a.scope);
  const current = propagation.getBaggage(c);
  if (a.baggage !== undefined) {
    if (fromApiBaggage(current) !== a.baggage) c = propagation.setBaggage(c, toApiBaggage(a.baggage));
  } else if (current !== undefined) c = propagation.deleteBaggage(c);
  try {
    a.otelView = c;
  } catch {
    // a frozen context (a custom storage's): built again next time
  }
  return c;
}

/**
 * An OpenTelemetry context → ours. Without a scope of its own, it stays in the current request.
 * `diag` counts what a foreign span's tracestate loses (see unwrapSpan).
 */
export function fromApiContext(c: Context, diag?: Diagnostics): ActiveContext {
  const span = unwrapSpan(trace.getSpan(c), diag);
  return { scope: scopeIn(c, span), span, baggage: fromApiBaggage(propagation.getBaggage(c)), otel: c, otelView: c };
}

/**
 * The `ContextManager` for `@opentelemetry/api` that reads and writes the library's own
 * context storage: what the API sees as active is what `getActiveSpan()` sees, both ways.
 */
export class BridgeContextManager implements ContextManager {
  /** `monitor` counts what `with()` is given that is not a context. */
  constructor(private readonly monitor?: Monitor) {}

  active(): Context {
    return toApiContext(contextStorage().get());
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    let a: ActiveContext;
    if (context === undefined || context === null) a = { scope: contextStorage().get()?.scope };
    else {
      try {
        a = fromApiContext(context, this.monitor?.diag);
      } catch {
        // Not a context (the API's types aside: a number, a revoked Proxy): `fn` still runs, as
        // with no context given, and the misuse is counted instead of thrown into the app.
        a = { scope: contextStorage().get()?.scope };
        if (this.monitor) unreadable(this.monitor);
      }
    }
    return contextStorage().run(a, () => fn.apply(thisArg, args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') return this.bindFunction(context, target as unknown as (...args: unknown[]) => unknown) as unknown as T;
    if (isEmitter(target)) return bindEmitter(this, context, target) as T;
    return target;
  }

  /** @internal */
  bindFunction(context: Context, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

type Listener = (...args: unknown[]) => unknown;
type Method = (this: unknown, ...args: unknown[]) => unknown;
/** An EventEmitter as far as binding needs one: duck-typed, so `src/` imports no `node:events`. */
type Emitter = Record<PropertyKey, unknown>;

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['removeListener', 'off'] as const;

/**
 * Per patched emitter: event → (listener → the listener bound to the context), so that
 * removeListener/off given the caller's listener remove the bound one. A symbol property on the
 * emitter (as the SDK's context managers keep it), so the map lives and dies with the emitter.
 */
const PATCHES: unique symbol = Symbol('@lexigram/monitor bound listeners');

/**
 * The listeners this binding made. Node's `once` calls `on` with a wrapper whose `listener` is
 * ours: that add must pass through untouched, or `removeListener` could no longer find it.
 */
const BOUND = new WeakSet<object>();

function isBound(listener: Listener): boolean {
  if (BOUND.has(listener)) return true;
  const inner = (listener as { listener?: unknown }).listener;
  return typeof inner === 'function' && BOUND.has(inner);
}

function isEmitter(t: unknown): t is Emitter {
  if (t === null || typeof t !== 'object') return false;
  const e = t as Emitter;
  return (
    (typeof e.on === 'function' || typeof e.addListener === 'function') &&
    (typeof e.removeListener === 'function' || typeof e.off === 'function') &&
    typeof e.emit === 'function'
  );
}

/**
 * `context.bind(ctx, emitter)` as the SDK's AsyncHooksContextManager does it: listeners added
 * from now on (on, addListener, prependListener, once, prependOnceListener) run in `ctx`,
 * whichever context emits; removeListener/off find the bound listener from the caller's;
 * removeAllListeners forgets them. An emitter already bound is returned as it is, with the
 * context it was first bound to. `@opentelemetry/instrumentation-http` binds request and
 * response this way, so spans started in their 'data' and 'end' listeners are children of the
 * server span.
 */
function bindEmitter(manager: BridgeContextManager, context: Context, ee: Emitter): Emitter {
  if (ee[PATCHES] !== undefined) return ee;
  try {
    Object.defineProperty(ee, PATCHES, { value: Object.create(null), writable: true, configurable: true, enumerable: false });
  } catch {
    return ee; // frozen or a proxy that refuses: left as it is
  }
  const patches = () => ee[PATCHES] as Record<PropertyKey, WeakMap<Listener, Listener>>;
  for (const name of ADD_METHODS) {
    const original = ee[name];
    if (typeof original !== 'function') continue;
    ee[name] = function (this: unknown, event: PropertyKey, listener: Listener, ...rest: unknown[]) {
      if (typeof listener !== 'function' || isBound(listener)) return (original as Method).call(this, event, listener, ...rest);
      const bound = manager.bindFunction(context, listener);
      BOUND.add(bound);
      (patches()[event as string] ??= new WeakMap()).set(listener, bound);
      return (original as Method).call(this, event, bound, ...rest);
    };
  }
  for (const name of REMOVE_METHODS) {
    const original = ee[name];
    if (typeof original !== 'function') continue;
    ee[name] = function (this: unknown, event: PropertyKey, listener: Listener, ...rest: unknown[]) {
      const bound = patches()[event as string]?.get(listener);
      return (original as Method).call(this, event, bound ?? listener, ...rest);
    };
  }
  const removeAll = ee.removeAllListeners;
  if (typeof removeAll === 'function') {
    ee.removeAllListeners = function (this: unknown, ...args: unknown[]) {
      if (args.length === 0) ee[PATCHES] = Object.create(null);
      else delete patches()[args[0] as string];
      return (removeAll as Method).apply(this, args);
    };
  }
  return ee;
}
