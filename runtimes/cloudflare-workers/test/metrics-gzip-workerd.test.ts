/**
 * An instrumented Worker serving `/metrics` through Hono's `mountMonitoring`, in real workerd
 * over real HTTP: a scraper asking for gzip gets the exposition gzipped exactly once.
 */
import type { Miniflare } from 'miniflare';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

let mf: Miniflare;
beforeAll(async () => {
  mf = await startWorker({ flags: [], entry: fixture('worker-metrics.ts'), vars: {} });
});
afterAll(async () => {
  await mf?.dispose();
});

test('gzip: /metrics of an instrumented Worker (waitForBody) decodes to the exposition', async () => {
  const url = new URL('/metrics', await mf.ready);
  const raw = await new Promise<{ status?: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'gzip', accept: 'text/plain' } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  // Miniflare, like Cloudflare's edge, gzips a plain text answer itself: the Vary shows it is ours.
  expect([raw.status, raw.headers['content-encoding'], raw.headers.vary]).toEqual([200, 'gzip', 'Accept, Accept-Encoding']);
  const text = await new Response(new Blob([new Uint8Array(raw.body)]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  expect(text).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{queue="q"} 5\n');
});
