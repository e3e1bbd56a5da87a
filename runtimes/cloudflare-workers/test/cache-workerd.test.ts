/**
 * The Workers Cache API in real workerd (miniflare 4): `caches.default` and `caches.open()`
 * caches get CLIENT spans, cache hook events and onBindingCall events during an instrumented
 * invocation, and nothing outside one (fixtures/worker-cache.ts). Run with nodejs_compat and
 * with no compatibility flag.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Dump {
  spans: { name: string; kind: number; parent: string | null; attributes: Record<string, unknown> }[];
  hooks: string[];
  calls: string[];
}

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd Cache API, $name', ({ flags }) => {
  let mf: Miniflare;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  const cacheSpans = (d: Dump): Dump['spans'] => d.spans.filter((s) => s.name.startsWith('cache '));
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-cache.ts'), vars: {} });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('match (miss), put, match (hit), delete on caches.default and match on caches.open("pages") get CLIENT spans under the server span, hook and onBindingCall events (they had none)', async () => {
    const r = await mf.dispatchFetch('http://worker.test/cache');
    const body = (await r.json()) as { miss: boolean; hit: string; deleted: boolean; other: boolean; server: string };
    expect(body).toMatchObject({ miss: true, hit: 'cached', deleted: true, other: true }); // the cache itself is unchanged
    const d = await dump();
    const spans = cacheSpans(d);
    expect(spans.map((s) => `${s.name} ${s.attributes['cache.name']}`)).toEqual(['cache match default', 'cache put default', 'cache match default', 'cache delete default', 'cache match pages']);
    for (const s of spans) {
      expect(s.kind).toBe(3); // CLIENT
      expect(s.parent).toBe(body.server);
      // The key's URL as the fetch instrumentation records url.full: secrets in the query masked.
      expect(s.attributes['url.full']).toBe('https://cache.test/page?token=REDACTED&x=1');
    }
    expect(spans.map((s) => s.attributes['cache.hit'])).toEqual([false, undefined, true, undefined, false]);
    expect(d.hooks).toEqual(['cache.miss default', 'cache.set default', 'cache.hit default', 'cache.delete default', 'cache.miss pages']);
    expect(d.calls).toEqual(['cache default match false', 'cache default put', 'cache default match true', 'cache default delete', 'cache pages match false']);
  });

  test('the Cache API outside an instrumented invocation, after the patch: untraced, no events, answers unchanged (the Cache API was not patched)', async () => {
    const before = await dump(); // an instrumented invocation: the Cache API is patched by now
    const r = await mf.dispatchFetch('http://worker.test/plain');
    expect(await r.json()).toEqual({ body: 'cached', patched: true });
    const after = await dump();
    expect(cacheSpans(after)).toHaveLength(cacheSpans(before).length);
    expect(after.hooks).toEqual(before.hooks);
    expect(after.calls).toEqual(before.calls);
  });
});
