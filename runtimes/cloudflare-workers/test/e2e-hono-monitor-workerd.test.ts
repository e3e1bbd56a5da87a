/**
 * End to end, in real workerd (miniflare 4): a Hono app under `instrument()` whose middleware is
 * given the same options function as the adapter (`app.use(monitorMiddleware(config))`,
 * `export default instrument(app, config)`), exporting OTLP to a local receiver decoded by
 * protobufjs. README (Hono): "A handler reaches the monitor with `c.get(MONITOR_KEY)`"; under an
 * adapter "the middleware names the adapter's server span". What the handler records through
 * that monitor must reach the collector like what it records through the invocation's telemetry,
 * and an option instrument() takes in that function must not turn the middleware off.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { logsOf, metricsOf, spansOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

describe('workerd e2e: Hono middleware and instrument() given one options function', () => {
  let srv: TestServer;
  let mf: Miniflare;
  const get = async (path: string): Promise<string> => (await mf.dispatchFetch(`http://worker.test${path}`)).text();

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('e2e-hono-config.ts'), vars: { OTLP: srv.url } });
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  it('records through getRequestTelemetry(ctx).monitor reach the collector, log correlated to the route span (control)', async () => {
    expect(await get('/via-telemetry/7')).toBe('ok');
    const log = await waitFor(() => logsOf(srv).find((l) => l.body === 'via telemetry'));
    const server = await waitFor(() => spansOf(srv).find((s) => s.name === 'GET /via-telemetry/:id'));
    expect([log.traceId, log.spanId]).toEqual([server.traceId, server.spanId]);
    await waitFor(() => metricsOf(srv).find((p) => p.metric === 'via_telemetry_total'));
  });

  // Two monitors are built from the one function: the adapter's (src/../isolate.ts resolve())
  // and the middleware's (src/adapter/monitor-from-config.ts, a cache of its own), and
  // c.get(MONITOR_KEY) is the middleware's, which no invocation ever flushes.
  it('c.get(MONITOR_KEY) is the adapter\'s monitor', async () => {
    expect(JSON.parse(await get('/same'))).toEqual({ same: true });
  });

  it('a counter and a log recorded through c.get(MONITOR_KEY) reach the collector', async () => {
    expect(await get('/via-context/8')).toBe('ok');
    // Another request after it, so a later export would carry anything left behind.
    expect(await get('/via-telemetry/9')).toBe('ok');
    await waitFor(() => logsOf(srv).find((l) => l.body === 'via telemetry' && l.attributes.id === '9'));
    await waitFor(() => spansOf(srv).find((s) => s.attributes['url.path'] === '/via-telemetry/9'));
    await new Promise((r) => setTimeout(r, 300));
    expect(logsOf(srv).find((l) => l.body === 'via context')).toBeDefined();
    expect(metricsOf(srv).find((p) => p.metric === 'via_context_total')).toBeDefined();
  });
});

describe('workerd e2e: the one options function holds an adapter option (captureHeaders)', () => {
  let srv: TestServer;
  let mf: Miniflare;

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('e2e-hono-config-headers.ts'), vars: { OTLP: srv.url } });
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  it('instrument() takes it: the header is captured on the SERVER span', async () => {
    await (await mf.dispatchFetch('http://worker.test/items/1', { headers: { 'x-tenant': 'acme' } })).text();
    const s = await waitFor(() => spansOf(srv).find((x) => x.attributes['url.path'] === '/items/1'));
    expect(s.attributes['http.request.header.x-tenant']).toEqual(['acme']);
  });

  // The middleware builds a monitor of its own from the function's result, createMonitor throws
  // "unknown option `captureHeaders`" at the first request (printed once), and the middleware
  // then runs uninstrumented for good: no request is named by its route any more.
  it('Hono still names the span and http.route by the matched route', async () => {
    await (await mf.dispatchFetch('http://worker.test/items/2')).text();
    const s = await waitFor(() => spansOf(srv).find((x) => x.attributes['url.path'] === '/items/2'));
    expect([s.name, s.attributes['http.route']]).toEqual(['GET /items/:id', '/items/:id']);
  });
});
