/**
 * What instrumentation returns for a thenable it observes: a native Promise is handed back as
 * itself and watched at once (it runs anyway), anything else (a Knex or Drizzle query builder, a
 * PrismaPromise, a Promise subclass that may be lazy) is handed back observed and runs only when
 * awaited.
 */

import { hasOwn } from '../attributes/sanitize.js';
import { contextStorage, type ActiveContext } from '../context/active.js';

/**
 * Any thenable, not only `instanceof Promise`: query builders, Bluebird and promises from
 * another realm fail that test yet settle later.
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** This realm's `Promise` itself: chaining it starts nothing. A subclass may be lazy, so it is not. */
export function isNativePromise(v: unknown): v is Promise<unknown> {
  return v instanceof Promise && v.constructor === Promise;
}

type Finish = (error: unknown, failed: boolean) => void;
type Run = <R>(f: () => R) => R;

/**
 * `result`, with `settle(error, failed)` told when it settles: a native Promise is returned
 * itself, any other thenable observed (see observeThenable). The one way `traced`, `metered`,
 * `measure` and `startActiveSpan` follow a returned thenable.
 */
export function whenSettled(result: PromiseLike<unknown>, settle: Finish, run?: Run): unknown {
  if (!isNativePromise(result)) return observeThenable(result, settle, run);
  // Not a promise derived from it: when the function handled the rejection itself (`p.catch(log);
  // return p`) and the caller ignores the result, a derived one would reject with nobody
  // listening, an unhandled rejection that ends a Node process. This branch only watches and
  // handles its own rejection; the caller keeps `result` itself (identity, `===`).
  void result.then(
    () => guarded(settle, undefined, false),
    (e: unknown) => guarded(settle, e, true),
  );
  return result;
}

function guarded(settle: Finish, error: unknown, failed: boolean): void {
  try {
    settle(error, failed);
  } catch {
    // telemetry never replaces the result or the error, nor rejects the watching branch
  }
}

/** `p.then(...)` that tells `settle` the outcome and passes it on unchanged. */
function chain(p: PromiseLike<unknown>, settle: Finish): Promise<unknown> {
  return p.then(
    (v) => (settle(undefined, false), v),
    (e: unknown) => {
      settle(e, true);
      throw e;
    },
  ) as Promise<unknown>;
}

/**
 * `target`, seen by `settle(error, failed)` once, when the first `then` the caller makes on it
 * settles. Nothing is called on `target` until then, so a lazy thenable runs its work only when
 * awaited, as it would unwrapped, and `run` (the call's context) wraps that `then`.
 *
 * The result is a Proxy: the same properties, prototype (`instanceof`) and `Symbol.toStringTag`.
 * Methods run with `target` as `this` (private fields work); one that returns `target` returns
 * the proxy, so `.where()` chains stay observed, and one that returns another thenable returns it
 * observed too (see whenSettled): an immutable builder's next step, or the run itself that a
 * method starts (Mongoose's `.exec()`, Prisma's `requestTransaction` under `$transaction([...])`),
 * which is why methods run in the call's context. `catch` and `finally` go through the observed
 * `then`. Writes go to `target` (a setter's private fields work). A thenable never awaited nor run
 * never calls `settle`: its work never ran.
 */
export function observeThenable<T extends object>(target: T, settle: Finish, run?: Run): T | Promise<unknown> {
  let done = false;
  const finish: Finish = (error, failed) => {
    if (done) return;
    done = true;
    guarded(settle, error, failed);
  };
  // A frozen `then` cannot be replaced by a Proxy (its get must return the same function): chain it.
  if (fixed(target, 'then')) return chain(target as unknown as PromiseLike<unknown>, finish);
  return observe(target, finish, run);
}

/** An own property a Proxy must report unchanged (non-configurable and read-only). */
function fixed(t: object, key: PropertyKey): boolean {
  const d = Reflect.getOwnPropertyDescriptor(t, key);
  return d !== undefined && !d.configurable && d.writable === false;
}

function observe<T extends object>(target: T, finish: Finish, run: Run | undefined): T {
  // One wrapper per method, so `p.where === p.where`.
  const wrappers = new Map<unknown, unknown>();
  const then = function (this: unknown, ok?: unknown, ko?: unknown): unknown {
    // The target's then (its query) runs in the call's context; the caller's callbacks in the caller's.
    const storage = run && contextStorage();
    const outer = storage ? storage.get() : undefined;
    const back = (g: unknown, x: unknown): unknown => (storage ? storage.run(outer as ActiveContext, () => (g as (x: unknown) => unknown)(x)) : (g as (x: unknown) => unknown)(x));
    const onOk = (v: unknown): unknown => {
      finish(undefined, false);
      return typeof ok === 'function' ? back(ok, v) : v;
    };
    const onKo = (e: unknown): unknown => {
      finish(e, true);
      if (typeof ko === 'function') return back(ko, e);
      throw e;
    };
    const self = this === proxy ? target : this;
    const f = (target as { then: (a: unknown, b: unknown) => unknown }).then;
    try {
      return run ? run(() => f.call(self, onOk, onKo)) : f.call(self, onOk, onKo);
    } catch (err) {
      finish(err, true);
      throw err;
    }
  };
  // Promise.prototype.catch and .finally in terms of the observed then.
  const own: Record<string, unknown> = {
    then,
    catch: (ko?: unknown) => then.call(proxy, undefined, ko),
    finally: (f?: unknown) =>
      typeof f !== 'function'
        ? then.call(proxy, f, f)
        : then.call(
            proxy,
            (v: unknown) => Promise.resolve(f()).then(() => v),
            (e: unknown) =>
              Promise.resolve(f()).then(() => {
                throw e;
              }),
          ),
  };
  const proxy: T = new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key);
      if (typeof v !== 'function' || key === 'constructor' || fixed(t, key)) return v;
      if (typeof key === 'string' && hasOwn.call(own, key)) return own[key];
      let w = wrappers.get(v);
      if (w === undefined) {
        w = function (this: unknown, ...args: unknown[]): unknown {
          const call = (): unknown => Reflect.apply(v, this === proxy ? t : this, args);
          const r = run ? run(call) : call();
          if (r === t) return proxy;
          return isThenable(r) ? whenSettled(r, finish, run) : r;
        };
        wrappers.set(v, w);
      }
      return w;
    },
    set: (t, key, value) => Reflect.set(t, key, value),
  });
  return proxy;
}
