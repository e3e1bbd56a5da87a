/**
 * What an instrumented binding answers, in real workerd (miniflare 4), as the raw binding: for
 * `constructor`, the binding's class (apps and tools find a binding in `env` by its class name:
 * `env[k].constructor.name === 'D1Database'`, as vitest-pool-workers' applyD1Migrations checks);
 * for a method the app replaced (a test's `vi.spyOn(env.KV, 'get')`), the replacement.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

let mf: Miniflare;
beforeAll(async () => {
  mf = await startWorker({
    flags: ['nodejs_compat'],
    entry: fixture('worker-binding-identity.ts'),
    vars: {},
    extra: { serviceBindings: { SVC: '' }, durableObjects: { COUNTER: 'CounterDO', STORE: { className: 'StoreDO', useSQLite: true }, RAW: { className: 'RawStore', useSQLite: true } } },
  });
});
afterAll(async () => {
  await mf?.dispose();
});

test("an instrumented binding's constructor is the binding's class, as the raw one's (it was a bound copy: `bound D1Database`)", async () => {
  const raw = (await (await mf.dispatchFetch('http://worker.test/raw')).json()) as Record<string, [string, boolean]>;
  const wrapped = (await (await mf.dispatchFetch('http://worker.test/wrapped')).json()) as Record<string, [string, boolean]>;
  // The raw bindings, for reference: each its class, by name.
  expect(raw).toMatchObject({ KV: ['KvNamespace', true], DB: ['D1Database', true], COUNTER: ['DurableObjectNamespace', true], SVC: ['Fetcher', true] });
  expect(Object.keys(raw)).toHaveLength(10);
  expect(wrapped).toEqual(raw);
});

test('a method put in place of the raw binding\'s after a first request (vi.spyOn(env.KV, \'get\')) is the one called; the first one read was kept', async () => {
  expect(await (await mf.dispatchFetch('http://worker.test/read')).json()).toEqual({ value: null, get: true });
  expect(await (await mf.dispatchFetch('http://worker.test/spy')).text()).toBe('ok');
  // The same method on every read still (made once while the target keeps it).
  expect(await (await mf.dispatchFetch('http://worker.test/read')).json()).toEqual({ value: 'spied', get: true });
});
