/**
 * Workers Analytics Engine and rate limiting in workerd: the bindings are the runtime's own
 * (miniflare's analyticsEngineDatasets and ratelimits). Each `writeDataPoint` gets a CLIENT span
 * with the DB conventions and `db.client.operation.duration`, counting the point's blobs, doubles
 * and indexes; each `limit` a CLIENT span with its outcome. Neither records the user's values
 * (blobs, indexes, the rate limit key), and no other binding is taken for one of them.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Span {
  name: string;
  kind: number;
  parent: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}
interface Dump {
  spans: Span[];
  duration?: Record<string, unknown>[];
  calls: string[];
}

let mf: Miniflare;
const get = async <T>(path: string): Promise<T> => (await (await mf.dispatchFetch(`http://worker.test${path}`)).json()) as T;
const dump = (): Promise<Dump> => get<Dump>('/dump');

beforeAll(async () => {
  mf = new Miniflare({
    name: 'ae-rl',
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-analytics-ratelimit.ts')) }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    analyticsEngineDatasets: { EVENTS: { dataset: 'events' } },
    ratelimits: { LIMITER: { simple: { limit: 2, period: 60 } } },
    kvNamespaces: ['KV'],
    d1Databases: ['DB'],
    serviceBindings: { SVC: { name: 'ae-rl', entrypoint: 'Api' } },
    durableObjects: { OBJ: 'Obj' },
    bindings: { CONFIG: { limit: 10, period: 60 }, POINT: { writeDataPoint: true } }, // JSON vars naming a `limit`, a `writeDataPoint`
  } as never);
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
});

test('writeDataPoint: a CLIENT span under the SERVER span, DB conventions, counts of blobs, doubles and indexes, never their values', async () => {
  const body = await get<{ server: string; written: boolean; bare: boolean }>('/write');
  expect(body).toMatchObject({ written: true, bare: true }); // the runtime's undefined, unchanged
  const { spans, duration, calls } = await dump();
  const writes = spans.filter((s) => s.name === 'writeDataPoint EVENTS');
  expect(writes).toHaveLength(2);
  for (const s of writes) {
    expect(s.kind).toBe(3);
    expect(s.parent).toBe(body.server);
    expect(s.status.code).not.toBe(2);
  }
  expect(writes[0]!.attributes).toEqual({
    'db.system.name': 'cloudflare.analytics_engine',
    'db.operation.name': 'writeDataPoint',
    'db.namespace': 'EVENTS',
    'cloudflare.analytics_engine.blobs': 2,
    'cloudflare.analytics_engine.doubles': 1,
    'cloudflare.analytics_engine.indexes': 1,
  });
  // A point without arrays: no counts.
  expect(writes[1]!.attributes).toEqual({ 'db.system.name': 'cloudflare.analytics_engine', 'db.operation.name': 'writeDataPoint', 'db.namespace': 'EVENTS' });
  expect(JSON.stringify(spans)).not.toMatch(/secret|alice|4\.25/);
  expect(duration).toEqual(expect.arrayContaining([{ 'db.system.name': 'cloudflare.analytics_engine', 'db.namespace': 'EVENTS', 'db.operation.name': 'writeDataPoint' }]));
  expect(calls.filter((c) => c.startsWith('analytics_engine'))).toEqual(['analytics_engine EVENTS writeDataPoint', 'analytics_engine EVENTS writeDataPoint']);
});

test("writeDataPoint with a point whose getter throws: the monitor's counting does not throw where the runtime would not", async () => {
  const body = await get<{ server: string; written?: boolean }>('/write-getter');
  expect(body).toEqual({ server: body.server, written: true });
  const { spans } = await dump();
  const last = spans.filter((s) => s.name === 'writeDataPoint EVENTS').at(-1)!;
  expect(last.parent).toBe(body.server);
  expect(last.attributes['cloudflare.analytics_engine.blobs']).toBeUndefined();
});

test('a JSON var with a `writeDataPoint` key is not a dataset: it is handed out as it is, and clones', async () => {
  expect(await get('/var')).toEqual({ cloned: { writeDataPoint: true } });
});

test('limit: a CLIENT span under the SERVER span with the outcome, true then false past the limit; never the key; not a DB metric', async () => {
  const body = await get<{ server: string; outcomes: boolean[] }>('/limit');
  expect(body.outcomes).toEqual([true, true, false]); // the runtime's answers, unchanged (limit: 2)
  const { spans, duration, calls } = await dump();
  const limits = spans.filter((s) => s.name === 'limit LIMITER');
  expect(limits.map((s) => s.attributes['cloudflare.rate_limit.success'])).toEqual([true, true, false]);
  for (const s of limits) {
    expect(s.kind).toBe(3);
    expect(s.parent).toBe(body.server);
    expect(s.status.code).not.toBe(2);
    expect(s.attributes).toEqual({ 'cloudflare.rate_limit.name': 'LIMITER', 'cloudflare.rate_limit.success': s.attributes['cloudflare.rate_limit.success'] });
  }
  expect(JSON.stringify(spans)).not.toMatch(/user-secret/);
  expect(JSON.stringify(duration ?? [])).not.toMatch(/LIMITER/);
  expect(calls.filter((c) => c.startsWith('rate_limit'))).toEqual(['rate_limit LIMITER limit', 'rate_limit LIMITER limit', 'rate_limit LIMITER limit']);
});

test("limit() with a bad argument: the runtime's rejection reaches the Worker unchanged; the span has ERROR and error.type", async () => {
  const body = await get<{ server: string; name: string; message: string }>('/limit-bad');
  expect(body).toMatchObject({ name: 'Error', message: 'invalid rate limit options' });
  const { spans, calls } = await dump();
  const failed = spans.filter((s) => s.name === 'limit LIMITER').at(-1)!;
  expect(failed.parent).toBe(body.server);
  expect(failed.status.code).toBe(2);
  expect(failed.attributes['error.type']).toBe('Error');
  expect(failed.attributes['cloudflare.rate_limit.success']).toBeUndefined();
  expect(calls.at(-1)).toBe('rate_limit LIMITER limit error');
});

test('no other binding is taken for Analytics Engine or a rate limiter, not even RPC callees with methods of those names', async () => {
  expect(await get('/detect')).toEqual({
    EVENTS: 'analytics_engine',
    LIMITER: 'rate_limit',
    KV: 'kv',
    DB: 'd1',
    SVC: 'service',
    OBJ: 'durable_object',
    CONFIG: null,
    POINT: null,
    OBJ_STUB: expect.not.stringMatching(/analytics_engine|rate_limit/),
  });
  const before = (await dump()).calls.length;
  const body = await get<{ server: string; svc: string[]; obj: string }>('/others');
  expect(body).toMatchObject({ svc: ['api limit', 'api write'], obj: 'obj limit' });
  const { spans, calls } = await dump();
  // A service binding's fetch is traced by the fetch instrumentation, which has no onBindingCall event.
  expect(calls.slice(before)).toEqual(['kv KV get', 'd1 DB first', 'service SVC limit', 'service SVC writeDataPoint', 'durable_object OBJ limit']);
  expect(spans.filter((s) => s.parent === body.server).map((s) => s.name)).toEqual(['get KV', 'SELECT DB', 'GET', 'SVC.limit', 'SVC.writeDataPoint', 'OBJ.limit']);
});
