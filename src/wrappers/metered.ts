import { checkOptionKeys } from '../config/option-keys.js';
import type { Counter } from '../metrics/counter.js';
import { checkBuckets, type Histogram } from '../metrics/histogram.js';
import { isValidLabelName } from '../metrics/names.js';
import type { LabelsInput } from '../model/attributes.js';
import type { Monitor } from '../monitor.js';
import { now } from '../time.js';
import { getDefaultMonitor } from './default-monitor.js';
import { thrownType } from './error-type.js';
import type { LegacyMethodDecorator, MethodOf, StandardMethodDecorator } from './traced.js';
import { checkMonitor, classError, decoratorError, functionName, isClass, isMethodContext, legacyDecorate, metricBase, missingFunctionError, nonMethodDecoratorError, optionsError, wrapCalls, wrapMethod, type AnyClass, type AnyFunction, type MethodContext } from './wrap.js';

/** Options of `metered`. */
export interface MeteredOptions {
  /** The monitor to record into (default: the one set by `setDefaultMonitor`). */
  monitor?: Monitor;
  /** Labels added to every data point. */
  labels?: LabelsInput;
  /** Histogram buckets in seconds (default: the library's duration buckets). */
  buckets?: readonly number[];
}

interface Instruments {
  calls: Counter;
  errors: Counter;
  duration: Histogram;
  /** The buckets asked for by the wrapper that created them (undefined: the default ones). */
  buckets: readonly number[] | undefined;
}

function sameBuckets(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

// Per monitor, per base name; null remembers that creation failed (reported once).
const cache = new WeakMap<Monitor, Map<string, Instruments | null>>();

function instruments(monitor: Monitor, base: string, options: MeteredOptions): Instruments | null {
  let byName = cache.get(monitor);
  if (!byName) cache.set(monitor, (byName = new Map()));
  let found = byName.get(base);
  if (found !== undefined) return found;
  try {
    const m = monitor.metrics;
    found = {
      calls: m.createCounter(`${base}_calls_total`, `Calls of ${base}.`),
      errors: m.createCounter(`${base}_errors_total`, `Calls of ${base} that threw or rejected, by error.type.`),
      duration: m.createHistogram(`${base}_duration_seconds`, `Duration of ${base} calls.`, { unit: 's', buckets: options.buckets }),
      buckets: options.buckets,
    };
  } catch (err) {
    // A clash with an app metric of the same name: the app keeps working, uninstrumented.
    monitor.diag.report('config', `metered("${base}") could not create its metrics: ${err instanceof Error ? err.message : String(err)}`, err, `metered:${base}`);
    found = null;
  }
  byName.set(base, found);
  return found;
}

/**
 * The options are fixed when the function is wrapped, so they are checked then (configuration
 * throws where it is written): a bad label or bucket list would otherwise drop every call's
 * data points, reported once at the first call.
 */
const KNOWN: Record<keyof MeteredOptions, 0> = { monitor: 0, labels: 0, buckets: 0 };

function checkOptions(name: string | undefined, options: MeteredOptions): MeteredOptions {
  const what = name === undefined ? '' : JSON.stringify(name);
  if (options === null || typeof options !== 'object') throw optionsError(`metered(${what})`, options, 'monitor?, labels?, buckets?');
  checkOptionKeys(`metered(${what})`, options, KNOWN);
  checkMonitor(`metered(${what})`, options.monitor, 'metrics');
  if (options.buckets !== undefined) checkBuckets(name === undefined ? 'metered() duration' : `${metricBase(name)}_duration_seconds`, options.buckets);
  const labels: unknown = options.labels;
  if (labels === undefined) return options;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new TypeError(`metered(${what}): \`labels\` must be an object of label names to string, number or boolean values.`);
  }
  for (const [k, v] of Object.entries(labels)) {
    // `error_type` is `error.type` in Prometheus text: the two values were merged into one ("TypeError;x").
    if (!isValidLabelName(k) || k === 'le' || k === 'error.type' || k === 'error_type') {
      throw new TypeError(
        `metered(${what}): invalid label name ${JSON.stringify(k)} in \`labels\`; label names match [a-zA-Z_][a-zA-Z0-9_.]*, do not start with "__", and "le" and "error.type" (error_type in Prometheus) are set by metered.`,
      );
    }
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new TypeError(`metered(${what}): the label "${k}" in \`labels\` must be a string, a finite number or a boolean, not ${v === null ? 'null' : typeof v}.`);
    }
  }
  return options;
}

/** `base(self)` is the metric base name; a constant for a named function, cached per class for a method (see wrapMethod). */
function meter(fn: AnyFunction, base: (self: unknown) => string, options: MeteredOptions, given?: string): AnyFunction {
  let checked: Instruments | undefined;
  return wrapCalls(fn, (self) => {
    const monitor = options.monitor ?? getDefaultMonitor();
    if (!monitor) return undefined;
    const inst = instruments(monitor, base(self), options);
    if (!inst) {
      // The call runs unrecorded (its metrics clash with an app metric, reported once): counted.
      monitor.diag.count('invalid_value', 1);
      return undefined;
    }
    if (inst !== checked) {
      checked = inst;
      // Another metered() of the same name made the histogram first: its buckets are kept.
      if (options.buckets !== undefined && !sameBuckets(inst.buckets, options.buckets)) {
        const b = base(self);
        monitor.diag.report('config', `metered("${b}"): ${b}_duration_seconds exists with other buckets (made by another metered("${b}")); this one records into it with those buckets. Give both the same buckets, or different names.`, undefined, `metered-buckets:${b}`);
      }
    }
    const start = now();
    const labels = options.labels;
    return {
      done: (error, failed) => {
        const seconds = Math.max(0, (now() - start) / 1000);
        inst.calls.increment(1, labels);
        if (failed) inst.errors.increment(1, { ...labels, 'error.type': thrownType(error) });
        inst.duration.observe(seconds, labels);
      },
    };
  }, given);
}

function named(name: string): () => string {
  const base = metricBase(name);
  return () => base;
}

function method(fn: AnyFunction, context: MethodContext, name: string | undefined, options: MeteredOptions): AnyFunction {
  return wrapMethod(fn, context, metricBase, (methodName) => meter(fn, name ? named(name) : methodName, options));
}

/**
 * Counts and times each call of a function (the original's `@metered`). For a base name
 * `orders_processed` it records:
 * - `orders_processed_calls_total` — every call;
 * - `orders_processed_errors_total{error.type}` — calls that threw or rejected, by error class;
 * - `orders_processed_duration_seconds` — a histogram of call durations.
 *
 * The base name is the given name, else the function name (methods: `Class.method`), in
 * snake_case with other characters turned into `_` (`Orders.placeOrder` → `orders_place_order`). Results and errors pass through
 * unchanged; without a monitor calls run bare.
 *
 * @example
 * ```ts
 * const charge = metered('payments_charge', async (cents: number) => stripe.charge(cents));
 *
 * class Orders {
 *   @metered('orders_processed') async process(id: string) { ... }
 * }
 * ```
 */
export function metered<This, M extends MethodOf<This>>(method: M, context: ClassMethodDecoratorContext<This, M>): M;
export function metered<T extends AnyFunction>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function metered<F extends AnyFunction>(fn: F, options?: MeteredOptions): F;
export function metered<C extends AnyClass>(cls: C, options: MeteredOptions): C;
export function metered<F extends AnyFunction | AnyClass>(name: string | undefined, fn: F, options?: MeteredOptions): F;
export function metered(name?: string, options?: MeteredOptions): StandardMethodDecorator & LegacyMethodDecorator;
export function metered(options: MeteredOptions): StandardMethodDecorator & LegacyMethodDecorator;
export function metered(a?: unknown, b?: unknown, c?: unknown): unknown {
  const legacy = legacyDecorate('metered', a, b, c, (fn, context) => method(fn, context, undefined, {}));
  if (legacy) return legacy;
  const misplaced = nonMethodDecoratorError('metered', b);
  if (misplaced) throw misplaced;
  if (typeof a === 'function') {
    if (isMethodContext(b)) return method(a as AnyFunction, b, undefined, {});
    // Only a call with the class alone can be a legacy class decorator (`@metered class User`): given
    // options too, the class is wrapped under its own name, as `metered('User', User, options)`.
    if (arguments.length < 2 && isClass(a as AnyFunction)) throw classError('metered', a as AnyFunction);
    const fn = a as AnyFunction;
    const name = functionName(fn);
    return meter(fn, named(name), checkOptions(name, (b as MeteredOptions) ?? {}));
  }
  if (typeof b === 'function') {
    const fn = b as AnyFunction;
    const name = (typeof a === 'string' && a) || functionName(fn);
    return meter(fn, named(name), checkOptions(name, (c as MeteredOptions) ?? {}), typeof a === 'string' ? a : undefined);
  }
  // Three arguments are (name, fn, options): the function is missing (see missingFunctionError).
  if (arguments.length > 2) throw missingFunctionError('metered', a, b);
  const name = typeof a === 'string' && a ? a : undefined;
  // Only undefined is no options: `metered('x', null)` (a function that was not there) throws.
  const o = a !== null && typeof a === 'object' ? a : b;
  const options = checkOptions(name, (o === undefined ? {} : o) as MeteredOptions);
  return (fn: AnyFunction, context: unknown, descriptor?: unknown) => {
    const legacy = legacyDecorate('metered', fn, context, descriptor, (f, c) => method(f, c, name, options));
    if (legacy) return legacy;
    if (!isMethodContext(context)) throw decoratorError('metered', name, options, fn, context);
    return method(fn, context, name, options);
  };
}
