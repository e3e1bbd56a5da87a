/**
 * The context contract (DESIGN decision 4): `run(value, fn)` makes `value` current while `fn`
 * runs, `get()` reads it. Backed by AsyncLocalStorage where the runtime has it, so the value
 * survives `await`; otherwise synchronous, so it is current until `fn` first yields.
 */
export interface ContextStorage<T> {
  run<R>(value: T, fn: () => R): R;
  get(): T | undefined;
  /** Which mechanism backs this storage. */
  readonly kind: 'async-local-storage' | 'synchronous';
}

/** The shape of Node's `AsyncLocalStorage` that is used here (Workers, Deno, Bun and Node all have it). */
export interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}
export type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>;

/** Context that is current only during the synchronous part of `fn`. */
export class SynchronousStorage<T> implements ContextStorage<T> {
  readonly kind = 'synchronous' as const;
  #current: T | undefined;
  run<R>(value: T, fn: () => R): R {
    const prev = this.#current;
    this.#current = value;
    try {
      return fn();
    } finally {
      this.#current = prev;
    }
  }
  get(): T | undefined {
    return this.#current;
  }
}

export class AsyncLocalContextStorage<T> implements ContextStorage<T> {
  readonly kind = 'async-local-storage' as const;
  readonly #als: AsyncLocalStorageLike<T>;
  constructor(Als: AsyncLocalStorageClass) {
    this.#als = new Als<T>();
  }
  run<R>(value: T, fn: () => R): R {
    return this.#als.run(value, fn);
  }
  get(): T | undefined {
    return this.#als.getStore();
  }
}

/**
 * Finds AsyncLocalStorage without a static `node:` import, so a Worker without
 * `nodejs_compat` still loads: the global that workerd, Deno and Bun expose, or
 * `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun, workerd with `nodejs_compat`).
 */
export function findAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const g = globalThis as unknown as {
    AsyncLocalStorage?: AsyncLocalStorageClass;
    process?: { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined };
  };
  if (typeof g.AsyncLocalStorage === 'function') return g.AsyncLocalStorage;
  try {
    const mod = g.process?.getBuiltinModule?.('node:async_hooks');
    if (mod && typeof mod.AsyncLocalStorage === 'function') return mod.AsyncLocalStorage;
  } catch {
    // getBuiltinModule may throw where the module is not allowed; fall back to synchronous.
  }
  return undefined;
}

/** Creates the best storage this runtime offers. */
export function createContextStorage<T>(Als: AsyncLocalStorageClass | undefined = findAsyncLocalStorage()): ContextStorage<T> {
  if (Als) {
    try {
      return new AsyncLocalContextStorage<T>(Als);
    } catch {
      // fall through
    }
  }
  return new SynchronousStorage<T>();
}
