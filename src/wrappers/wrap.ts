/**
 * The call plumbing shared by `traced` and `metered`: the user's function runs exactly once,
 * with its own `this` and arguments, and its result or error passes through unchanged. What
 * the wrapper does around it is guarded so a telemetry failure never reaches the caller.
 *
 * A native Promise result is returned itself and watched; any other thenable (a query builder, a
 * PrismaPromise) is returned observed by a Proxy, and runs only when the caller awaits it: the
 * call lasts until that settles, and a thenable never awaited is a call that never happened (no
 * span exported, no metric counted).
 */

import { hasOwn } from '../attributes/sanitize.js';
import { isThenable, whenSettled } from '../trace/thenable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (this: any, ...args: any[]) => any;

/** A class, which a wrapper given a name wraps as a function (`traced('User', User)`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClass = new (...args: any[]) => any;

/** One observed call. */
export interface Call {
  /** Runs the user's function in the call's context (for example with its span active). */
  run?<R>(f: () => R): R;
  /** The call finished: `failed` tells whether `error` was thrown or rejected. */
  done(error: unknown, failed: boolean): void;
}

function settle(call: Call, error: unknown, failed: boolean): void {
  try {
    call.done(error, failed);
  } catch {
    // telemetry must not replace the result or the error
  }
}

const GENERATOR_TAGS = new Set(['[object GeneratorFunction]', '[object AsyncGeneratorFunction]']);

// Wrappers of generator functions: a wrapper is a plain function, so without this a wrapper around
// one (`@traced() @metered()` on a generator method) would end its call before iteration began.
const generatorWrappers = new WeakSet<AnyFunction>();

function isGeneratorFunction(fn: AnyFunction): boolean {
  return generatorWrappers.has(fn) || GENERATOR_TAGS.has(Object.prototype.toString.call(fn));
}

type Step = IteratorResult<unknown> | Promise<IteratorResult<unknown>>;

/**
 * The iterator of a (sync or async) generator, seen by `call`: each `next`, `return` and
 * `throw` runs in the call's context, and the call is done when iteration ends, returns early
 * (`break`) or throws.
 */
function observeIteration(it: Iterator<unknown> | AsyncIterator<unknown>, call: Call): object {
  let finished = false;
  const finish = (error: unknown, failed: boolean): void => {
    if (finished) return;
    finished = true;
    settle(call, error, failed);
  };
  const step = (method: 'next' | 'return' | 'throw', arg: unknown): Step => {
    const f = (it as unknown as Record<string, ((a: unknown) => Step) | undefined>)[method];
    if (typeof f !== 'function') {
      if (method === 'throw') throw arg;
      finish(undefined, false);
      return { done: true, value: arg };
    }
    let r: Step;
    try {
      r = call.run ? call.run(() => f.call(it, arg)) : f.call(it, arg);
    } catch (err) {
      finish(err, true);
      throw err;
    }
    if (r !== null && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<IteratorResult<unknown>>).then(
        (res) => {
          if (res.done) finish(undefined, false);
          return res;
        },
        (err: unknown) => {
          finish(err, true);
          throw err;
        },
      );
    }
    if ((r as IteratorResult<unknown>).done) finish(undefined, false);
    return r;
  };
  // The generator's own prototype: the result still says [object Generator], and iterator
  // helpers (`.map()`, `.toArray()` on Deno, Bun, Node 22+) work, calling the observed `next`.
  const observed = Object.create(Object.getPrototypeOf(it) as object) as Record<PropertyKey, unknown>;
  observed.next = (v?: unknown) => step('next', v);
  observed.return = (v?: unknown) => step('return', v);
  observed.throw = (e?: unknown) => step('throw', e);
  const self = (): object => observed;
  Object.defineProperty(observed, Symbol.asyncIterator in it ? Symbol.asyncIterator : Symbol.iterator, { value: self });
  return observed;
}

/**
 * Wraps `fn` so `begin` sees each call; `begin` returning undefined runs `fn` bare. `name`, the
 * name the wrapper was given, is the wrapper's own when `fn` has none (an arrow function passed
 * inline), so a wrapper around it without a name (`traced(metered('combo', () => …))`) uses it.
 */
export function wrapCalls<F extends AnyFunction>(fn: F, begin: (self: unknown) => Call | undefined, name?: string): F {
  const generator = isGeneratorFunction(fn);
  // `new` on the wrapper constructs `fn` itself, as unwrapped: its prototype (`instanceof`, its
  // methods) and its `new.target`. `fn.apply` made a bare object of the wrapper's own prototype.
  const construct = (args: unknown[], target: AnyFunction): unknown => Reflect.construct(fn, args, target === wrapped ? fn : target);
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const target = new.target;
    let call: Call | undefined;
    try {
      call = begin(this);
    } catch {
      call = undefined;
    }
    if (!call) return target === undefined ? fn.apply(this, args) : construct(args, target);
    let invoked = false;
    let result: unknown;
    try {
      const invoke = (): unknown => {
        invoked = true;
        return target === undefined ? fn.apply(this, args) : construct(args, target);
      };
      result = call.run ? call.run(invoke) : invoke();
    } catch (err) {
      if (!invoked) return target === undefined ? fn.apply(this, args) : construct(args, target);
      settle(call, err, true);
      throw err;
    }
    // 1: a thenable, 2: an iterator to follow, 0: the call is done.
    let seen = 0;
    try {
      // A generator function's body runs as its caller iterates, not in this call: the call
      // lasts until iteration ends, and each step runs in the call's context. So does an async
      // generator compiled for ES2017 or older (tsc's and esbuild's __asyncGenerator): a plain
      // function returning an object with its own `next`, `throw`, `return` and Symbol.asyncIterator
      // (a database cursor has its methods on its prototype, and is returned as it is).
      seen = isThenable(result) ? 1 : result !== null && typeof result === 'object' && (generator || (hasOwn.call(result, Symbol.asyncIterator) && hasOwn.call(result, 'throw'))) && typeof (result as Iterator<unknown>).next === 'function' ? 2 : 0;
    } catch {
      // A result that throws when looked at (a `then` getter that refuses `await`, a revoked
      // Proxy) is the caller's as it is, the call done: the look threw into the caller, the
      // result was lost and the span never ended.
    }
    if (seen === 1) {
      const c = call;
      return whenSettled(result as PromiseLike<unknown>, (error, failed) => settle(c, error, failed), c.run && ((f) => c.run!(f)));
    }
    if (seen === 2) return observeIteration(result as Iterator<unknown> | AsyncIterator<unknown>, call);
    settle(call, undefined, false);
    return result;
  };
  if (generator) generatorWrappers.add(wrapped);
  try {
    Object.defineProperty(wrapped, 'name', { value: fn.name || name || '', configurable: true });
    Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
  } catch {
    // cosmetic only
  }
  // A class that extends another (`class User extends Model`): the wrapper inherits what it does,
  // `Model`'s static methods among them. Others (plain, async, generator functions) keep theirs.
  const parent: unknown = Object.getPrototypeOf(fn);
  if (typeof parent === 'function' && parent !== Function.prototype) {
    try {
      Object.setPrototypeOf(wrapped, parent);
    } catch {
      // the call itself is unchanged
    }
  }
  // Its other own properties come along: `prototype` (so `instanceof` the wrapper holds), and what
  // libraries set on a function (fastify-plugin's Symbol.for('skip-override'), a handler's `schema`).
  for (const key of Reflect.ownKeys(fn)) {
    if (key === 'name' || key === 'length' || key === 'arguments' || key === 'caller') continue;
    try {
      Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(fn, key)!);
    } catch {
      // a property the wrapper cannot take: the call itself is unchanged
    }
  }
  return wrapped as F;
}

/** The standard decorator context fields this module reads. */
export interface MethodContext {
  kind: string;
  name: string | symbol;
  static?: boolean;
  /** The prototype or class the method is declared on, when known (legacy decorators get it). */
  owner?: object;
  /** Standard decorators: runs `f` with the class (static methods) or each new instance as `this`. */
  addInitializer?(f: (this: unknown) => void): void;
}

export function isMethodContext(v: unknown): v is MethodContext {
  return v !== null && typeof v === 'object' && (v as MethodContext).kind === 'method' && 'name' in v;
}

/**
 * A standard decorator context of another kind (class, field, getter, setter, accessor). Bare
 * `@traced` there would be taken for `traced(fn, options)`: a class or field would be replaced by
 * something that fails only when it is used, so it throws when the class is defined instead.
 */
export function nonMethodDecoratorError(decorator: 'traced' | 'metered', context: unknown): TypeError | undefined {
  if (context === null || typeof context !== 'object') return undefined;
  const { kind, name } = context as { kind?: unknown; name?: unknown };
  if (typeof kind !== 'string' || kind === 'method' || typeof (context as { addInitializer?: unknown }).addInitializer !== 'function') return undefined;
  return new TypeError(`@${decorator} on the ${kind} ${String(name)}: only class methods can be decorated; wrap the function with ${decorator}(fn) instead.`);
}

/**
 * A legacy (`experimentalDecorators`) decorator call: the prototype or class, the key, and the
 * property descriptor (undefined for a field). Vitest 4 (Vite 8 does not lower standard
 * decorators), NestJS and TypeORM apps compile decorators so: the method is wrapped in a new
 * descriptor, named as a standard one would be. Undefined when the call is not a legacy one.
 */
export function legacyDecorate(
  decorator: 'traced' | 'metered',
  target: unknown,
  key: unknown,
  descriptor: unknown,
  wrap: (fn: AnyFunction, context: MethodContext) => AnyFunction,
): PropertyDescriptor | undefined {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function') || (typeof key !== 'string' && typeof key !== 'symbol')) return undefined;
  const d = descriptor as PropertyDescriptor | undefined;
  // A getter, setter or field (Babel's has an `initializer`) would be left unwrapped without a word.
  if (typeof d?.value !== 'function') {
    // A function that is not a class, then a string, is most likely `traced(fn, 'name')`, which
    // was told to "wrap the function with traced(fn)", as it had.
    if (typeof target === 'function' && !isClass(target as AnyFunction)) {
      throw new TypeError(`@${decorator} on ${String(key)}: only class methods can be decorated; to name a wrapped function, pass the name first: ${decorator}('${String(key)}', fn).`);
    }
    throw new TypeError(`@${decorator} on ${String(key)}: only class methods can be decorated; wrap the function with ${decorator}(fn) instead.`);
  }
  const fn = d.value as AnyFunction;
  const value = wrap(fn, { kind: 'method', name: key, static: typeof target === 'function', owner: target });
  // Metadata that decorators applied before this one set on the method (reflect-metadata: NestJS
  // routes, guards) moves with it, or a `@Get()` below `@traced()` would lose its route.
  const r = Reflect as unknown as { getOwnMetadataKeys?(o: object): unknown[]; getOwnMetadata(k: unknown, o: object): unknown; defineMetadata(k: unknown, v: unknown, o: object): void };
  try {
    for (const k of r.getOwnMetadataKeys?.(fn) ?? []) r.defineMetadata(k, r.getOwnMetadata(k, fn), value);
  } catch {
    // a partial polyfill: the method is still wrapped
  }
  return { ...d, value };
}

/**
 * The `monitor` option, checked when the function is wrapped: a wrong one (createTestMonitor()'s
 * `{ monitor, memory }`) would otherwise leave every call bare without a word.
 */
export function checkMonitor(what: string, monitor: unknown, uses: 'tracer' | 'metrics'): void {
  if (monitor === undefined) return;
  const object = monitor !== null && typeof monitor === 'object';
  const part: unknown = object ? (monitor as Record<string, unknown>)[uses] : undefined;
  if (part !== null && typeof part === 'object') return;
  const hint = object && 'monitor' in monitor ? '; createTestMonitor() returns { monitor, memory }: pass its `monitor`' : '';
  throw new TypeError(`${what}: \`monitor\` must be a Monitor (from createMonitor()), or left out to use the one set by setDefaultMonitor()${hint}.`);
}

/**
 * `traced(User)`: a legacy class decorator (`@traced class User`) calls it so too. A class is
 * wrapped given a name, `traced('User', User)`, or options, `traced(User, options)` (a class
 * decorator is called with the class alone).
 */
export function classError(decorator: 'traced' | 'metered', fn: AnyFunction): TypeError {
  return new TypeError(`@${decorator} on the class ${fn.name}: only class methods can be decorated; to wrap the class, name it: ${decorator}(${JSON.stringify(fn.name)}, ${fn.name})`);
}

/** The decorator `traced(name?, options?)` returns, called with no method context. */
export function decoratorError(decorator: 'traced' | 'metered', name: string | undefined, options: object, fn: unknown, context: unknown): TypeError {
  // `traced('charge')(fn)`, for traced('charge', fn); a legacy class decorator has no context either.
  // The options given are named in the form suggested, or following it would drop them.
  const keys = Object.keys(options);
  const hint = context === undefined && typeof fn === 'function' && !isClass(fn as AnyFunction) ? `; to wrap a function, pass it: ${decorator}(${name === undefined ? '' : JSON.stringify(name) + ', '}fn${keys.length ? `, { ${keys.join(', ')} }` : ''})` : '';
  return new TypeError(`@${decorator}() decorates class methods${hint}`);
}

/** The options given to `traced` or `metered` are not an object (`traced('x', 42)`, `null`). */
export function optionsError(what: string, options: unknown, known: string): TypeError {
  return new TypeError(`${what}: options must be an object ({ ${known} }), not ${options === null ? 'null' : typeof options}; the function to wrap comes before them: ${what.slice(0, what.indexOf('('))}(name, fn, options).`);
}

/**
 * The name a wrapper records a function under, `anonymous` for none: `traced(this.handle.bind(this))`
 * is the function "bound handle", recorded as `handle` (a span "bound handle", a metric
 * `bound_handle_calls_total`, was not the name the app knows it by).
 */
export function functionName(fn: AnyFunction): string {
  const n: unknown = fn.name;
  return (typeof n === 'string' && n.replace(/^(?:bound )+/, '')) || 'anonymous';
}

/**
 * `traced('load', fn, options)` with `fn` not a function (undefined: a missing export): taken for
 * `traced('load')`, the options were dropped and the decorator returned in the function's place
 * threw at its first call, in the request.
 */
export function missingFunctionError(decorator: 'traced' | 'metered', name: unknown, fn: unknown): TypeError {
  return new TypeError(`${decorator}(${typeof name === 'string' ? JSON.stringify(name) : String(name)}, fn, options): the function to wrap is ${fn === null ? 'null' : typeof fn}; pass the function (or call ${decorator}(name, options) for a method decorator).`);
}

/** A class, which a legacy class decorator (`@traced class X`) hands over like a function. */
export function isClass(fn: AnyFunction): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn));
}

/** The class name of a prototype, or of a class (static methods). */
function className(o: unknown): string | undefined {
  if (typeof o === 'function') return o.name;
  return o !== null && typeof o === 'object' ? (o as { constructor?: { name?: string } }).constructor?.name : undefined;
}

/**
 * Where `key` holds `method`, from `start` up its prototype chain (the class that declares it, not
 * the subclass `this` is an instance of). Another library's decorator applied outside ours
 * (`@logged @traced()`) leaves its own function there: then the only one with a method `key`.
 * Undefined when not found (a private method) or not clear.
 */
function declaring(start: unknown, key: PropertyKey, method: unknown): unknown {
  let only: unknown;
  let n = 0;
  for (let o = start; o !== null && (typeof o === 'object' || typeof o === 'function'); o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d?.value === method) return o;
    if (d) {
      only = o;
      n++;
    }
  }
  return n === 1 ? only : undefined;
}

// Our wrappers stacked on one method (`@traced() @metered()`) share one cell: `top` is the
// outermost, the function the class holds, which each looks for to find the declaring class.
const stacks = new WeakMap<AnyFunction, { top: AnyFunction }>();

const NO_OWNER = {};

/**
 * Wraps a decorated method: `make(name)` builds the wrapper, where `name(self)` is
 * `naming("Class.method")` for the class that declares the method. A subclass calling
 * `super.place()` or inheriting `place` is recorded under the base class's name (as OpenTelemetry
 * Java's `@WithSpan` names spans), not twice under its own. Legacy decorators are given the class;
 * standard ones are not, so it is found once through `addInitializer` (the class itself, or the
 * first instance's prototype chain), so a call without the object (`router.get('/users',
 * users.list)`, `setTimeout(o.tick)`) is named as one through it. Until then, or when that is not
 * clear, it is found from `this`, again only when the prototype of `this` changes (building the
 * name, with the metric base's regular expressions, about 0.9 µs, was most of a call's cost).
 */
export function wrapMethod(fn: AnyFunction, context: MethodContext, naming: (name: string) => string, make: (name: (self: unknown) => string) => AnyFunction): AnyFunction {
  const cell = stacks.get(fn) ?? { top: fn };
  const method = typeof context.name === 'symbol' ? context.name.description ?? 'symbol' : context.name;
  const qualified = (owner: unknown): string => {
    const c = className(owner);
    return naming(c ? `${c}.${method}` : method);
  };
  let name: (self: unknown) => string;
  if (context.owner) {
    const fixed = qualified(context.owner);
    name = () => fixed;
  } else {
    let from: unknown = NO_OWNER;
    let owner: unknown = NO_OWNER;
    let last = '';
    let found: string | undefined;
    let looked = false;
    // Per instance only this flag is read: the chain is walked once. It runs in the app's
    // constructor, so nothing it does may throw there (a prototype that is a throwing Proxy).
    context.addInitializer?.(function (this: unknown) {
      if (looked) return;
      looked = true;
      try {
        const o = context.static ? this : declaring(Object.getPrototypeOf(this), context.name, cell.top);
        if (o !== undefined) found = qualified(o);
      } catch {
        // named from `this` at each call instead
      }
    });
    name = (self) => {
      if (found !== undefined) return found;
      const start = context.static || self === null || typeof self !== 'object' ? self : Object.getPrototypeOf(self);
      if (start !== from) {
        from = start;
        const o = declaring(start, context.name, cell.top) ?? start;
        if (o !== owner) {
          owner = o;
          last = qualified(o);
        }
      }
      return last;
    };
  }
  const wrapper = make(name);
  cell.top = wrapper;
  stacks.set(wrapper, cell);
  return wrapper;
}

/**
 * A metric-name-safe base in snake_case (promtool lint rejects camelCase): `Orders.placeOrder`
 * becomes `orders_place_order`.
 */
export function metricBase(name: string): string {
  let s = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (s.endsWith('_total')) s = s.slice(0, -6);
  if (!/^[A-Za-z]/.test(s)) s = 'fn_' + s;
  return s.slice(0, 200);
}
