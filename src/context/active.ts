import type { Scope } from '../scope/scope.js';
import type { Baggage } from '../trace/propagation/baggage.js';
import type { Span } from '../trace/span.js';
import { createContextStorage, type AsyncLocalStorageClass, type ContextStorage } from './storage.js';

/** What is current in a request: its scope, the active span, and incoming baggage. */
export interface ActiveContext {
  readonly scope?: Scope;
  readonly span?: Span;
  readonly baggage?: Baggage;
  /** The `@opentelemetry/api` Context this one came from or continues (set by the `/otel` bridge). */
  readonly otel?: unknown;
  /**
   * The `@opentelemetry/api` Context this one is, once the bridge has built or entered it: kept
   * here rather than in a WeakMap, whose entry per `context.with()` slowed every GC.
   */
  otelView?: unknown;
}

// Created on first use, never at module load (Workers forbid work in global scope, CF-03).
let storage: ContextStorage<ActiveContext> | undefined;

/** The process-wide context storage (one per isolate, shared by all monitors). */
export function contextStorage(): ContextStorage<ActiveContext> {
  return (storage ??= createContextStorage<ActiveContext>());
}

/**
 * Replaces the context storage: adapters call this with the runtime's AsyncLocalStorage
 * (or a custom `ContextStorage`) before the first request. Returns the storage in use.
 */
export function setContextStorage(
  s: ContextStorage<ActiveContext> | AsyncLocalStorageClass | undefined,
): ContextStorage<ActiveContext> {
  // A wrong value here (an AsyncLocalStorage instance, which has no get()) failed every span
  // start and log in the app's requests afterwards: it is refused now, saying what to pass.
  if (s !== undefined && !(typeof s === 'function' ? hasMethods((s as { prototype?: unknown }).prototype, 'getStore') : hasMethods(s, 'get'))) {
    throw new TypeError(
      'setContextStorage: pass a ContextStorage (an object with run(value, fn) and get()) or the AsyncLocalStorage class of node:async_hooks (the class, not `new AsyncLocalStorage()`); pass undefined for the detected one.',
    );
  }
  storage = typeof s === 'object' ? s : createContextStorage<ActiveContext>(s);
  return storage;
}

/** `o` is an object with a `run` method and a method named `read`. */
function hasMethods(o: unknown, read: string): boolean {
  return o !== null && typeof o === 'object' && typeof (o as { run?: unknown }).run === 'function' && typeof (o as Record<string, unknown>)[read] === 'function';
}

/** The active context, or undefined outside any scope or span. */
export function activeContext(): ActiveContext | undefined {
  return contextStorage().get();
}

/** The span that is current here, if any. */
export function getActiveSpan(): Span | undefined {
  return contextStorage().get()?.span;
}

/** The scope (request, scheduled run, queue batch) that is current here, if any. */
export function getActiveScope(): Scope | undefined {
  return contextStorage().get()?.scope;
}

/** While a collection runs its callbacks: where work they start is held (see holdDuringCollection). */
let collectionHold: ((promise: Promise<unknown>) => void) | undefined;

/**
 * Runs `f` (a collection's callbacks) with `hold` taking the work they start, such as an alert's
 * webhook post: an export's collection runs in a request's flush, after its handler, where no
 * scope is active (or the scope is closing), and the export's promise (the request's
 * `waitUntil`) must wait for that work or the runtime cuts it when the export ends.
 */
export function holdDuringCollection<R>(hold: (promise: Promise<unknown>) => void, f: () => R): R {
  const previous = collectionHold;
  collectionHold = hold;
  try {
    return f();
  } finally {
    collectionHold = previous;
  }
}

/**
 * Keeps the current invocation alive until `promise` settles: the export collecting now, else the
 * active scope (none outside an invocation: the promise still runs).
 */
export function holdInInvocation(promise: Promise<unknown>): void {
  if (collectionHold) collectionHold(promise);
  else getActiveScope()?.waitUntil(promise);
}

/**
 * Runs `f` with `span` active: the current scope, baggage and `@opentelemetry/api` context stay
 * visible inside unless the span brings its own (as `startActiveSpan` and `traced` do).
 */
export function runInSpan<R>(span: Span, f: () => R): R {
  const storage = contextStorage();
  return storage.run(contextWithSpan(storage.get(), span), f);
}

/** `prev` with `span` active: its scope and baggage if it has them, else `prev`'s; `prev`'s OTel context kept. */
export function contextWithSpan(prev: ActiveContext | undefined, span: Span): ActiveContext {
  const s = span as Span & { scope?: Scope; baggage?: Baggage };
  return { scope: s.scope ?? prev?.scope, span, baggage: s.baggage ?? prev?.baggage, otel: prev?.otel };
}
