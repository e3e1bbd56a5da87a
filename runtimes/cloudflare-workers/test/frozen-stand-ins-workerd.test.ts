/**
 * Frozen binding stand-ins in real workerd (miniflare 4): Workers AI, Vectorize, Analytics
 * Engine, Rate Limiting, D1 and a Durable Object's storage. Their read-only methods must be
 * answered as they are (a Proxy answering another value throws), so their calls go untraced:
 * each such method is counted in lexigram_monitor_dropped_total and reported, as KV's, R2's,
 * a Queue's and a service binding's are.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Dump {
  diagnostics: string[];
  dropped: { attributes: Record<string, unknown>; value: number }[];
  spans: { name: string; kind: number }[];
}

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, frozen binding stand-ins, $name', ({ flags }) => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  const dumpUntil = async (b: string, done: (d: Dump) => boolean): Promise<Dump> => {
    for (let i = 0; ; i++) {
      const d = (await get(`/dump?b=${b}`)) as Dump;
      if (done(d)) return d;
      if (i > 200) throw new Error(`timed out: ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-frozen-stand-ins.ts'), vars: {}, extra: { name: 'main', serviceBindings: { LOCKED: { name: 'main', entrypoint: 'LockedEntry' } } } as never });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test.each([
    { b: 'AI', answer: { response: 'hi from @cf/meta/llama' } },
    { b: 'VEC', answer: { matches: [{ id: 'a' }] } },
    { b: 'AE', answer: 'written' },
    { b: 'RL', answer: { success: true } },
    { b: 'DB', answer: { one: 1 } },
    { b: 'DOS', answer: ['v:k', 'rows of SELECT 1'] },
    { b: 'STATE', answer: ['v:k', 'rows of SELECT 1'] },
    { b: 'ENV', answer: 'kv:k' },
  ])('a frozen $b stand-in answers as it is, and its untraced calls are counted as dropped and reported (they were lost without a count)', async ({ b, answer }) => {
    expect(await get(`/frozen?b=${b}`)).toEqual(answer);
    // The request's own span has left: its export carried the metrics of that request.
    const d = await dumpUntil(b, (x) => x.spans.some((s) => s.kind === 2));
    expect(d.spans.filter((s) => s.kind === 3)).toEqual([]); // no CLIENT span: the calls were the stand-in's own
    const dropped = d.dropped.filter((p) => p.attributes.reason === 'internal_error').reduce((n, p) => n + p.value, 0);
    expect(dropped).toBeGreaterThanOrEqual(1);
    expect(d.diagnostics.filter((m) => m.includes('frozen'))).toHaveLength(1);
  });

  test('a WorkerEntrypoint whose constructor freezes it: its fetch and RPC methods answer as without the monitor (fetch threw a TypeError into every request) and are traced', async () => {
    expect(await get('/locked')).toEqual({ fetch: 'locked /x', hello: 'hello' });
    const d = await dumpUntil('EP', (x) => x.spans.some((s) => s.name === 'Locked.hello') && x.spans.some((s) => s.name === 'GET'));
    expect(d.spans.filter((s) => s.kind === 2).map((s) => s.name).sort()).toEqual(['GET', 'Locked.hello']);
  });
});
