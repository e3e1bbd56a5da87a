/**
 * A real Prometheus server (Debian 2.42) scrapes `metricsHandler` over HTTP with its own default
 * Accept header, then its query API must return the values we rendered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES, metricsHandler, negotiateFormat } from '../../src/exporters/prometheus/index.js';
import { awkwardSnapshot, histogram, snapshot, source } from './fixtures.js';
import { freePort, poll, queryPrometheus, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve, type WebHandler } from './serve.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function scraped() {
  const base = awkwardSnapshot();
  return snapshot(
    ...base.metrics,
    // 10 observations ≤ 1, 20 in (1,2], 10 in (2,4]: the median is interpolated to 1.5.
    histogram('quantile.test', 'Quantile test', 's', [1, 2, 4, 8], [
      [{}, [...Array(10).fill(0.5), ...Array(20).fill(1.5), ...Array(10).fill(3)]],
    ]),
    histogram('exemplar.test', 'Exemplar test', 's', [0.1, 1], [[{}, [0.05, 0.5]]], [
      { value: 0.5, time: Date.now(), traceId: TRACE, spanId: SPAN },
    ]),
  );
}

describe.runIf(shouldRun('prometheus'))('real Prometheus scraping metricsHandler', () => {
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';
  const seen = new Map<string, { accept: string | null; contentType: string | null; acceptEncoding: string | null; contentEncoding: string | null }>();

  beforeAll(async () => {
    const binary = requireBinary('prometheus');
    const appPort = await freePort();
    const monitor = source(scraped);
    const record =
      (h: WebHandler): WebHandler =>
      async (req) => {
        const res = await h(req);
        const [acceptEncoding, contentEncoding] = [req.headers.get('accept-encoding'), res?.headers.get('content-encoding') ?? null];
        if (res) seen.set(new URL(req.url).pathname, { accept: req.headers.get('accept'), contentType: res.headers.get('content-type'), acceptEncoding, contentEncoding });
        return res;
      };
    server = await serve(
      [
        record(metricsHandler(monitor)),
        record(metricsHandler(monitor, { path: '/metrics-text', format: 'text' })),
        record(metricsHandler(monitor, { path: '/secure', auth: { bearerToken: 'scrape-token' } })),
        record(metricsHandler(monitor, { path: '/basic', auth: { username: 'prom', password: 'p@ss' } })),
      ],
      appPort,
    );
    dir = mkdtempSync(join(tmpdir(), 'lexigram-prom-'));
    const target = `['127.0.0.1:${appPort}']`;
    ({ prometheus, api } = await startPrometheus(
      binary,
      dir,
      [
        `  - { job_name: om, metrics_path: /metrics, static_configs: [{ targets: ${target} }] }`,
        `  - { job_name: text, metrics_path: /metrics-text, static_configs: [{ targets: ${target} }] }`,
        `  - { job_name: secure, metrics_path: /secure, authorization: { credentials: scrape-token }, static_configs: [{ targets: ${target} }] }`,
        `  - { job_name: secure-wrong, metrics_path: /secure, authorization: { credentials: nope }, static_configs: [{ targets: ${target} }] }`,
        `  - { job_name: basic, metrics_path: /basic, basic_auth: { username: prom, password: p@ss }, static_configs: [{ targets: ${target} }] }`,
      ],
      ['--enable-feature=exemplar-storage'],
    ));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = (q: string) => queryPrometheus(api, q);
  const value = (q: string) =>
    poll(`query ${q}`, async () => {
      const r = await query(q);
      return r.length > 0 ? Number(r[0]!.value[1]) : undefined;
    }, 20_000);

  it('PT-10: Prometheus’s real default Accept header negotiates OpenMetrics; text is forced on /metrics-text', async () => {
    await value('up{job="om"} == 1');
    await value('up{job="text"} == 1');
    const om = seen.get('/metrics')!;
    expect(negotiateFormat(om.accept)).toBe('openmetrics');
    expect(om.contentType).toBe(CONTENT_TYPES.openmetrics);
    expect(seen.get('/metrics-text')!.contentType).toBe(CONTENT_TYPES.text);
  }, 30_000);

  it('OM and PT: counter, gauge and up-down values come back from /api/v1/query in both formats', async () => {
    for (const job of ['om', 'text']) {
      expect(await value(`http_server_requests_total{job="${job}",http_method="GET",http_route="/users/:id"}`)).toBe(10);
      expect(await value(`queue_depth{job="${job}",queue="jobs"}`)).toBe(7);
      expect(await value(`cpu_utilisation_ratio{job="${job}"}`)).toBe(0.25);
      expect(await value(`db_connections_active{job="${job}"}`)).toBe(-2);
      expect(await value(`lexigram_monitor_dropped_total{job="${job}",reason="invalid_value"}`)).toBe(2);
      expect(await value(`gc_pause_seconds{job="${job}",quantile="0.9"}`)).toBe(0.02);
    }
  }, 60_000);

  it('PT-04, OM-05: quotes, backslashes, newlines and unicode in label values survive the round trip', async () => {
    for (const job of ['om', 'text']) {
      const rows = await poll('escaped series', async () => {
        const r = await query(`http_server_requests_total{job="${job}"}`);
        return r.length === 3 ? r : undefined;
      });
      const routes = rows.map((r) => r.metric.http_route).sort();
      expect(routes).toEqual(['/a"quoted\\path\nnext', '/users/:id', '日本語/ü'].sort());
      expect(await value(`_9lives_cache_hits_total{job="${job}",key_0shard="1",key_reserved="x"}`)).toBe(42);
    }
  }, 60_000);

  it('PT-07, OM-08: histogram buckets, +Inf, _count, _sum, and histogram_quantile(0.5) over our buckets', async () => {
    for (const job of ['om', 'text']) {
      expect(await value(`http_server_request_duration_seconds_bucket{job="${job}",route="/",le="0.1"}`)).toBe(3);
      expect(await value(`http_server_request_duration_seconds_bucket{job="${job}",route="/",le="+Inf"}`)).toBe(6);
      expect(await value(`http_server_request_duration_seconds_count{job="${job}",route="/"}`)).toBe(6);
      expect(await value(`http_server_request_duration_seconds_sum{job="${job}",route="/"}`)).toBeCloseTo(13.224, 9);
      expect(await value(`histogram_quantile(0.5, quantile_test_seconds_bucket{job="${job}"})`)).toBeCloseTo(1.5, 9);
      expect(await value(`histogram_quantile(0.9, quantile_test_seconds_bucket{job="${job}"})`)).toBeCloseTo(3.2, 9);
    }
  }, 60_000);

  it('OM-11: exemplars on bucket lines are ingested by Prometheus', async () => {
    const exemplars = await poll('exemplars', async () => {
      const now = Date.now() / 1000;
      const res = await fetch(`${api}/query_exemplars?query=exemplar_test_seconds_bucket&start=${now - 600}&end=${now + 60}`);
      const json = (await res.json()) as { data: { exemplars: { labels: Record<string, string>; value: string }[] }[] };
      const all = json.data.flatMap((s) => s.exemplars);
      return all.length > 0 ? all : undefined;
    });
    expect(exemplars[0]!.labels).toEqual({ trace_id: TRACE, span_id: SPAN });
    expect(Number(exemplars[0]!.value)).toBe(0.5);
  }, 30_000);

  it('Prometheus asks for gzip and gets it on every job; the series it ingested are the ones rendered', async () => {
    await value('up{job="basic"} == 1');
    // Not /secure: its secure-wrong job's 401 (never gzipped) may be the last answer there.
    for (const path of ['/metrics', '/metrics-text', '/basic']) {
      const s = seen.get(path)!;
      expect([path, s.acceptEncoding, s.contentEncoding]).toEqual([path, 'gzip', 'gzip']);
    }
    for (const job of ['om', 'text', 'basic']) expect(await value(`queue_depth{job="${job}",queue="jobs"}`)).toBe(7);
  }, 30_000);

  it('auth: Prometheus scrapes with the right bearer token and basic credentials, fails with the wrong one', async () => {
    expect(await value('up{job="secure"}')).toBe(1);
    expect(await value('up{job="basic"}')).toBe(1);
    expect(await value('up{job="secure-wrong"}')).toBe(0);
    const targets = (await (await fetch(`${api}/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; lastError: string; health: string }[] };
    };
    const wrong = targets.data.activeTargets.find((t) => t.labels.job === 'secure-wrong')!;
    expect(wrong.lastError).toContain('401');
    for (const job of ['om', 'text', 'secure', 'basic']) {
      const t = targets.data.activeTargets.find((x) => x.labels.job === job)!;
      expect([job, t.health, t.lastError]).toEqual([job, 'up', '']);
    }
  }, 30_000);
});
