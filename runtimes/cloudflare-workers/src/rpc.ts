import { contextStorage } from '../../../src/context/active.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { runInvocation, type InvocationSpec } from './invocation.js';
import type { Isolate } from './isolate.js';
import { bindTelemetry, type WorkerTelemetry } from './telemetry.js';

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/** Where a call's export goes (`waitUntil`); a WorkerEntrypoint's `this.ctx`, where `getRequestTelemetry()` finds the call. */
export type CallContext = { waitUntil(promise: Promise<unknown>): void };

/**
 * Runs `fn` as an invocation (`runInvocation`) whose export goes to `ctx.waitUntil` and whose
 * telemetry `getRequestTelemetry(ctx)` returns.
 */
export function runIn<R>(isolate: Isolate, spec: Omit<InvocationSpec, 'waitUntil'>, ctx: CallContext, fn: (telemetry: WorkerTelemetry) => R): R {
  return runInvocation(isolate, { ...spec, waitUntil: (p) => ctx.waitUntil(p) }, (telemetry) => {
    bindTelemetry(ctx, telemetry);
    return fn(telemetry);
  });
}

/**
 * What one call of a wrapped method needs, read from the instance: its isolate and its
 * {@link CallContext}. `undefined`: the instance was not set up, the method runs as it is.
 */
export type CallTarget = (self: any) => [Isolate, CallContext] | undefined;

/**
 * Replaces `proto[name]` (when `original` is a function) by a method that runs `original` as an
 * invocation of its own (`runInvocation`: a span starting a new trace, a scope, the export handed
 * to waitUntil; a synchronous method stays synchronous, an exception is recorded and rethrown).
 * A call from inside another invocation (the object calling itself) opens none. The monitor never
 * breaks the call: if setting up the invocation throws, `original` runs untraced.
 */
export function wrapMethod(proto: object, name: string, original: unknown, target: CallTarget, spec: Omit<InvocationSpec, 'waitUntil'>): void {
  if (typeof original !== 'function') return;
  (proto as Record<string, AnyFn>)[name] = {
    [name](this: object, ...args: unknown[]) {
      let called = false;
      try {
        const t = !contextStorage().get()?.scope && target(this);
        if (t) {
          return runIn(t[0], spec, t[1], () => {
            called = true;
            return original.apply(this, args);
          });
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
 */
export function wrapRpc(Class: abstract new (...args: any[]) => object, proto: object, base: string, skip: Iterable<string>, target: CallTarget, extra?: Record<string, unknown>): void {
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
        });
      }
      seen.add(name);
    }
  }
}
