/**
 * Binding calls in real workerd (miniflare 4) whose spans the Worker records in a MemoryBackend
 * and shows at /dump (fixtures/worker-bindings.ts): D1 through a read-replication session, KV
 * bulk reads. Run with nodejs_compat and with no compatibility flag.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Dump {
  spans: { name: string; parent: string | null; attributes: Record<string, unknown> }[];
  hooks: string[];
  diagnostics: string[];
  dropped?: { attributes: Record<string, unknown>; value: number }[];
}

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
    expect(r2.map((s) => s.name)).toEqual(['R2 createMultipartUpload', 'R2 uploadPart', 'R2 uploadPart', 'R2 complete', 'R2 createMultipartUpload', 'R2 abort']);
    for (const s of r2) {
      expect(s.parent).toBe(body.server);
      expect(s.attributes).toMatchObject({ 'db.namespace': 'R2', 'db.operation.name': s.name.slice(3) });
    }
  });

  test('a KV bulk read (get([...keys])) answers a Map: not recorded as a hit when no key was found', async () => {
    const r = await mf.dispatchFetch('http://worker.test/kv-bulk');
    expect(await r.json()).toMatchObject({ none: true, meta: true });
    const { spans, hooks } = await dump();
    const reads = spans.filter((s) => s.name === 'KV get' || s.name === 'KV getWithMetadata');
    expect(reads).toHaveLength(2);
    for (const s of reads) expect(s.attributes['cloudflare.kv.hit']).toBeUndefined();
    expect(hooks.filter((h) => h === 'cache.hit')).toEqual([]);
  });

  test('an onBindingCall that throws leaves the call unchanged, and is counted and reported (it was swallowed without a word)', async () => {
    const r = await mf.dispatchFetch('http://worker.test/kv-list');
    expect(await r.json()).toMatchObject({ keys: [], list_complete: true });
    await mf.dispatchFetch('http://worker.test/kv-list'); // its export carries the first one's count
    const { spans, diagnostics, dropped } = await dump();
    expect(spans.filter((s) => s.name === 'KV list')).toHaveLength(2);
    expect(diagnostics.some((m) => m.includes('onBindingCall threw') && m.includes('hook bug'))).toBe(true);
    expect(dropped?.find((p) => p.attributes.reason === 'internal_error')?.value).toBeGreaterThanOrEqual(1);
  });
});
