/**
 * A Durable Object calling its own `this.fetch()` inside an RPC method call, in real workerd
 * (miniflare 4): that is a function call within the object's running invocation, not a request
 * to the object. It must not open a second SERVER span in a trace of its own (counted again in
 * the HTTP server metrics), as the object calling its own RPC methods opens none.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Span {
  name: string;
  kind: number;
  trace: string;
  path: string | null;
  cls: string | null;
}
const SERVER = 2;

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, a Durable Object calling its own fetch, $name', ({ flags }) => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  const dumpUntil = async (done: (d: Span[]) => boolean): Promise<Span[]> => {
    for (let i = 0; ; i++) {
      const d = (await get('/dump')) as Span[];
      if (done(d)) return d;
      if (i > 200) throw new Error(`timed out: ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-do-self-fetch.ts'), vars: {}, extra: { durableObjects: { SELFIE: { className: 'SelfieDO', useSQLite: true } } } as never });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('this.fetch() inside an RPC method is part of that call: one SERVER span (the method\'s), none for the in-object fetch', async () => {
    expect(await get('/call?m=viaFetch')).toBe('fetched /inner');
    const spans = await dumpUntil((d) => d.some((s) => s.name === 'Selfie.viaFetch'));
    expect(spans.filter((s) => s.name === 'Selfie.viaFetch' && s.kind === SERVER)).toHaveLength(1);
    expect(spans.filter((s) => s.path === '/inner')).toEqual([]);
  });

  test.runIf(flags.length > 0)('after an await too (AsyncLocalStorage carries the invocation)', async () => {
    expect(await get('/call?m=viaFetchLater')).toBe('fetched /later');
    const spans = await dumpUntil((d) => d.some((s) => s.name === 'Selfie.viaFetchLater'));
    expect(spans.filter((s) => s.path === '/later')).toEqual([]);
  });

  test('control: a request to the object through its stub still gets its SERVER span', async () => {
    expect(await get('/call')).toBe('fetched /outer');
    const spans = await dumpUntil((d) => d.some((s) => s.path === '/outer' && s.cls === 'Selfie'));
    expect(spans.filter((s) => s.path === '/outer' && s.cls === 'Selfie' && s.kind === SERVER)).toHaveLength(1);
  });
});
