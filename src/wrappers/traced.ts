import { runInSpan } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import type { SpanKind } from '../model/span-data.js';
import { failSpan } from '../trace/tracer.js';
import { getDefaultMonitor } from './default-monitor.js';
import { isLegacyDecoratorCall, isMethodContext, legacyDecoratorError, methodName, wrapCalls, type AnyFunction, type MethodContext } from './wrap.js';

/** Options of `traced`. */
export interface TracedOptions {
  /** The monitor to trace into (default: the one set by `setDefaultMonitor`). */
  monitor?: Monitor;
  /** Span kind (default INTERNAL). */
  spanKind?: SpanKind;
  /** Attributes set on every span. */
  attributes?: Record<string, unknown>;
}

/** A TypeScript 5 standard method decorator. */
export type StandardMethodDecorator = <This, Args extends unknown[], R>(
  method: (this: This, ...args: Args) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
) => (this: This, ...args: Args) => R;

function tracer(fn: AnyFunction, name: (self: unknown) => string, options: TracedOptions): AnyFunction {
  return wrapCalls(fn, (self) => {
    const monitor = options.monitor ?? getDefaultMonitor();
    if (!monitor) return undefined;
    const span = monitor.tracer.startSpan(name(self), { kind: options.spanKind, attributes: options.attributes });
    return {
      run: (f) => runInSpan(span, f),
      done: (error, failed) => {
        if (failed) failSpan(span, error);
        span.end();
      },
    };
  });
}

function method(fn: AnyFunction, context: MethodContext, name: string | undefined, options: TracedOptions): AnyFunction {
  return tracer(fn, name ? () => name : (self) => methodName(self, context), options);
}

/**
 * Runs each call of a function in a span (the original's `@traced`): the span is active
 * inside the call, a throw or rejection is recorded as an exception with ERROR status and
 * rethrown unchanged. Without a monitor (option or `setDefaultMonitor`) calls run bare.
 *
 * Wraps a function — `traced(fn)`, `traced('name', fn, options)` — or, called without a
 * function, returns a TypeScript 5 standard method decorator (no `experimentalDecorators`:
 * applied as a legacy decorator, it throws when the class is defined).
 *
 * @example
 * ```ts
 * const load = traced('load_user', async (id: string) => db.get(id));
 *
 * class Orders {
 *   @traced() async place(order: Order) { ... }            // span "Orders.place"
 *   @traced('process_order') async process(id: string) { ... }
 * }
 * ```
 */
export function traced<This, Args extends unknown[], R>(
  method: (this: This, ...args: Args) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
): (this: This, ...args: Args) => R;
export function traced<F extends AnyFunction>(fn: F, options?: TracedOptions): F;
export function traced<F extends AnyFunction>(name: string | undefined, fn: F, options?: TracedOptions): F;
export function traced(name?: string, options?: TracedOptions): StandardMethodDecorator;
export function traced(options: TracedOptions): StandardMethodDecorator;
export function traced(a?: unknown, b?: unknown, c?: unknown): unknown {
  if (isLegacyDecoratorCall(a, b, c)) throw legacyDecoratorError('traced', b);
  if (typeof a === 'function') {
    if (isMethodContext(b)) return method(a as AnyFunction, b, undefined, {});
    const fn = a as AnyFunction;
    const name = fn.name || 'anonymous';
    return tracer(fn, () => name, (b as TracedOptions) ?? {});
  }
  if (typeof b === 'function') {
    const fn = b as AnyFunction;
    const name = (typeof a === 'string' && a) || fn.name || 'anonymous';
    return tracer(fn, () => name, (c as TracedOptions) ?? {});
  }
  const name = typeof a === 'string' && a ? a : undefined;
  const options = ((a !== null && typeof a === 'object' ? a : b) ?? {}) as TracedOptions;
  return (fn: AnyFunction, context: unknown, descriptor?: unknown) => {
    if (isLegacyDecoratorCall(fn, context, descriptor)) throw legacyDecoratorError('traced', context);
    if (!isMethodContext(context)) throw new TypeError('@traced() decorates class methods (TypeScript 5 standard decorators)');
    return method(fn, context, name, options);
  };
}
