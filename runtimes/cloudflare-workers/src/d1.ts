// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { natives, native, fixed, tracedCall, type BindingContext } from './binding-span.js';
import { sanitizeSql, sqlOperation as verb } from '../../../src/attributes/sql.js';

type AnyFn = (...args: unknown[]) => unknown;
interface Statement {
  bind(...values: unknown[]): Statement;
}

const STATEMENT_OPS = new Set(['first', 'all', 'run', 'raw']);
/** The sanitized text of each statement handed out, for the `batch` that runs it. */
const texts = new WeakMap<object, string>();

function attributes(name: string, sql: string | undefined, op: string): Record<string, unknown> {
  const a: Record<string, unknown> = { 'db.system.name': 'cloudflare.d1', 'db.namespace': name, 'db.operation.name': op };
  if (sql !== undefined) a['db.query.text'] = sql;
  return a;
}

/**
 * A proxy over `target` whose function properties are bound to it (a native binding refuses a
 * proxy as `this`), made anew on every read, each replaced by `wrap(prop, bound)` when that gives one.
 */
function boundProxy<T extends object>(bc: BindingContext, target: T, wrap: (prop: PropertyKey, original: AnyFn) => AnyFn | undefined): T {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      // The class, as methodProxy leaves it (`constructor.name` 'D1Database', not 'bound D1Database').
      if (typeof v !== 'function' || prop === 'constructor') return v;
      // A read-only, non-configurable method (a frozen stand-in) must be answered as it is: a
      // Proxy answering another value throws a TypeError into the app's call. Left untraced, and
      // counted (on every read: this proxy keeps no methods).
      if (fixed(t, prop, bc)) return v;
      const original = (v as AnyFn).bind(t);
      return wrap(prop, original) ?? original;
    },
  });
}

function wrapStatement(bc: BindingContext, name: string, stmt: Statement, sql: string): Statement {
  const op = verb(sql);
  const text = sanitizeSql(sql);
  const proxy = boundProxy(bc, stmt, (prop, original) => {
    if (prop === 'bind') return (...values: unknown[]) => wrapStatement(bc, name, original(...values) as Statement, sql);
    if (typeof prop === 'string' && STATEMENT_OPS.has(prop)) {
      // Only the text with its placeholders is recorded (literals replaced), never the bound values.
      return (...args: unknown[]) =>
        tracedCall(bc, { type: 'd1', binding: name, operation: prop, name: `${op} ${name}`, attributes: attributes(name, text, op), query: text }, () => original(...args));
    }
    return undefined;
  });
  natives.set(proxy, stmt);
  texts.set(proxy, text);
  return proxy;
}

/** D1: `prepare(sql).bind(...).first/all/run/raw`, `batch` and `exec` get CLIENT spans, also through `withSession()`. */
export function instrumentD1(bc: BindingContext, name: string, db: object): object {
  return boundProxy(bc, db, (prop, original) => {
    if (prop === 'prepare') {
      return (sql: unknown, ...rest: unknown[]) => {
        const stmt = original(sql, ...rest) as Statement;
        return typeof sql === 'string' && stmt !== null && typeof stmt === 'object' ? wrapStatement(bc, name, stmt, sql) : stmt;
      };
    }
    if (prop === 'withSession') {
      // A session (read replication) has its own prepare and batch: they get the same spans.
      return (...args: unknown[]) => {
        const session = original(...args);
        return session !== null && typeof session === 'object' ? instrumentD1(bc, name, session) : session;
      };
    }
    if (prop === 'batch') {
      return (statements: unknown, ...rest: unknown[]) => {
        const all = Array.isArray(statements);
        const list = all ? statements.map(native) : statements;
        // DB conventions: the one text when every statement has it, else each one's joined by "; "
        // (unknown when a statement was not prepared through this binding).
        const sqls = all ? statements.map((x) => texts.get(x)) : [];
        const known = sqls.length > 0 && !sqls.includes(undefined);
        const text = !known ? undefined : sqls.every((q) => q === sqls[0]) ? sqls[0] : sqls.join('; ');
        // DB conventions: a batch of one is that one operation; a batch of one kind of statement
        // is `BATCH <op>`, any other `BATCH`, with its size (0 for an empty one).
        const ops = known ? sqls.map((q) => verb(q!)) : [];
        const op = ops.length > 0 && ops.every((o) => o === ops[0]) ? (ops.length === 1 ? ops[0]! : `BATCH ${ops[0]}`) : 'BATCH';
        const a = attributes(name, text, op);
        if (all && statements.length !== 1) a['db.operation.batch.size'] = statements.length;
        return tracedCall(bc, { type: 'd1', binding: name, operation: 'batch', name: `${op} ${name}`, attributes: a, query: text }, () => original(list, ...rest));
      };
    }
    if (prop === 'exec') {
      return (sql: unknown, ...rest: unknown[]) => {
        const text = typeof sql === 'string' ? sanitizeSql(sql) : undefined;
        // exec runs any number of statements (one per line): DB conventions take no operation
        // name from such a text, so it is the call's own, as workerd's D1 spans name it.
        return tracedCall(bc, { type: 'd1', binding: name, operation: 'exec', name: `exec ${name}`, attributes: attributes(name, text, 'exec'), query: text }, () =>
          original(sql, ...rest),
        );
      };
    }
    return undefined;
  });
}
