/**
 * A Durable Object declared without useSQLite in real workerd (miniflare): the instrumented storage
 * answers as the runtime's own (feature tests of `kv` and `sql`, transactions, rollback, a closure
 * that throws, transactionSync), and its calls still get spans. Miniflare gives such an object `kv`
 * and `sql` too (its local storage is SQLite), so their absence on Cloudflare's key-value backend
 * is not reproduced here: the proxy reads them only when the object does, as the runtime would.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, a key-value-backed Durable Object, $name', ({ flags }) => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-do-legacy.ts'), vars: {}, extra: { durableObjects: { LEGACY: { className: 'LegacyDO' }, RAW: { className: 'RawLegacy' } } } });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test("its storage answers as the runtime's own; a closure that throws fails its transaction's span", async () => {
    const { raw, instrumented } = (await (await mf.dispatchFetch('http://worker.test/')).json()) as Record<string, Record<string, unknown>>;
    expect(raw).toMatchObject({ put: 'undefined', transaction: 2, list: expect.any(Array) });
    expect(instrumented).toEqual(raw);
    const spans = (await (await mf.dispatchFetch('http://worker.test/spans')).json()) as [string, number][];
    // Without AsyncLocalStorage the invocation is current until its first await only.
    if (flags.length) expect(spans.map((s) => s[0])).toEqual(expect.arrayContaining(['put Legacy', 'transaction Legacy', 'list Legacy']));
    // The closure that throws: its transaction's span is an ERROR (2), the others are not.
    if (flags.length) expect(spans.filter((s) => s[0] === 'transaction Legacy').map((s) => s[1])).toEqual([0, 0, 2, 0]);
  });
});
