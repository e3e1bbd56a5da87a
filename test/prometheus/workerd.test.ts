/**
 * The exporters bundle for the browser platform (no `node:` anything) and run in workerd:
 * `/metrics` with bearer auth (crypto.subtle) and negotiation, and a Pushgateway push via fetch.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './processes.js';
import { SCOPE_LABELS } from './fixtures.js';

const WORKER = `
import { metricsHandler } from './src/exporters/prometheus/index.ts';
import { PushgatewayBackend } from './src/exporters/pushgateway/index.ts';
const snapshot = () => ({ temporality: 'cumulative', time: Date.now(), metrics: [
  { type: 'counter', name: 'worker.requests', help: 'Requests', unit: '{request}', temporality: 'cumulative',
    points: [{ attributes: { colo: 'AMS' }, value: 5, startTime: 0, time: 0 }] } ] });
import { VERSION } from './src/version.ts';
const monitor = { metrics: { collect: snapshot }, resource: { attributes: { 'service.name': 'edge', 'cloud.region': 'ams' } }, instrumentationScope: { name: '@lexigram/monitor', version: VERSION } };
const metrics = metricsHandler(monitor, { auth: { bearerToken: 'tok' } });
const open = metricsHandler(monitor, { path: '/open' });
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/push') {
      const push = new PushgatewayBackend({ url: env.GATEWAY, job: 'worker', groupingKey: { path: '/a/b' } });
      const r = await push.export({ resource: { attributes: {} }, scope: { name: 'w' }, spans: [], logs: [], metrics: snapshot() });
      return Response.json(r);
    }
    return (await metrics(request)) ?? (await open(request)) ?? new Response('nope', { status: 404 });
  },
};`;

describe('workerd (miniflare, no compatibility flags)', () => {
  let mf: Miniflare | undefined;
  let url: URL;
  let gateway: Server | undefined;
  const received: { url: string; method: string; body: string }[] = [];

  beforeAll(async () => {
    const port = await freePort();
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ url: req.url ?? '', method: req.method ?? '', body });
        res.end();
      });
    });
    await new Promise<void>((r) => gateway!.listen(port, '127.0.0.1', r));
    const out = await build({
      stdin: { contents: WORKER, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    const contents = out.outputFiles[0]!.text;
    // Node's Buffer, not the Web's ArrayBuffer.
    expect(contents).not.toMatch(/node:|process\.|(?<!Array)Buffer/);
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
      compatibilityDate: '2026-04-01',
      bindings: { GATEWAY: `http://127.0.0.1:${port}` },
    });
    url = await mf.ready;
  }, 30_000);

  afterAll(async () => {
    await mf?.dispose();
    await new Promise((r) => (gateway ? gateway.close(r) : r(undefined)));
  });

  it('PT-10, OM-01: /metrics with bearer auth and OpenMetrics negotiation runs in workerd', async () => {
    const denied = await mf!.dispatchFetch('http://w/metrics');
    expect(denied.status).toBe(401);
    await denied.text();
    const res = await mf!.dispatchFetch('http://w/metrics', { headers: { authorization: 'Bearer tok', accept: 'application/openmetrics-text;version=1.0.0' } });
    expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores');
    expect(await res.text()).toBe(
      '# TYPE target info\n# HELP target Target metadata\ntarget_info{service_name="edge",cloud_region="ams"} 1\n' +
        `# TYPE worker_requests counter\n# HELP worker_requests Requests\nworker_requests_total{colo="AMS",${SCOPE_LABELS}} 5\n# EOF\n`,
    );
  });

  it('gzip: the render goes gzipped once (encodeBody manual), and the bytes on the wire decode to it', async () => {
    const plain =
      '# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name="edge",cloud_region="ams"} 1\n' +
      `# HELP worker_requests_total Requests\n# TYPE worker_requests_total counter\nworker_requests_total{colo="AMS",${SCOPE_LABELS}} 5\n`;
    // Like Cloudflare's edge, miniflare hands the Worker `Accept-Encoding: br, gzip`; its fetch decodes one layer.
    expect(await (await mf!.dispatchFetch('http://w/open', { headers: { 'accept-encoding': 'gzip' } })).text()).toBe(plain);
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(new URL('/open', url), { headers: { 'accept-encoding': 'gzip' } }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    // Miniflare, like Cloudflare's edge, gzips a plain text answer itself: the Vary shows it is ours.
    expect([raw.headers['content-encoding'], raw.headers.vary]).toEqual(['gzip', 'Accept, Accept-Encoding']);
    const decoded = new Response(new Blob([new Uint8Array(raw.body)]).stream().pipeThrough(new DecompressionStream('gzip')));
    expect(await decoded.text()).toBe(plain);
  });

  it('PG-02, PG-09: PushgatewayBackend pushes from workerd through fetch', async () => {
    const res = await mf!.dispatchFetch('http://w/push');
    expect(await res.json()).toEqual({ ok: true });
    expect(received).toEqual([
      { url: '/metrics/job/worker/path@base64/L2EvYg', method: 'PUT', body: '# HELP worker_requests_total Requests\n# TYPE worker_requests_total counter\nworker_requests_total{colo="AMS"} 5\n' },
    ]);
  });
});
