/**
 * In workerd, a health check that times out aborts its fetch with a TimeoutError (a DOMException
 * workerd's fetch rejects with), so its traced CLIENT span and http.client.request.duration record
 * error.type TimeoutError, as on Node (src/health/timeout-reason.test.ts).
 */
import type { Miniflare } from 'miniflare';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatus } from '../../src/model/span-data.js';
import { startWorker } from '../../runtimes/cloudflare-workers/test/helpers/workerd.js';

describe('workerd: a health check that times out', () => {
  let mf: Miniflare;
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    mf = await startWorker({ flags: [], vars: {}, entry: fileURLToPath(new URL('./fixtures/timeout-reason-worker.ts', import.meta.url)) });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    server.closeAllConnections();
    server.close();
  });

  it('is unhealthy, and its traced fetch has status ERROR and error.type TimeoutError', async () => {
    const res = await mf.dispatchFetch(`http://worker.test/?target=${encodeURIComponent(target)}`);
    const body = (await res.json()) as { result: { status: string; error: string }; spans: [number, string | null][]; points: (string | null)[] };
    expect(body.result).toMatchObject({ status: 'unhealthy', error: 'timed out after 0.2 s' });
    expect(body.spans).toEqual([[SpanStatus.ERROR, 'TimeoutError']]);
    expect(body.points).toEqual(['TimeoutError']);
  });
});
