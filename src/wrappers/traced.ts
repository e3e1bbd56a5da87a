import { checkOptionKeys } from '../config/option-keys.js';
import { runInSpan } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import type { SpanKind } from '../model/span-data.js';
import { getDefaultMonitor } from './default-monitor.js';
import { failCall } from './error-type.js';
import { checkMonitor, classError, decoratorError, functionName, isClass, isMethodContext, legacyDecorate, missingFunctionError, nonMethodDecoratorError, optionsError, wrapCalls, wrapMethod, type AnyClass, type AnyFunction, type MethodContext } from './wrap.js';

/** Options of `traced`. */
export interface TracedOptions {
  /** The monitor to trace into (default: the one set by `setDefaultMonitor`). */
  monitor?: Monitor;
  /** Span kind (default INTERNAL). */
  spanKind?: SpanKind;
  /** Attributes set on every span (one left `undefined` or `null` is left out). */
  attributes?: Record<string, Value<string> | Value<number> | Value<boolean> | null | undefined>;
}

/** A value, or an array of one type (OpenTelemetry common spec), `null` and `undefined` left out. */
type Value<T> = T | readonly (T | null | undefined)[];

/**
 * A TypeScript 5 standard method decorator. It returns the method's own type: typed as
 * `(...args: Args) => R`, a generic method (`find<T>(id: T): T`) failed to compile (TS1270), its
 * `T` inferred as `unknown`.
 */
export type StandardMethodDecorator = <This, M extends MethodOf<This>>(method: M, context: ClassMethodDecoratorContext<This, M>) => M;

/** A method called with `this` of type `This`: what `ClassMethodDecoratorContext` takes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MethodOf<This> = (this: This, ...args: any) => any;

/** A legacy (`experimentalDecorators`) method decorator (a getter's or setter's `T` is no function: it is refused). */
export type LegacyMethodDecorator = <T extends AnyFunction>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => TypedPropertyDescriptor<T>;

/** `given`: the name the caller gave, which the wrapper carries when `fn` has none (see wrapCalls). */
function tracer(fn: AnyFunction, name: (self: unknown) => string, options: TracedOptions, given?: string): AnyFunction {
  return wrapCalls(fn, (self) => {
    const monitor = options.monitor ?? getDefaultMonitor();
    if (!monitor) return undefined;
    const span = monitor.tracer.startSpan(name(self), { kind: options.spanKind, attributes: options.attributes });
    return {
      run: (f) => runInSpan(span, f),
      done: (error, failed) => {
        if (failed) failCall(span, error);
        span.end();
      },
    };
  }, given);
}

function method(fn: AnyFunction, context: MethodContext, name: string | undefined, options: TracedOptions): AnyFunction {
  return wrapMethod(fn, context, (n) => n, (methodName) => tracer(fn, name ? () => name : methodName, options));
}

function isPrimitive(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

const KINDS = 'SpanKind.INTERNAL (1), SERVER (2), CLIENT (3), PRODUCER (4) or CONSUMER (5)';

const KNOWN: Record<keyof TracedOptions, 0> = { monitor: 0, spanKind: 0, attributes: 0 };

/** The options are fixed when the function is wrapped, so a wrong one throws then, not per call. */
function checkOptions(name: string | undefined, options: TracedOptions): TracedOptions {
  const what = name === undefined ? '' : JSON.stringify(name);
  if (options === null || typeof options !== 'object') throw optionsError(`traced(${what})`, options, 'monitor?, spanKind?, attributes?');
  checkOptionKeys(`traced(${what})`, options, KNOWN);
  checkMonitor(`traced(${what})`, options.monitor, 'tracer');
  const kind: unknown = options.spanKind;
  if (kind !== undefined && !(typeof kind === 'number' && kind >= 1 && kind <= 5 && (kind | 0) === kind)) {
    throw new TypeError(`traced(${what}): \`spanKind\` is ${JSON.stringify(kind)}; use ${KINDS}.`);
  }
  const attributes: unknown = options.attributes;
  if (attributes !== undefined && (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes))) {
    throw new TypeError(`traced(${what}): \`attributes\` must be an object of attribute names to values.`);
  }
  if (attributes === undefined) return options;
  // Set on every span: a value no span can hold would be converted and counted as a drop on every
  // call. One left unset (`{ region: env.REGION }` without REGION) is left out here, once.
  const kept: Record<string, unknown> = {};
  let unset = false;
  for (const [k, v] of Object.entries(attributes as Record<string, unknown>)) {
    // An empty key is no attribute (OpenTelemetry common spec): dropped and counted on every span.
    if (k === '') throw new TypeError(`traced(${what}): an attribute in \`attributes\` has an empty name; give it a name.`);
    if (v === undefined || v === null) unset = true;
    else if (isPrimitive(v)) kept[k] = v;
    else if (Array.isArray(v) && v.every((e) => e === null || e === undefined || isPrimitive(e))) {
      // One type per array (OpenTelemetry common spec): a mix is written as strings and counted as
      // invalid_attribute on every span.
      const types = [...new Set(v.filter((e) => e !== null && e !== undefined).map((e) => typeof e))];
      if (types.length > 1) throw new TypeError(`traced(${what}): the attribute "${k}" in \`attributes\` mixes ${types.join(' and ')}; an array attribute holds strings, numbers or booleans, one type only.`);
      kept[k] = v;
    } else throw new TypeError(`traced(${what}): the attribute "${k}" in \`attributes\` must be a string, number, boolean or an array of them.`);
  }
  return unset ? { ...options, attributes: kept as TracedOptions['attributes'] } : options;
}

/**
 * Runs each call of a function in a span (the original's `@traced`): the span is active
 * inside the call, a throw or rejection is recorded as an exception with ERROR status and
 * rethrown unchanged. Without a monitor (option or `setDefaultMonitor`) calls run bare.
 *
 * Wraps a function — `traced(fn)`, `traced(fn, options)`, `traced('name', fn, options)`; a class
 * too, given a name or options — or, called as `traced(name?, options?)`, returns a method
 * decorator: TypeScript 5 standard, or legacy under `experimentalDecorators` (Vitest 4, NestJS).
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
export function traced<This, M extends MethodOf<This>>(method: M, context: ClassMethodDecoratorContext<This, M>): M;
export function traced<T extends AnyFunction>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function traced<F extends AnyFunction>(fn: F, options?: TracedOptions): F;
export function traced<C extends AnyClass>(cls: C, options: TracedOptions): C;
export function traced<F extends AnyFunction | AnyClass>(name: string | undefined, fn: F, options?: TracedOptions): F;
export function traced(name?: string, options?: TracedOptions): StandardMethodDecorator & LegacyMethodDecorator;
export function traced(options: TracedOptions): StandardMethodDecorator & LegacyMethodDecorator;
export function traced(a?: unknown, b?: unknown, c?: unknown): unknown {
  const legacy = legacyDecorate('traced', a, b, c, (fn, context) => method(fn, context, undefined, {}));
  if (legacy) return legacy;
  const misplaced = nonMethodDecoratorError('traced', b);
  if (misplaced) throw misplaced;
  if (typeof a === 'function') {
    if (isMethodContext(b)) return method(a as AnyFunction, b, undefined, {});
    // Only a call with the class alone can be a legacy class decorator (`@traced class User`): given
    // options too, the class is wrapped under its own name, as `traced('User', User, options)`.
    if (arguments.length < 2 && isClass(a as AnyFunction)) throw classError('traced', a as AnyFunction);
    const fn = a as AnyFunction;
    const name = functionName(fn);
    return tracer(fn, () => name, checkOptions(name, (b as TracedOptions) ?? {}));
  }
  if (typeof b === 'function') {
    const fn = b as AnyFunction;
    const name = (typeof a === 'string' && a) || functionName(fn);
    return tracer(fn, () => name, checkOptions(name, (c as TracedOptions) ?? {}), typeof a === 'string' ? a : undefined);
  }
  // Three arguments are (name, fn, options): the function is missing (see missingFunctionError).
  if (arguments.length > 2) throw missingFunctionError('traced', a, b);
  const name = typeof a === 'string' && a ? a : undefined;
  // Only undefined is no options: `traced('x', null)` (a function that was not there) throws.
  const o = a !== null && typeof a === 'object' ? a : b;
  const options = checkOptions(name, (o === undefined ? {} : o) as TracedOptions);
  return (fn: AnyFunction, context: unknown, descriptor?: unknown) => {
    const legacy = legacyDecorate('traced', fn, context, descriptor, (f, c) => method(f, c, name, options));
    if (legacy) return legacy;
    if (!isMethodContext(context)) throw decoratorError('traced', name, options, fn, context);
    return method(fn, context, name, options);
  };
}
