import { contextStorage } from '../../../src/context/active.js';
import { tracedCall, type BindingContext } from './binding-span.js';

type AnyFn = (...args: unknown[]) => unknown;

/** The name each cache was opened with; one not opened through `caches.open` is `caches.default`. */
const names = new WeakMap<object, string>();
let patched = false;

/**
 * Traces `match`, `put` and `delete` of the Cache API (`caches.default`, `caches.open(name)`)
 * while an invocation with binding instrumentation on is current. The runtime's `Cache` and
 * `CacheStorage` prototypes are patched once per isolate, from inside the first invocation (never
 * at module load), so `this` stays the runtime's own object; the invocation's binding context
 * (its monitor, its `onBindingCall`) is found on the current scope (`scope.bindings`, set by
 * Isolate.enter), as the global `fetch` finds its route. No Cache API, or a method that cannot be
 * replaced: left untraced, never an error for the app.
 *
 * Spans are named `cache <op>`, the operation in the API's own words (not `{op} {target}` as KV's
 * and R2's `get KV`: the target would be the cache's name), the cache's name an attribute
 * (`cache.name`, as other Workers tracers record it), which keeps span names few whatever names
 * `caches.open()` is given.
 */
export function traceCache(): void {
  if (patched) return;
  patched = true;
  try {
    const storage = (globalThis as { caches?: unknown }).caches as { default: object } | undefined;
    if (!storage) return;
    const cache = Object.getPrototypeOf(storage.default) as Record<string, AnyFn>;
    const store = Object.getPrototypeOf(storage) as Record<string, AnyFn>;
    const open = store.open!;
    // Not async: a call workerd refuses at once (a wrong `this`) still throws at once.
    store.open = function (this: unknown, name: unknown, ...rest: unknown[]) {
      return (open.call(this, name, ...rest) as Promise<object>).then((c) => (names.set(c, String(name)), c));
    };
    for (const op of ['match', 'put', 'delete']) {
      const original = cache[op]!;
      cache[op] = function (this: object, key: unknown, ...rest: unknown[]) {
        const bc = contextStorage().get()?.scope?.bindings as BindingContext | undefined;
        const call = (): unknown => original.call(this, key, ...rest);
        if (!bc) return call();
        const name = names.get(this) ?? 'default';
        const url = (key as { url?: string } | null)?.url ?? String(key);
        return tracedCall(
          bc,
          {
            type: 'cache',
            binding: name,
            operation: op,
            name: `cache ${op}`,
            attributes: { 'cache.name': name, 'url.full': bc.monitor.redactor.redactUrl(url) },
            result: op === 'match' ? (v, hit = v !== undefined) => ({ hit, attributes: { 'cache.hit': hit } }) : undefined,
          },
          call,
        );
      };
    }
  } catch {
    // a frozen prototype: the Cache API stays untraced
  }
}
