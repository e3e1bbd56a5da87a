/**
 * An instrumented Worker serving `/metrics` through Hono's `mountMonitoring`, in real workerd
 * over real HTTP: a scraper asking for gzip gets the exposition gzipped exactly once, and a client
 * that asks for none gets it as it is, though Cloudflare (and miniflare) tell the Worker
 * `Accept-Encoding: br, gzip` whatever the client sent.
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

/** A GET over real HTTP with exactly these headers (node:http adds no Accept-Encoding of its own). */
function get(path: string, headers: Record<string, string>): Promise<{ status?: number; headers: Record<string, unknown>; body: Buffer }> {
  return mf.ready.then(
    (base) =>
      new Promise((resolve, reject) => {
        const req = request(new URL(path, base), { headers }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      }),
  );
}

test('a client that sends no Accept-Encoding (curl without --compressed) gets the text, not gzip bytes', async () => {
  const text = await get('/metrics', { accept: 'text/plain' });
  expect([text.status, text.headers['content-encoding']]).toEqual([200, undefined]);
  expect(text.body.toString('utf8')).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{queue="q"} 5\n');
  const om = await get('/metrics', { accept: 'application/openmetrics-text; version=1.0.0' });
  expect([om.status, om.headers['content-encoding']]).toEqual([200, undefined]);
  expect(om.body.toString('utf8')).toMatch(/^# TYPE jobs counter\n[\s\S]*jobs_total\{queue="q"\} 5\n# EOF\n$/);
});

test('a client whose Accept-Encoding refuses gzip gets the text', async () => {
  const res = await get('/metrics', { accept: 'text/plain', 'accept-encoding': 'gzip;q=0, identity' });
  expect([res.status, res.headers['content-encoding']]).toEqual([200, undefined]);
  expect(res.body.toString('utf8')).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{queue="q"} 5\n');
});
