/**
 * Binding calls in real workerd (miniflare 4) whose spans the Worker records in a MemoryBackend
 * and shows at /dump (fixtures/worker-bindings.ts): D1 through a read-replication session, KV
 * bulk reads. Run with nodejs_compat and with no compatibility flag.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Dump {
  spans: { name: string; parent: string | null; attributes: Record<string, unknown>; ms: number }[];
  hooks: string[];
  diagnostics: string[];
  dropped?: { attributes: Record<string, unknown>; value: number }[];
  duration?: { name: string; type: string; unit: string; points: { attributes: Record<string, string>; count: number; sum: number; bounds: number[] }[] };
}

/** Each series of `db.client.operation.duration` by its attributes, with its count. */
const counts = (d: Dump['duration']): Map<string, number> => new Map(d?.points.map((p) => [JSON.stringify(p.attributes), p.count]));

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd bindings, $name', ({ flags }) => {
  let mf: Miniflare;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-bindings.ts'), vars: {} });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('D1 statements run through withSession() get their CLIENT spans and sql hook events (they had none)', async () => {
    const r = await mf.dispatchFetch('http://worker.test/d1-session');
    const body = (await r.json()) as { row: { x: number }; server: string };
    expect(body.row).toEqual({ x: 7 });
    const { spans, hooks } = await dump();
    const d1 = spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.d1');
    expect(d1.map((s) => s.name).sort()).toEqual(['BATCH SELECT DB', 'SELECT DB']);
    const select = d1.find((s) => s.name === 'SELECT DB')!;
    expect(select.attributes['db.query.text']).toBe('SELECT ? AS x');
    // A batch of different statements: each one's text, joined (DB conventions); never the bound 2.
    expect(d1.find((s) => s.name === 'BATCH SELECT DB')!.attributes).toMatchObject({ 'db.query.text': 'SELECT ?; SELECT ? AS y', 'db.operation.batch.size': 2 });
    expect(select.parent).toBe(body.server); // before the first await: a child in every mode
    expect(hooks.filter((h) => h === 'sql.query')).toHaveLength(2);
  });

  test('an R2 multipart upload, created or resumed: each call gets its CLIENT span (they ran untraced)', async () => {
    const r = await mf.dispatchFetch('http://worker.test/r2-multipart');
    const body = (await r.json()) as { size: number; server: string };
    expect(body.size).toBe(5 * 1024 * 1024 + 4); // the upload itself is unchanged
    const { spans } = await dump();
    const r2 = spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.r2');
    expect(r2.map((s) => s.name)).toEqual(['createMultipartUpload R2', 'uploadPart R2', 'uploadPart R2', 'complete R2', 'createMultipartUpload R2', 'abort R2']);
    for (const s of r2) {
      expect(s.parent).toBe(body.server);
      expect(s.attributes).toMatchObject({ 'db.namespace': 'R2', 'db.operation.name': s.name.slice(0, -3) });
    }
  });

  test('a KV bulk read (get([...keys])) answers a Map: not recorded as a hit when no key was found', async () => {
    const r = await mf.dispatchFetch('http://worker.test/kv-bulk');
    expect(await r.json()).toMatchObject({ none: true, meta: true });
    const { spans, hooks } = await dump();
    const reads = spans.filter((s) => s.name === 'get KV' || s.name === 'getWithMetadata KV');
    expect(reads).toHaveLength(2);
    for (const s of reads) expect(s.attributes['cloudflare.kv.hit']).toBeUndefined();
    expect(hooks.filter((h) => h === 'cache.hit')).toEqual([]);
  });

  test('an onBindingCall that throws leaves the call unchanged, and is counted and reported (it was swallowed without a word)', async () => {
    const r = await mf.dispatchFetch('http://worker.test/kv-list');
    expect(await r.json()).toMatchObject({ keys: [], list_complete: true });
    await mf.dispatchFetch('http://worker.test/kv-list'); // its export carries the first one's count
    const { spans, diagnostics, dropped } = await dump();
    expect(spans.filter((s) => s.name === 'list KV')).toHaveLength(2);
    expect(diagnostics.some((m) => m.includes('onBindingCall threw') && m.includes('hook bug'))).toBe(true);
    expect(dropped?.find((p) => p.attributes.reason === 'internal_error')?.value).toBeGreaterThanOrEqual(1);
  });

  test('KV, D1 and R2 calls are timed in db.client.operation.duration (database metric conventions), error.type on a failed call (none was recorded)', async () => {
    const before = counts((await dump()).duration); // cumulative: what earlier tests recorded is subtracted
    const r = await mf.dispatchFetch('http://worker.test/db-calls');
    expect(await r.json()).toEqual({ value: 'v', failed: true, row: { one: 1 } });
    const { duration, spans } = await dump();
    expect(duration).toMatchObject({ name: 'db.client.operation.duration', type: 'histogram', unit: 's' });
    for (const p of duration!.points) expect(p.bounds).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
    const added = [...counts(duration)]
      .map(([k, n]) => [JSON.parse(k) as Record<string, string>, n - (before.get(k) ?? 0)] as const)
      .filter(([, n]) => n > 0);
    // Low-cardinality attributes only: never the key, the SQL text or an id.
    expect(added).toEqual(
      expect.arrayContaining([
        [{ 'db.system.name': 'cloudflare.kv', 'db.namespace': 'KV', 'db.operation.name': 'put' }, 1],
        [{ 'db.system.name': 'cloudflare.kv', 'db.namespace': 'KV', 'db.operation.name': 'get' }, 1],
        [{ 'db.system.name': 'cloudflare.kv', 'db.namespace': 'KV', 'db.operation.name': 'get', 'error.type': 'Error' }, 1],
        [{ 'db.system.name': 'cloudflare.d1', 'db.namespace': 'DB', 'db.operation.name': 'SELECT' }, 1],
        [{ 'db.system.name': 'cloudflare.r2', 'db.namespace': 'R2', 'db.operation.name': 'put' }, 1],
        [{ 'db.system.name': 'cloudflare.r2', 'db.namespace': 'R2', 'db.operation.name': 'get' }, 1],
      ]),
    );
    expect(added).toHaveLength(6);
    // Timed by the span's own start and end: the failed get's one observation is its span's duration.
    const failedSpans = spans.filter((s) => s.name === 'get KV' && s.attributes['error.type'] === 'Error');
    expect(failedSpans).toHaveLength(1);
    expect(duration!.points.find((p) => p.attributes['error.type'])!.sum).toBe(failedSpans[0]!.ms / 1000);
  });
});
