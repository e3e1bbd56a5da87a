/**
 * Vectorize in workerd: the binding is the runtime's own (workerd's VectorizeIndexImpl, given by
 * miniflare's Vectorize plugin); only Cloudflare's vector service is replaced by a local Node
 * server behind miniflare's remote-proxy path. Each call gets a CLIENT span and
 * `db.client.operation.duration`; vectors, ids and metadata are never recorded.
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { json, startStandIn } from './helpers/stand-in.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

interface Dump {
  spans: { name: string; kind: number; parent: string | null; attributes: Record<string, unknown>; status: { code: number } }[];
  duration?: Record<string, unknown>[];
}

let mf: Miniflare;
let standIn: Awaited<ReturnType<typeof startStandIn>>;
const paths: string[] = [];
const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;

beforeAll(async () => {
  standIn = await startStandIn(({ path, body }, res) => {
    paths.push(path);
    const q = path === '/query' ? (JSON.parse(body) as { vector: number[] }) : undefined;
    if (q && q.vector.length !== 3) return json(res, 400, { code: 40012, error: 'query vector has 1 dimension, index has 3' });
    if (q) return json(res, 200, { count: 2, matches: [{ id: 'doc-secret-1', score: 0.99 }, { id: 'doc-2', score: 0.5 }] });
    if (path === '/upsert' || path === '/deleteByIds') return json(res, 200, { mutationId: 'm-1' });
    if (path === '/getByIds') return json(res, 200, [{ id: 'doc-secret-1', values: [0.1, 0.2, 0.3] }]);
    if (path === '/info') return json(res, 200, { dimensions: 3, vectorCount: 1 });
    return json(res, 404, { error: 'unknown' });
  });
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(fixture('worker-vectorize.ts')) }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    vectorize: { VECTORS: { index_name: 'docs', remoteProxyConnectionString: standIn.url } },
  } as never);
  await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
  await standIn?.close();
});

test('upsert, query, getByIds, describe and deleteByIds each get a CLIENT span under the SERVER span; a query has its match count; nothing of the vectors', async () => {
  const r = await mf.dispatchFetch('http://worker.test/rag');
  const body = (await r.json()) as { server: string; found: { count: number } };
  expect(body.found.count).toBe(2); // the binding's results are unchanged
  expect(paths).toEqual(expect.arrayContaining(['/upsert', '/query', '/getByIds', '/info', '/deleteByIds']));
  const { spans, duration } = await dump();
  const v = spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.vectorize');
  expect(v.map((s) => s.name)).toEqual(['upsert VECTORS', 'query VECTORS', 'getByIds VECTORS', 'describe VECTORS', 'deleteByIds VECTORS']);
  for (const s of v) {
    expect(s.kind).toBe(3);
    expect(s.parent).toBe(body.server);
    expect(s.attributes).toMatchObject({ 'db.namespace': 'VECTORS', 'db.operation.name': s.name.split(' ')[0] });
  }
  expect(v[1]!.attributes['db.response.returned_rows']).toBe(2);
  expect(JSON.stringify(spans)).not.toMatch(/doc-secret|alice|\[0\.1/);
  expect(duration).toEqual(expect.arrayContaining([{ 'db.system.name': 'cloudflare.vectorize', 'db.namespace': 'VECTORS', 'db.operation.name': 'query' }]));
});

test("a failing query: the binding's error reaches the Worker unchanged; the span has ERROR and error.type", async () => {
  const r = await mf.dispatchFetch('http://worker.test/fail');
  expect(((await r.json()) as { message: string }).message).toMatch(/VECTOR_QUERY_ERROR \(code = 40012\)/);
  const { spans } = await dump();
  const failed = spans.filter((s) => s.name === 'query VECTORS').at(-1)!;
  expect(failed.status.code).toBe(2);
  expect(failed.attributes['error.type']).toBe('Error');
});
