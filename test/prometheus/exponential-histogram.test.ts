/**
 * An exponential histogram as Prometheus sees it: rendered as a classic histogram (the text
 * formats have no exponential type), checked by the real promtool and scraped by a real
 * Prometheus, whose histogram_quantile over the buckets must land within the buckets' relative
 * error of the true quantile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler, renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { base2ExponentialBuckets, createMonitor, NoOpBackend } from '../../src/index.js';
import type { ExponentialHistogramPoint } from '../../src/model/metric-data.js';
import { validateOpenMetrics } from './openmetrics-validator.js';
import { SCOPE_LABELS } from './fixtures.js';

/** The default scope labels, as a RegExp source. */
const S = SCOPE_LABELS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
import { freePort, poll, promtoolCheck, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve } from './serve.js';

/** 1000 latencies from 1 ms to 10 s, log-uniform: the true p50 is 0.1 s, the p90 about 3.98 s. */
const LATENCIES = Array.from({ length: 1000 }, (_, i) => 10 ** (-3 + (4 * (i + 0.5)) / 1000));
const quantile = (q: number) => [...LATENCIES].sort((a, b) => a - b)[Math.ceil(q * LATENCIES.length) - 1]!;

function monitorWith(values: number[], maxSize = 40) {
  const monitor = createMonitor({ serviceName: 'svc', backends: [new NoOpBackend()] });
  const h = monitor.metrics.createHistogram('request.duration', 'Request duration.', { unit: 's', labelNames: ['route'], buckets: base2ExponentialBuckets({ maxSize }) });
  for (const v of values) h.observe(v, { route: '/a' });
  return monitor;
}

describe('exponential histogram in Prometheus text and OpenMetrics', () => {
  it('renders as a classic histogram: one le per bucket (upper bounds at the point’s scale), cumulative counts, +Inf = _count', () => {
    const monitor = monitorWith([-2, -0.5, 0, 0, 0.003, 0.004, 1, 1000]);
    const p = monitor.metrics.collect().metrics.find((m) => m.name === 'request.duration')!.points[0] as ExponentialHistogramPoint;
    const body = renderPrometheus(monitor, { format: 'text' });
    expect(body).toContain('# TYPE request_duration_seconds histogram\n');
    const buckets = [...body.matchAll(new RegExp(`^request_duration_seconds_bucket\\{route="/a",${S},le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => [m[1]!, Number(m[2])] as const);
    const les = buckets.map(([le]) => (le === '+Inf' ? Infinity : Number(le)));
    expect(les).toEqual([...les].sort((a, b) => a - b));
    expect(new Set(les).size).toBe(les.length);
    expect(les).toContain(0);
    expect(buckets.at(-1)).toEqual(['+Inf', 8]);
    expect(buckets.find(([le]) => Number(le) === 0)![1]).toBe(4); // -2, -0.5 and the two zeros
    // Every bucket of the point has its bound, plus le="0" and +Inf.
    expect(buckets).toHaveLength(p.positive.bucketCounts.length + p.negative.bucketCounts.length + 2);
    expect(body).toContain(`\nrequest_duration_seconds_count{route="/a",${SCOPE_LABELS}} 8\n`);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
  });

  it('gives the top bucket, whose upper bound is past the largest double, to le="+Inf" alone (no second +Inf line)', () => {
    // At scale -10 bucket 0 holds (1, 2^1024]; at scale 20 the last bucket below 2^1024 holds Number.MAX_VALUE.
    for (const [options, values] of [
      [{ maxScale: -10 }, [0.5, 3, 5]],
      [{}, [Number.MAX_VALUE]],
    ] as const) {
      const monitor = createMonitor({ serviceName: 'svc', backends: [new NoOpBackend()] });
      const h = monitor.metrics.createHistogram('big', 'Big.', { buckets: base2ExponentialBuckets(options) });
      for (const v of values) h.observe(v);
      for (const format of ['text', 'openmetrics'] as const) {
        const body = renderPrometheus(monitor, { format });
        const buckets = [...body.matchAll(new RegExp(`^big_bucket\\{${S},le="([^"]+)"\\} (\\d+)$`, 'gm'))].map((m) => [m[1]!, Number(m[2])] as const);
        const les = buckets.map(([le]) => le);
        expect(new Set(les).size, body).toBe(les.length);
        expect(buckets.at(-1)).toEqual(['+Inf', values.length]);
        expect(les.slice(0, -1).every((le) => Number.isFinite(Number(le)))).toBe(true);
      }
    }
  });

  it.runIf(shouldRun('promtool'))('passes the real promtool check metrics (text 0.0.4) and the OpenMetrics validator', () => {
    const monitor = monitorWith([...LATENCIES, -1, 0]);
    const r = promtoolCheck(renderPrometheus(monitor, { format: 'text' }));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
    expect(validateOpenMetrics(renderPrometheus(monitor, { format: 'openmetrics' }))).toEqual([]);
  });
});

describe.runIf(shouldRun('prometheus'))('a real Prometheus scraping an exponential histogram', () => {
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';
  const monitor = monitorWith(LATENCIES, 160);
  const scale = (monitor.metrics.collect().metrics.find((m) => m.name === 'request.duration')!.points[0] as ExponentialHistogramPoint).scale;

  beforeAll(async () => {
    const binary = requireBinary('prometheus');
    const appPort = await freePort();
    server = await serve([metricsHandler(monitor)], appPort);
    dir = mkdtempSync(join(tmpdir(), 'lexigram-prom-exp-'));
    ({ prometheus, api } = await startPrometheus(binary, dir, [`  - { job_name: app, metrics_path: /metrics, static_configs: [{ targets: ['127.0.0.1:${appPort}'] }] }`]));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const value = (q: string) =>
    poll(`query ${q}`, async () => {
      const json = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      const r = json.data.result;
      return r.length > 0 ? Number(r[0]!.value[1]) : undefined;
    });

  it('histogram_quantile over the scraped buckets is within one bucket’s relative width of the true p50 and p90', async () => {
    // A bucket spans a factor of base = 2^(2^-scale): an estimate inside the right bucket is off by less.
    const base = 2 ** (2 ** -scale);
    expect(scale).toBe(3); // 160 buckets over 4 decades (13.3 powers of two): 8 a power of two
    for (const q of [0.5, 0.9]) {
      const estimate = await value(`histogram_quantile(${q}, request_duration_seconds_bucket{job="app"})`);
      const truth = quantile(q);
      expect(estimate / truth).toBeLessThan(base);
      expect(truth / estimate).toBeLessThan(base);
    }
    expect(await value('request_duration_seconds_count{job="app"}')).toBe(1000);
  });
});
