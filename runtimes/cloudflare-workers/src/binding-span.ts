import { contextStorage, contextWithSpan } from '../../../src/context/active.js';
import { errorType as typeOf } from '../../../src/http/handle-request.js';
import { dbClientDuration } from '../../../src/http/server-metrics.js';
import type { HookRegistry } from '../../../src/hooks/registry.js';
import type { Monitor } from '../../../src/monitor.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { now } from '../../../src/time.js';
import { measuredFor, type Span } from '../../../src/trace/span.js';
import { failSpan } from '../../../src/trace/tracer.js';

/** The kind of binding a call went to. */
export type BindingType = 'kv' | 'd1' | 'r2' | 'queue' | 'durable_object' | 'durable_object_storage' | 'service' | 'workflow' | 'cache' | 'ai' | 'vectorize' | 'analytics_engine' | 'rate_limit';

/**
 * One finished binding call, as handed to `onBindingCall`: enough for hook events such as
 * cache hit/miss (KV, R2 reads, Cache API `match`), sql (D1) and queue enqueue (Queue producers).
 */
export interface BindingCallEvent {
  readonly type: BindingType;
  /** The binding's name in `env`; for the Cache API (`cache`), the cache's: `default` or the `caches.open()` name; for Durable Object storage, the object's class. */
  readonly binding: string;
  /** `get`, `put`, `first`, `send`, `limit`, an RPC method name... */
  readonly operation: string;
  readonly durationMs: number;
  /** For reads: whether a value came back (KV `get`, R2 `get`/`head`, Cache API `match`). */
  readonly hit?: boolean;
  /** D1 and a Durable Object's `sql.exec`: the statement text (placeholders, never values). */
  readonly query?: string;
  /** Queue producers: messages sent. */
  readonly messageCount?: number;
  readonly error?: unknown;
}

const READS = new Set(['get', 'getWithMetadata', 'head', 'match']);
const WRITES = new Set(['put']);
const DELETES = new Set(['delete']);

/**
 * The hook events of the seed features (`monitor.subscribeHooks`): KV, R2 and Cache API reads
 * are cache hits or misses, writes and deletes cache sets and deletes, D1 statements sql queries, Queue
 * sends enqueues. `traced` tells the subscriber the span exists already.
 */
function emitHook(hooks: HookRegistry, spec: CallSpec, hit: boolean | undefined, durationMs: number, error: unknown, traced: boolean): void {
  const op = spec.operation;
  if (spec.type === 'kv' || spec.type === 'r2' || spec.type === 'cache') {
    const e = { cache: spec.binding };
    if (READS.has(op) && hit !== undefined && error === undefined) hooks.emit(hit ? 'cache.hit' : 'cache.miss', e);
    else if (WRITES.has(op) && error === undefined) hooks.emit('cache.set', e);
    else if (DELETES.has(op) && error === undefined) hooks.emit('cache.delete', e);
  } else if (spec.type === 'd1' || (spec.type === 'durable_object_storage' && spec.query !== undefined)) {
    hooks.emit('sql.query', { database: spec.binding, statement: spec.query, durationMs, traced, ...(error !== undefined ? { error } : {}) });
  } else if (spec.type === 'queue' && error === undefined) {
    const n = Math.min(spec.messageCount ?? 1, 1000);
    for (let i = 0; i < n; i++) hooks.emit('queue.enqueue', { queue: spec.binding });
  }
}

/**
 * An instrumented binding (a Proxy) → the runtime's own. A Proxy cannot cross Workers RPC
 * (DataCloneError), and D1's `batch` wants its own statements.
 */
export const natives = new WeakMap<object, object>();

/**
 * `v`, or the runtime's binding behind it: what may be passed to the runtime, Workers RPC
 * included, which sends the runtime's own bindings inside values too: so an array's elements and
 * a plain object's properties are looked at as well, a few levels down, and the value copied
 * (never changed) only when one is replaced. Anything else (a class's instance, a Map) goes as it is.
 */
export const native = (v: any): any => sendable(v, 3);

function sendable(v: any, depth: number): any {
  // (Each binding wrapped is an object.)
  if (!v || typeof v != 'object') return v;
  const n = natives.get(v);
  if (n || !depth) return n || v;
  let out: any;
  let x: any;
  let y: any;
  try {
    // An array by index (`for...in` makes a string of each), its primitives skipped without a
    // call (a long list of numbers); a plain object by its keys.
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof (x = v[i]) == 'object' && x !== (y = sendable(x, depth - 1))) (out ??= v.slice())[i] = y;
    } else if (v.constructor === Object) {
      for (const k in v) if ((x = v[k]) !== (y = sendable(x, depth - 1))) (out ??= { ...v })[k] = y;
    }
  } catch {
    // a getter that throws: the runtime's own serialization meets it
  }
  return out ?? v;
}

/**
 * Whether `t`'s own `prop` is a read-only, non-configurable data property (a frozen binding or
 * env, as a test may hand one): a Proxy of `t` must answer it as it is, since answering another
 * value throws a TypeError (an invariant of Proxy) into the app's call.
 */
export function readOnly(t: object, prop: PropertyKey): boolean {
  const d = Reflect.getOwnPropertyDescriptor(t, prop);
  return d !== undefined && !d.configurable && d.writable === false;
}

/**
 * Whether `t`'s own `prop` is a read-only, non-configurable data property, which a Proxy of `t`
 * must answer as it is; counted (and reported once) through `bc` as a method left untraced.
 */
export function fixed(t: object, prop: PropertyKey, bc: { readonly monitor: Monitor } | undefined): boolean {
  if (!readOnly(t, prop)) return false;
  bc?.monitor.diag.drop('internal_error', () => `a binding's "${String(prop)}" is read-only (a frozen binding, env or step), so its calls are not traced: hand them over unfrozen`);
  return true;
}

/** What every binding wrapper shares: the monitor and the hook seam. */
export interface BindingContext {
  readonly monitor: Monitor;
  readonly onCall: ((event: BindingCallEvent) => void) | undefined;
}

export interface CallSpec {
  readonly type: BindingType;
  readonly binding: string;
  readonly operation: string;
  readonly name: string;
  readonly kind?: SpanKind;
  readonly attributes: Record<string, unknown>;
  /** Facts about the result for the span and the event (`hit`). */
  readonly result?: (value: unknown) => { hit?: boolean; attributes?: Record<string, unknown> } | undefined;
  readonly query?: string;
  readonly messageCount?: number;
  /** The call's own metrics, in place of `db.client.operation.duration` (Workers AI's GenAI metrics). */
  readonly metrics?: (monitor: Monitor, seconds: number, errorType: string | undefined, facts: Record<string, unknown> | undefined) => void;
  /**
   * A result the call goes on producing after it is returned (a streamed Workers AI answer): what
   * the caller gets instead, which calls `done` itself once the call is over; `undefined`: the
   * call is over now.
   */
  readonly later?: (value: unknown, done: Done) => unknown;
  /** The call runs with its span active, so that calls made inside it are its children (a transaction). */
  readonly encloses?: boolean;
}

/** Ends a call's span once: its result (for `result`), or the error it failed with. `span`: the span, if any. */
export type Done = ((value: unknown, error: unknown, failed: boolean) => void) & { span?: Span };

/**
 * Starts one binding call's CLIENT span when an invocation is current (never otherwise:
 * start-up and stray calls stay untraced); the returned `done` ends it and reports the call to
 * `onBindingCall`. `undefined`: nothing to record.
 */
function begin(bc: BindingContext, spec: CallSpec): Done | undefined {
  const ctx = contextStorage().get();
  const inside = ctx !== undefined && (ctx.span !== undefined || ctx.scope !== undefined);
  if (!inside && bc.onCall === undefined) return undefined;
  const start = now();
  // One clock for the span, the metric, the hook event and onBindingCall.
  const span = inside ? bc.monitor.tracer.startSpan(spec.name, { kind: spec.kind ?? SpanKind.CLIENT, attributes: spec.attributes, startTime: start }) : undefined;
  const done: Done = (value, error, failed) => {
    const end = now();
    const durationMs = Math.max(0, end - start);
    try {
      const facts = failed ? undefined : spec.result?.(value);
      const errorType = failed ? typeOf(error) : undefined;
      if (span) {
        if (facts?.attributes) span.setAttributes(facts.attributes);
        if (errorType) {
          failSpan(span, error);
          span.setAttribute('error.type', errorType);
        }
        const a = spec.attributes;
        // Observed while the call's span still records: its exemplar points to that span, not to
        // the request's (the span current around the call).
        measuredFor.span = span;
        try {
          if (spec.metrics) spec.metrics(bc.monitor, durationMs / 1000, errorType, facts?.attributes);
          else if (a['db.system.name'])
            dbClientDuration(bc.monitor).observe(durationMs / 1000, {
              'db.system.name': a['db.system.name'] as string,
              'db.namespace': a['db.namespace'] as string,
              'db.operation.name': a['db.operation.name'] as string,
              ...(errorType ? { 'error.type': errorType } : {}),
            });
        } catch {
          // telemetry must not fail the call, nor be reported as onBindingCall's bug (the catch below)
        }
        measuredFor.span = undefined;
        span.end(end);
      }
      const hooks = bc.monitor.hooks;
      if (hooks) emitHook(hooks, spec, facts?.hit, durationMs, failed ? error : undefined, span !== undefined);
      if (bc.onCall) {
        const event: BindingCallEvent = {
          type: spec.type,
          binding: spec.binding,
          operation: spec.operation,
          durationMs,
          ...(facts?.hit !== undefined ? { hit: facts.hit } : {}),
          ...(spec.query !== undefined ? { query: spec.query } : {}),
          ...(spec.messageCount !== undefined ? { messageCount: spec.messageCount } : {}),
          ...(failed ? { error } : {}),
        };
        bc.onCall(event);
      }
    } catch (err) {
      // never reaches the binding call; an app's callback with a bug must still be heard of
      bc.monitor.diag.drop('internal_error', () => `onBindingCall threw (${err})`);
    }
  };
  done.span = span;
  return done;
}

/** `call()`, with `done` told of a synchronous exception (rethrown unchanged). */
function run<T>(done: Done, call: () => T): T {
  try {
    return call();
  } catch (err) {
    done(undefined, err, true);
    throw err;
  }
}

/**
 * Runs one binding call with a CLIENT span when an invocation is current, then reports it to
 * `onBindingCall`. The call's result and errors are passed on unchanged.
 */
export function tracedCall<T>(bc: BindingContext, spec: CallSpec, call: () => T): T {
  const done = begin(bc, spec);
  if (!done) return call();
  const span = spec.encloses && done.span;
  const result = run(done, span ? () => contextStorage().run(contextWithSpan(contextStorage().get(), span), call) : call);
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (v) => spec.later?.(v, done) ?? (done(v, undefined, false), v),
      (err: unknown) => {
        done(undefined, err, true);
        throw err;
      },
    ) as T;
  }
  done(result, undefined, false);
  return result;
}

/**
 * A database-like binding call's spec (KV, R2, Vectorize, a Durable Object's storage): the DB
 * conventions' span `{db.operation.name} {db.namespace}`, the binding's name as the namespace, and
 * `extra` attributes (a query's text).
 */
export function dbSpec(type: BindingType, system: string, name: string, op: string, extra?: Record<string, unknown>): CallSpec {
  return { type, binding: name, operation: op, name: `${op} ${name}`, attributes: { 'db.system.name': system, 'db.operation.name': op, 'db.namespace': name, ...extra } };
}

/** `original` with a span of `spec` around each call (the spec made once, for every call of the method). */
export function dbCall(bc: BindingContext, spec: CallSpec, original: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => tracedCall(bc, spec, () => original(...args));
}

/**
 * {@link tracedCall} for Workers RPC: the caller gets the runtime's own result, never a promise
 * chained to it. An RPC call returns a `JsRpcPromise`, callable (`typeof` is 'function') and
 * carrying the pipelined methods of its eventual value (`env.SVC.getCounter().inc()`), which a
 * `.then()` chain would lose; so its settlement is watched on a branch of its own, whose rejection
 * handler records the error and swallows it (the app handles its own copy).
 */
export function observedCall<T>(bc: BindingContext, spec: CallSpec, call: () => T): T {
  const done = begin(bc, spec);
  if (!done) return call();
  const result = run(done, call);
  try {
    const then = result !== null && (typeof result === 'object' || typeof result === 'function') ? (result as { then?: unknown }).then : undefined;
    if (typeof then === 'function') {
      then.call(
        result,
        (v: unknown) => done(v, undefined, false),
        (err: unknown) => done(undefined, err, true),
      );
      return result;
    }
  } catch {
    // a thenable the monitor cannot watch: the call counts as done now
  }
  done(result, undefined, false);
  return result;
}
