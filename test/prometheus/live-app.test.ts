/**
 * A user's app end to end: metrics recorded through `monitor.metrics` while a real Prometheus
 * (Debian 2.42, its own Accept header) scrapes `metricsHandler`; the query API must show what
 * the app recorded, scrape after scrape: counters rising (rate, no resets), gauges going up and
 * down, histogram_quantile over our buckets, summary quantiles, removed series going stale, the
 * overflow series past the cardinality cap, escaped label values and translated names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES, metricsHandler, PrometheusBackend } from '../../src/exporters/prometheus/index.js';
import { createMonitor } from '../../src/index.js';
import { freePort, poll, queryPrometheus, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve } from './serve.js';

describe.runIf(shouldRun('prometheus'))('a live app scraped by a real Prometheus', () => {
  const monitor = createMonitor({ serviceName: 'live', backends: [new PrometheusBackend()], limits: { cardinalityLimit: 3 }, onDiagnostic: () => {} });
  const m = monitor.metrics;
  const requests = m.createCounter('http.requests', 'Requests', { labelNames: ['route'] });
  const sent = m.createCounter('payload.sent', 'Bytes sent', { unit: 'By' });
  const jobs = m.createCounter('jobs_total', 'Jobs already named with _total');
  const depth = m.createGauge('queue-depth', 'Depth', { labelNames: ['queue'] });
  const latency = m.createHistogram('http.latency', 'Latency', { unit: 's', buckets: [1, 2, 4, 8] });
  const pauses = m.createSummary('gc.pause', 'GC pauses', { unit: 'ms', quantiles: [0.5, 1] });
  const contentTypes: (string | null)[] = [];
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';

  beforeAll(async () => {
    const appPort = await freePort();
    const handler = metricsHandler(monitor);
    server = await serve([async (req) => {
      const res = await handler(req);
      contentTypes.push(res?.headers.get('content-type') ?? null);
      return res;
    }], appPort);
    dir = mkdtempSync(join(tmpdir(), 'lexigram-live-'));
    ({ prometheus, api } = await startPrometheus(requireBinary('prometheus'), dir, [
      `  - { job_name: app, static_configs: [{ targets: ['127.0.0.1:${appPort}'] }] }`,
    ]));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await monitor.shutdown();
  });

  const query = (q: string) => queryPrometheus(api, q);
  /** Waits until Prometheus has scraped a value equal to `want`. */
  const scraped = (q: string, want: number) =>
    poll(`${q} == ${want}`, async () => {
      const r = await query(q);
      return r.length === 1 && Number(r[0]!.value[1]) === want ? true : undefined;
    }, 20_000);
  const one = async (q: string) => Number((await query(q))[0]?.value[1]);

  it('values recorded across scrapes come back from the query API', async () => {
    // Phase 1.
    requests.increment(1, { route: 'a"b\\c\nd' });
    requests.increment(2, { route: '日本/ü' });
    requests.increment(3, { route: 'gone' });
    requests.increment(4, { route: 'over' }); // the 4th set: past the cap of 3
    sent.increment(1024);
    jobs.increment(2);
    depth.set(5, { queue: 'mail' });
    for (const [v, n] of [[0.5, 10], [1.5, 20], [3, 10]] as const) for (let i = 0; i < n; i++) latency.observe(v);
    for (const v of [3, 1, 2]) pauses.observe(v);
    await scraped('http_requests_total{route="日本/ü"}', 2);
    expect(await one('http_requests_total{route="a\\"b\\\\c\\nd"}')).toBe(1);
    expect(await one('http_requests_total{otel_metric_overflow="true"}')).toBe(4);
    expect(await one('lexigram_monitor_dropped_total{reason="cardinality_overflow"}')).toBe(1);
    expect(await one('payload_sent_bytes_total')).toBe(1024);
    expect(await one('jobs_total')).toBe(2);
    expect(await one('queue_depth{queue="mail"}')).toBe(5);
    expect(await one('http_latency_seconds_count')).toBe(40);
    expect(await one('http_latency_seconds_sum')).toBe(65);
    // 10 ≤ 1, 20 in (1,2], 10 in (2,4]: Prometheus interpolates the median to 1.5 in our buckets.
    expect(await one('histogram_quantile(0.5, http_latency_seconds_bucket)')).toBeCloseTo(1.5, 9);
    expect(await one('gc_pause_milliseconds{quantile="1.0"}')).toBe(3); // quantile 1 is the exact maximum
    expect(await one('gc_pause_milliseconds{quantile="0.5"}')).toBeCloseTo(2, 1); // within 0.5 %
    expect(await one('gc_pause_milliseconds_sum')).toBe(6);

    // Phase 2: the counter rises, the gauge goes down, a series is removed.
    requests.increment(10, { route: '日本/ü' });
    requests.remove({ route: 'gone' });
    depth.decrement(8, { queue: 'mail' });
    await scraped('http_requests_total{route="日本/ü"}', 12);
    expect(await one('queue_depth{queue="mail"}')).toBe(-3);
    // Phase 3: up again.
    requests.increment(20, { route: '日本/ü' });
    depth.increment(4, { queue: 'mail' });
    await scraped('http_requests_total{route="日本/ü"}', 32);
    expect(await one('queue_depth{queue="mail"}')).toBe(1);
    await poll('removed series stale', async () => ((await query('http_requests_total{route="gone"}')).length === 0 ? true : undefined));

    const samples = (await query('http_requests_total{route="日本/ü"}[1m]')) as unknown as { values: [number, string][] }[];
    const values = [...new Set(samples[0]!.values.map(([, v]) => Number(v)))];
    expect(values).toEqual([2, 12, 32]); // each scrape saw the running total, never a step back
    expect(await one('resets(http_requests_total{route="日本/ü"}[1m])')).toBe(0);
    expect(await one('rate(http_requests_total{route="日本/ü"}[1m])')).toBeGreaterThan(0);
    expect(await one('min_over_time(queue_depth{queue="mail"}[1m])')).toBe(-3);
    expect(await one('max_over_time(queue_depth{queue="mail"}[1m])')).toBe(5);
    // Prometheus 2.42 asks for OpenMetrics and gets it.
    expect(contentTypes[0]).toBe(CONTENT_TYPES.openmetrics);
  }, 90_000);
});
