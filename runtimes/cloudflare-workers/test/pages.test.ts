/**
 * Pages Functions with `pagesMiddleware`: the fixture's functions/ folder is compiled by the real
 * `wrangler pages functions build` (Pages' own router) and run in workerd through miniflare,
 * exporting OTLP/protobuf to a local receiver decoded from the official protos.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { logsOf, metricsOf, spansOf, waitFor } from './helpers/telemetry.js';

const SERVER = 2;
const CLIENT = 3;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const site = fileURLToPath(new URL('./fixtures/pages', import.meta.url));

describe('workerd, Pages Functions with pagesMiddleware (built by wrangler)', () => {
  let srv: TestServer;
  let mf: Miniflare;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'pages-fn-'));
    await promisify(execFile)(join(root, 'node_modules/.bin/wrangler'), ['pages', 'functions', 'build', '--outdir', out], {
      cwd: site,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'error' },
    });
    srv = await startTestServer();
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'index.js', contents: readFileSync(join(out, 'index.js'), 'utf8') }],
      compatibilityDate: '2026-04-01',
      compatibilityFlags: ['nodejs_compat'],
      bindings: { ECHO_URL: srv.url, OTEL_EXPORTER_OTLP_ENDPOINT: srv.url },
      // Static assets: what Pages serves when no Function answers.
      serviceBindings: { ASSETS: () => new Response('no such page', { status: 404 }) },
    });
    await mf.ready;
  }, 120_000);
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('a Function behind the middleware: SERVER span continuing traceparent, child span, traced fetch, log and metrics', async () => {
    const traceId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
    const res = await mf.dispatchFetch('http://site.test/api/users/7', { headers: { traceparent: `00-${traceId}-00000000000000aa-01`, 'cf-connecting-ip': '2001:db8::7' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; traceparent: string; server: string };
    expect(body.id).toBe('7');
    const spans = await waitFor(() => {
      const s = spansOf(srv).filter((x) => x.traceId === traceId);
      return s.length >= 3 && s;
    });
    const server = spans.find((s) => s.kind === SERVER)!;
    expect(server.parentSpanId).toBe('00000000000000aa');
    expect(server.spanId).toBe(body.server);
    expect(server.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/api/users/7', 'http.response.status_code': 200, 'client.address': '2001:db8::7' });
    expect(server.resource['service.name']).toBe('pages-site');
    // workerd (nodejs_compat gives it a process that names a Node version) is no Node: webjs, no process.runtime.*.
    expect([server.resource['telemetry.sdk.language'], server.resource['process.runtime.name']]).toEqual(['webjs', undefined]);
    const child = spans.find((s) => s.name === 'load-user')!;
    expect(child.parentSpanId).toBe(server.spanId);
    const client = spans.find((s) => s.kind === CLIENT)!;
    expect(client.parentSpanId).toBe(child.spanId);
    // The outgoing request carried the CLIENT span's context.
    expect(body.traceparent).toBe(`00-${traceId}-${client.spanId}-01`);
    const log = await waitFor(() => logsOf(srv).find((l) => l.body === 'loading user'));
    expect(log.traceId).toBe(traceId);
    expect(log.attributes.userId).toBe('7');
    const point = await waitFor(() => metricsOf(srv).find((p) => p.metric === 'http.server.request.duration' && p.attributes['http.response.status_code'] === 200));
    expect(point.attributes['http.request.method']).toBe('GET');
    expect(point.count).toBeGreaterThanOrEqual(1);
  });

  test('a request no Function answers (static assets) and a Function that throws', async () => {
    const missing = await mf.dispatchFetch('http://site.test/nowhere');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no such page');
    const boom = await mf.dispatchFetch('http://site.test/boom');
    expect(boom.status).toBe(500);
    await boom.arrayBuffer();
    const spans = await waitFor(() => {
      const s = spansOf(srv).filter((x) => x.kind === SERVER && (x.attributes['url.path'] === '/nowhere' || x.attributes['url.path'] === '/boom'));
      return s.length >= 2 && s;
    });
    expect(spans.find((s) => s.attributes['url.path'] === '/nowhere')!.attributes['http.response.status_code']).toBe(404);
    const failed = spans.find((s) => s.attributes['url.path'] === '/boom')!;
    expect(failed.status?.code).toBe(2);
    expect(failed.events?.some((e) => e.name === 'exception')).toBe(true);
  });
});
