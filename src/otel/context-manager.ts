import { createContextKey, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { contextStorage, type ActiveContext } from '../context/active.js';
import type { Scope } from '../scope/scope.js';
import { fromApiBaggage, toApiBaggage } from './baggage.js';
import { unwrapSpan, wrapSpan } from './span.js';

/** Where the request's scope rides inside an OpenTelemetry `Context`. */
export const SCOPE_KEY: symbol = createContextKey('@lexigram/monitor scope');

/** The OpenTelemetry context each of our contexts stands for (built once, then reused). */
const seen = new WeakMap<ActiveContext, Context>();

/** Our active context → an OpenTelemetry context with the same span, scope and baggage. */
export function toApiContext(a: ActiveContext | undefined): Context {
  if (a === undefined) return ROOT_CONTEXT;
  let c = seen.get(a);
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
  seen.set(a, c);
  return c;
}

/** An OpenTelemetry context → ours. Without a scope of its own, it stays in the current request. */
export function fromApiContext(c: Context): ActiveContext {
  const span = unwrapSpan(trace.getSpan(c));
  const scope = (c.getValue(SCOPE_KEY) as Scope | undefined) ?? (span as { scope?: Scope } | undefined)?.scope ?? contextStorage().get()?.scope;
  const a: ActiveContext = { scope, span, baggage: fromApiBaggage(propagation.getBaggage(c)), otel: c };
  seen.set(a, c);
  return a;
}

/**
 * The `ContextManager` for `@opentelemetry/api` that reads and writes the library's own
 * context storage: what the API sees as active is what `getActiveSpan()` sees, both ways.
 */
export class BridgeContextManager implements ContextManager {
  active(): Context {
    return toApiContext(contextStorage().get());
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const a = context === undefined || context === null ? { scope: contextStorage().get()?.scope } : fromApiContext(context);
    return contextStorage().run(a, () => fn.apply(thisArg, args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}
