/**
 * A Durable Object's storage calls in real workerd (miniflare 4, a SQLite-backed object): each
 * key-value, alarm and `sql.exec` call gets a CLIENT span under the invocation's span, with the
 * DB conventions' attributes, `db.client.operation.duration` and onBindingCall; the query's text
 * never carries its values. Run with nodejs_compat and with no compatibility flag.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Span {
  id: string;
  name: string;
  kind: number;
  parent: string | null;
  trace: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}
interface Dump {
  spans: Span[];
  hooks: string[];
  calls: string[];
  duration?: Record<string, string>[];
}

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, Durable Object storage, $name', ({ flags }) => {
  let mf: Miniflare;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-do-storage.ts'), vars: {}, extra: { durableObjects: { STORE: { className: 'StoreDO', useSQLite: true }, RAW: { className: 'RawStore', useSQLite: true }, BARE: { className: 'BareStoreDO', useSQLite: true } } } });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('key-value and alarm calls and sql.exec get CLIENT spans under the RPC call, the SQL with placeholders only', async () => {
    const r = await mf.dispatchFetch('http://worker.test/keep');
    expect(await r.json()).toEqual({ result: 5 + 5 }); // the object's own results are unchanged (a first insert)
    const { spans, hooks, calls, duration } = await dump();
    const storage = spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.durable_object');
    const rpc = spans.find((s) => s.name === 'Store.keep' && s.kind === 2);
    expect(rpc, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    const mine = storage.filter((s) => s.trace === rpc!.trace);
    // In a Worker without AsyncLocalStorage the invocation is current until the first await only.
    const expected = ['put Store', 'get Store', 'get Store', 'list Store', 'delete Store', 'setAlarm Store', 'getAlarm Store', 'deleteAlarm Store', 'INSERT Store', 'SELECT Store'];
    expect(mine.map((s) => s.name)).toEqual(flags.length ? expected : expected.slice(0, 1));
    for (const s of mine) {
      expect(s.kind).toBe(3); // CLIENT
      expect(s.parent).toBe(rpc!.id);
      expect(s.attributes).toMatchObject({ 'db.namespace': 'Store', 'db.operation.name': s.name.split(' ')[0] });
    }
    if (flags.length) {
      const insert = mine.find((s) => s.name === 'INSERT Store')!;
      expect(insert.attributes['db.query.text']).toBe('INSERT INTO items (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?');
      expect(mine.find((s) => s.name === 'SELECT Store')!.attributes['db.query.text']).toBe('SELECT value FROM items WHERE key = ?');
      expect(JSON.stringify(mine)).not.toContain('k1');
      expect(hooks.filter((h) => h === 'sql.query').length).toBeGreaterThanOrEqual(2);
    }
    // onBindingCall hears every call, inside an invocation or not (the constructor's CREATE TABLE).
    expect(calls).toContain('durable_object_storage exec Store CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value INTEGER)');
    expect(calls).toContain('durable_object_storage setAlarm Store');
    expect(calls).toContain('durable_object_storage exec Store SELECT value FROM items WHERE key = ?');
    expect(duration).toEqual(expect.arrayContaining([{ 'db.system.name': 'cloudflare.durable_object', 'db.namespace': 'Store', 'db.operation.name': 'put' }]));
    // The constructor's call ran outside any invocation: no span.
    expect(storage.some((s) => s.name === 'CREATE Store')).toBe(false);
  });

  test("the storage in front of the runtime's answers as it does: transactions, cursors, the kv API, blockConcurrencyWhile, WebSockets; instrumentBindings: false leaves it alone", async () => {
    const { raw, instrumented, bare } = (await (await mf.dispatchFetch('http://worker.test/compat')).json()) as Record<string, Record<string, unknown>>;
    expect(raw).toMatchObject({ kept: true, transaction: 1, rollback: 'undefined', transactionSync: 2, one: { v: 2 }, kv: [7, [['kv', 7]]], blockConcurrencyWhile: 2, acceptWebSocket: 1 });
    expect(raw!.sqlError).toMatch(/^threw no such table/);
    expect(instrumented).toEqual(raw);
    expect(bare).toEqual(raw);
    const { spans, calls } = await dump();
    expect(spans.filter((s) => s.name.endsWith(' BareStore'))).toEqual([]); // not instrumented
    expect(calls.filter((c) => c.endsWith(' BareStore') || c.includes(' BareStore '))).toEqual([]);
    const call = spans.find((s) => s.name === 'Store.compat' && s.kind === 2)!;
    // Past the first await: traced with AsyncLocalStorage only.
    expect(spans.filter((s) => s.parent === call.id).map((s) => s.name)).toEqual(flags.length ? expect.arrayContaining(['CREATE Store', 'transaction Store', 'get Store']) : []);
    // The statements of transactionSync() are its span's children.
    const txns = new Set(spans.filter((s) => s.parent === call.id && s.name === 'transaction Store').map((s) => s.id));
    const inserts = spans.filter((s) => s.name === 'INSERT Store' && s.trace === call.trace);
    expect(inserts).toHaveLength(flags.length ? 2 : 0);
    for (const s of inserts) expect(txns.has(s.parent!)).toBe(true);
  });

  test('the synchronous kv API, transaction() with the calls on its txn, and transactionSync() get spans too, each transaction the parent of its calls; answers unchanged', async () => {
    const r = await mf.dispatchFetch('http://worker.test/txn');
    expect(await r.json()).toEqual([3, [['sync', 3]], 1, 'number']);
    const { spans, calls } = await dump();
    const rpc = spans.filter((s) => s.name === 'Store.txn' && s.kind === 2).pop()!;
    const mine = spans.filter((s) => s.trace === rpc.trace && s.attributes['db.system.name'] === 'cloudflare.durable_object');
    // The kv calls come before the first await: traced with or without AsyncLocalStorage.
    const sync = ['put Store', 'get Store', 'list Store'];
    expect(mine.map((s) => s.name)).toEqual(flags.length ? [...sync, 'put Store', 'get Store', 'transaction Store', 'SELECT Store', 'transaction Store'] : [...sync, 'transaction Store']);
    // The calls made inside a transaction are its children; the rest, the transactions included, the method's.
    const [txn, txnSync] = mine.filter((s) => s.name === 'transaction Store');
    const parents = flags.length ? [rpc, rpc, rpc, txn, txn, rpc, txnSync, rpc] : [rpc, rpc, rpc, rpc];
    expect(mine.map((s) => s.parent)).toEqual(parents.map((s) => s!.id));
    expect(calls).toEqual(expect.arrayContaining(['durable_object_storage transaction Store', 'durable_object_storage put Store']));
  });

  test('a failing sql.exec records its error on the span and still throws to the object', async () => {
    const r = await mf.dispatchFetch('http://worker.test/failing');
    const { message } = (await r.json()) as { message: string };
    expect(message).toMatch(/no such table: missing_table/);
    const { spans } = await dump();
    const failed = spans.find((s) => s.name === 'SELECT Store' && s.attributes['db.query.text'] === 'SELECT * FROM missing_table');
    expect(failed, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(failed!.status.code).toBe(2); // ERROR
    expect(failed!.attributes['error.type']).toBeTruthy();
  });

  test("the object's fetch: its storage calls are children of its SERVER span", async () => {
    const r = await mf.dispatchFetch('http://worker.test/fetch');
    expect(await r.text()).toBe('/hello');
    const { spans } = await dump();
    const server = spans.filter((s) => s.kind === 2 && s.attributes['cloudflare.durable_object.class'] === 'Store' && s.attributes['url.path'] === '/hello').pop();
    expect(server, JSON.stringify(spans.map((s) => [s.name, s.attributes['url.path']]))).toBeDefined();
    const put = spans.find((s) => s.name === 'put Store' && s.trace === server!.trace);
    expect(put?.parent).toBe(server!.id); // a child, not only in the trace
    // After the first await: still a child with AsyncLocalStorage, untraced without it.
    const get = spans.find((s) => s.name === 'get Store' && s.trace === server!.trace);
    expect(get?.parent).toBe(flags.length ? server!.id : undefined);
  });
});
