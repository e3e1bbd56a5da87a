/**
 * End to end, in real workerd (miniflare 4): `instrument(handler, () => monitor)` with a monitor
 * from `createMonitor`, as the README's Hono section recommends on Workers. A monitor given to the
 * adapter keeps its own settings; the README says to give it the adapter's `batchWindowMs: 100` and
 * `metricExportIntervalMs: 10_000`, and with them metrics leave at most every 10 s.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { metricsOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

describe('workerd e2e: instrument() given a monitor made by createMonitor', () => {
  let srv: TestServer;
  let mf: Miniflare;
  const N = 5;

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('e2e-given-monitor.ts'), vars: { OTLP: srv.url } });
    // One after another, each within a few milliseconds of the previous one's end.
    for (let i = 0; i < N; i++) await (await mf.dispatchFetch('http://worker.test/')).text();
    await waitFor(() => metricsOf(srv).some((p) => p.metric === 'orders_total') || undefined);
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  it('metric deltas leave at most every 10 s: one metrics POST for requests made within a second, carrying the first change (the later ones wait for the interval)', () => {
    expect(srv.otlp().filter((r) => r.path === '/v1/metrics').length).toBe(1);
    expect(metricsOf(srv).filter((p) => p.metric === 'orders_total').reduce((a, p) => a + (p.value ?? 0), 0)).toBe(1);
  });
});
