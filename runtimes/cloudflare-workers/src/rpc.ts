import { contextStorage } from '../../../src/context/active.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { runInvocation, type InvocationSpec } from './invocation.js';
import type { Isolate } from './isolate.js';
import { bindTelemetry, type WorkerTelemetry } from './telemetry.js';
import { exportAndHold, heldBy } from './wait-until.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/** Where a call's export goes (`waitUntil`); a WorkerEntrypoint's `this.ctx`, where `getRequestTelemetry()` finds the call. */
export type CallContext = { waitUntil(promise: Promise<unknown>): void };

/**
 * Runs `fn` as an invocation (`runInvocation`) whose export goes to `ctx.waitUntil` and whose
 * telemetry `getRequestTelemetry(ctx)` returns. Its export waits for the work `fn` hands to
 * `ctx.waitUntil`: `hold`, a `ctx` of this invocation alone; else a Durable Object's shared one,
 * whose work is told apart by the scope (holdByScope).
 */
export function runIn<R>(isolate: Isolate, spec: Omit<InvocationSpec, 'waitUntil'>, ctx: CallContext, fn: (telemetry: WorkerTelemetry) => R, hold?: boolean): R {
  const [waitUntil, held] = exportAndHold(ctx, hold ? isolate.waitUntilTimeoutMs : 0);
  return runInvocation(isolate, { ...spec, held: hold ? held : heldBy, waitUntil }, (telemetry) => {
    bindTelemetry(ctx, telemetry);
    return fn(telemetry);
  });
}

/**
 * What one call of a wrapped method needs, read from the instance: its isolate and its
 * {@link CallContext}. `undefined`: the instance was not set up, the method runs as it is.
 */
export type CallTarget = (self: any) => [Isolate, CallContext] | undefined;

/** How many calls a WorkerEntrypoint instance is serving (see {@link busy}). */
const BUSY = Symbol('lexigram.busy');

/**
 * Runs `fn` with `self` marked busy until its result settles. workerd makes a WorkerEntrypoint
 * instance for each incoming call, so a call of its methods while it is busy is the app's own
 * (`this.helper()`). After an `await`, without AsyncLocalStorage, no scope tells it apart: each
 * such call opened an RPC span in a new trace of its own.
 */
export function busy<R>(self: any, fn: () => R): R {
  try {
    self[BUSY] = (self[BUSY] | 0) + 1;
  } catch {
    // An instance its constructor froze takes no mark (this threw into every request): its
    // calls are traced all the same, its own method calls past an `await` as RPC calls too.
    return fn();
  }
  const idle = (): void => void self[BUSY]--;
  let r: any;
  try {
    r = fn();
  } catch (err) {
    idle();
    throw err;
  }
  if (typeof r?.then == 'function') r.then(idle, idle);
  else idle();
  return r;
}

/**
 * Replaces `proto[name]` (when `original` is a function) by a method that runs `original` as an
 * invocation of its own (`runInvocation`: a span starting a new trace, a scope, the export handed
 * to waitUntil; a synchronous method stays synchronous, an exception is recorded and rethrown).
 * A call from inside another invocation (the object calling itself) opens none. The monitor never
 * breaks the call: if setting up the invocation throws, `original` runs untraced. `exclusive`
 * (WorkerEntrypoint, one instance per incoming call): a call while the instance is {@link busy}
 * opens none either. `perCall`, when given, adds attributes read from the call's arguments (an
 * alarm's scheduled time).
 */
export function wrapMethod(
  proto: object,
  name: string,
  original: unknown,
  target: CallTarget,
  spec: Omit<InvocationSpec, 'waitUntil'>,
  exclusive?: boolean,
  perCall?: (args: unknown[]) => Record<string, unknown> | undefined,
): void {
  if (typeof original !== 'function') return;
  (proto as Record<string, AnyFn>)[name] = {
    [name](this: any, ...args: unknown[]) {
      let called = false;
      try {
        const t = !contextStorage().get()?.scope && !(exclusive && this[BUSY]) && target(this);
        if (t) {
          const call = (): unknown => {
            called = true;
            return original.apply(this, args);
          };
          // A WorkerEntrypoint's `this.ctx` serves this call alone: its export waits for the call's waitUntil work.
          const extra = perCall?.(args);
          const s = extra ? { ...spec, attributes: { ...spec.attributes, ...extra } } : spec;
          const run = (): unknown => runIn(t[0], s, t[1], call, exclusive);
          return exclusive ? busy(this, run) : run();
        }
      } catch (err) {
        if (called) throw err; // the method's own exception, unchanged
      }
      return original.apply(this, args); // untraced, or setting up its telemetry failed
    },
  }[name] as AnyFn;
}

/**
 * Wraps the RPC methods of `Class` on `proto` (its instrumented subclass's prototype): every
 * prototype method, own or inherited from a user base class, up to the runtime's `base` class
 * (`DurableObject`, `WorkerEntrypoint`), other than `skip` and `_`-prefixed names. Getters,
 * setters and symbol keys are not methods. Each call gets a SERVER span `${className}.${method}`.
 * The instances' `constructor` (`proto.constructor`) is made `Class`, as without the monitor.
 */
export function wrapRpc(Class: abstract new (...args: any[]) => object, proto: object, base: string, skip: Iterable<string>, target: CallTarget, extra?: Record<string, unknown>, exclusive?: boolean): void {
  // `this.constructor` read the instrumented subclass: `this.constructor.#count` (a static
  // private field of Class) threw a TypeError, the subclass having none, and `this.constructor
  // === Class` was false. `new` and `instanceof` go through the subclass itself, unchanged.
  Object.defineProperty(proto, 'constructor', { value: Class, writable: true, configurable: true });
  const className = Class.name || base;
  // The nearest definition of a name wins: a getter there hides a base class's method.
  const seen = new Set(skip);
  for (let p: object | null = Class.prototype; p && p !== Object.prototype && p.constructor?.name !== base; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (!seen.has(name) && !name.startsWith('_')) {
        wrapMethod(proto, name, Object.getOwnPropertyDescriptor(p, name)!.value, target, {
          name: `${className}.${name}`,
          kind: SpanKind.SERVER,
          attributes: { 'rpc.system': 'cloudflare_rpc', 'rpc.service': className, 'rpc.method': name, ...extra },
        }, exclusive);
      }
      seen.add(name);
    }
  }
}
