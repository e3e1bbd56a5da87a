/**
 * `faas.invoke_duration` (FaaS metrics conventions) in real workerd (miniflare 4): every non-HTTP
 * invocation the adapter traces (a cron run, a queue batch, a Durable Object alarm and RPC call)
 * gets a point with `faas.trigger`, and `error.type` when it failed; never a message id or a cron
 * time. Without it their failure rate and duration were in spans only, which sampling may drop.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Dump {
  points?: { attributes: Record<string, unknown>; count: number }[];
  spans: { name: string; attributes: Record<string, unknown> }[];
}

/** Reads /dump until `done` holds, every 50 ms for 10 s at most. */
async function until(mf: Miniflare, done: (d: Dump) => boolean): Promise<Dump> {
  let d: Dump | undefined;
  for (let i = 0; i < 200; i++) {
    d = (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
    if (done(d)) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  return d!;
}

/** The points summed by attribute set, keyed `trigger|error.type`. */
const byKey = (d: Dump): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of d.points ?? []) {
    const k = `${p.attributes['faas.trigger']}|${p.attributes['error.type'] ?? ''}`;
    out[k] = (out[k] ?? 0) + p.count;
  }
  return out;
};

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd faas.invoke_duration, $name', ({ flags }) => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-invoke-duration.ts'), vars: {}, extra: { durableObjects: { OBJ: 'ObjDO' } } });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('a cron run, a failing one, a queue batch, a DO alarm and two DO RPC calls (one throwing): one point each, faas.trigger and error.type only', async () => {
    const worker = await mf.getWorker();
    await worker.scheduled({ cron: '*/5 * * * *' });
    await worker.scheduled({ cron: '0 0 * * *' }).catch(() => undefined);
    await worker.queue('q1', [{ id: 'm1', timestamp: new Date(), body: 'x', attempts: 1 }, { id: 'm2', timestamp: new Date(), body: 'y', attempts: 1 }]);
    expect(await (await mf.dispatchFetch('http://worker.test/alarm')).text()).toBe('set');
    expect(await (await mf.dispatchFetch('http://worker.test/rpc')).text()).toBe('RangeError');
    const expected = { 'timer|': 2, 'timer|TypeError': 1, 'pubsub|': 1, 'other|': 1, 'other|RangeError': 1 };
    const d = await until(mf, (x) => JSON.stringify(byKey(x)) === JSON.stringify(expected) || Object.values(byKey(x)).reduce((a, b) => a + b, 0) >= 6);
    expect(byKey(d)).toEqual(expected);
    // Low cardinality: no attribute but these two on any point.
    for (const p of d.points ?? []) for (const k of Object.keys(p.attributes)) expect(['faas.trigger', 'error.type']).toContain(k);
    // The spans are there as before.
    expect(d.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['scheduled */5 * * * *', 'scheduled 0 0 * * *', 'process q1', 'Obj.alarm']));
  });
});
