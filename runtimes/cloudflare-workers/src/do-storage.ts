import { sanitizeSql, sqlOperation } from '../../../src/attributes/sql.js';
import { dbCall, dbSpec, tracedCall, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';

/**
 * Each query's verb and sanitized text by its text: `exec` is synchronous and local, often called
 * many times a request with the same few statements, where reading the text again each time
 * (0.3 to 0.8 µs) would cost more than the span. Bounded: emptied past 256 texts.
 */
const seen = new Map<string, [string, string]>();
function parsed(query: string): [string, string] {
  let p = seen.get(query);
  if (p === undefined) {
    if (seen.size >= 256) seen.clear();
    seen.set(query, (p = [sqlOperation(query), sanitizeSql(query)]));
  }
  return p;
}

/** The asynchronous storage calls that get a span (the key-value and alarm API, also on a transaction's `txn`). */
const OPS = new Set(['get', 'put', 'delete', 'list', 'deleteAll', 'getAlarm', 'setAlarm', 'deleteAlarm']);
/** The synchronous `kv` API of a SQLite-backed object. */
const KV_OPS = new Set(['get', 'put', 'delete', 'list']);

/**
 * A Durable Object's `ctx.storage` with CLIENT spans, as bindings get them: `get`, `put`,
 * `delete`, `list`, `deleteAll` and the alarm calls are named `{operation} {class}`, and each
 * `sql.exec(query, ...bindings)` of a SQLite-backed object `{SQL verb} {class}` with the query's
 * text (placeholders and literals replaced, never the values). The synchronous `kv` API's calls
 * are named as the asynchronous ones; `transaction()` and `transactionSync()` get a span of their
 * own (`transaction {class}`), the parent of the calls made inside them (on a transaction's `txn` too). `db.namespace`
 * is the class; each call is timed in `db.client.operation.duration`.
 */
export function instrumentStorage(bc: BindingContext, className: string, storage: object): object {
  const spec = (op: string, extra?: Record<string, unknown>) => dbSpec('durable_object_storage', 'cloudflare.durable_object', className, op, extra);
  const calls = (ops: Set<string>) => (op: string, original: (...args: unknown[]) => unknown) => (ops.has(op) ? dbCall(bc, spec(op), original) : undefined);
  const txnCalls = calls(OPS);
  return methodProxy(
    storage,
    (op, original) => {
      if (op === 'transaction') {
        // The closure runs inside the transaction's span and gets the transaction's object with its
        // calls traced, as the span's children; anything else goes as it is.
        const traced = dbCall(bc, { ...spec(op), encloses: true }, original);
        return (closure, ...rest) => traced(typeof closure === 'function' ? (txn: unknown) => closure(txn !== null && typeof txn === 'object' ? methodProxy(txn, txnCalls, bc) : txn) : closure, ...rest);
      }
      return op === 'transactionSync' ? dbCall(bc, { ...spec('transaction'), encloses: true }, original) : txnCalls(op, original);
    },
    bc,
    undefined,
    (prop, v) =>
      v === null || typeof v !== 'object'
        ? undefined
        : prop === 'kv'
          ? methodProxy(v, calls(KV_OPS), bc)
          : prop === 'sql'
            ? methodProxy(v, (op, exec) =>
                op === 'exec'
                  ? // exec runs the statement at once and hands back its cursor: the span is the call's.
                    (query, ...rest) => {
                      if (typeof query !== 'string') return exec(query, ...rest);
                      const [verb, text] = parsed(query);
                      return tracedCall(bc, { ...spec(verb, { 'db.query.text': text }), operation: op, query: text }, () => exec(query, ...rest));
                    }
                  : undefined,
                bc,
              )
            : undefined,
  );
}
