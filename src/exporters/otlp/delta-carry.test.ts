/**
 * "Nothing is lost silently" across failed OTLP metrics exports (delta temporality). A delta
 * collection resets what it collects, so a metrics export that fails must either carry its delta
 * into the next export (a failure the exporter would have retried: network error, timeout,
 * 429/502/503/504 after the retries) or drop it and count the data points lost in
 * lexigram_monitor_dropped_total (a failure never retried: 400, 500, …). The drop counter's own
 * delta is never dropped that way, so the counts of what was lost reach the collector.
 *
 * A real HTTP receiver on 127.0.0.1 answers; what it accepted is decoded with the official .proto
 * files (protobufjs) and totalled as a collector summing deltas would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { OtlpBackend } from './otlp-backend.js';
import { createMonitor, type Monitor } from '../../index.js';
import { base2ExponentialBuckets } from '../../metrics/exponential-histogram.js';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { ok, startReceiver, type Receiver, type Received } from '../../../test/otlp/helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

/** What the receiver accepted (answered 200) since `from`, per signal. */
const accepted: Received[] = [];
function answer(fail: (req: Received) => number | undefined) {
  rx.handler = (req: Received, res: ServerResponse, i: number) => {
    const status = fail(req);
    if (status === undefined) {
      accepted.push(req);
      return ok(req, res, i);
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `status ${status}` }));
  };
}

const attrsOf = (p: any) => Object.fromEntries((p.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]));

/** Every metric data point the receiver accepted, with its metric name and kind. */
function acceptedPoints(): { name: string; kind: string; temporality?: number; p: any }[] {
  const out: { name: string; kind: string; temporality?: number; p: any }[] = [];
  for (const r of accepted.filter((r) => r.path === '/v1/metrics')) {
    for (const rm of decodeProto('metrics', r.body).resourceMetrics ?? [])
      for (const sm of rm.scopeMetrics ?? [])
        for (const m of sm.metrics ?? []) {
          const kind = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'].find((k) => k in m)!;
          for (const p of m[kind].dataPoints) out.push({ name: m.name, kind, temporality: m[kind].aggregationTemporality, p });
        }
  }
  return out;
}

/** What a collector summing the accepted deltas holds for a sum metric, by one label's value ('' without). */
function collectorSum(name: string, label = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { p } of acceptedPoints().filter((x) => x.name === name)) {
    const k = String(attrsOf(p)[label] ?? '');
    out[k] = (out[k] ?? 0) + (p.asDouble ?? Number(p.asInt));
  }
  return out;
}

/** lexigram_monitor_dropped_total as the monitor itself counted it (cumulative; no delta state touched). */
function localDropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p: any) => [p.attributes.reason, p.value]));
}

const FAST = { retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 2 }, timeoutMs: 2000 };

function setup(extra: Record<string, unknown> = {}) {
  accepted.length = 0;
  const diags: string[] = [];
  const otlp = new OtlpBackend({ endpoint: rx.url, ...FAST, onDiagnostic: (d) => void diags.push(`${d.kind}: ${d.message}`), ...extra });
  const monitor = createMonitor({ serviceName: 'carry', backends: [otlp], onDiagnostic: () => {} });
  // Read cumulatively once (as a scrape would), so series idle through a delta cycle are kept for localDropped().
  monitor.metrics.collect({ temporality: 'cumulative' });
  return { otlp, monitor, diags, from: rx.requests.length };
}

const tick = () => new Promise((r) => setTimeout(r, 3));

describe('OTLP delta metrics across failed exports', () => {
  it("a deferred export is reported once through the monitor's onDiagnostic, not counted as dropped", async () => {
    accepted.length = 0;
    const seen: string[] = [];
    const otlp = new OtlpBackend({ endpoint: rx.url, ...FAST, signals: ['metrics'] });
    const monitor = createMonitor({ serviceName: 'carry', backends: [otlp], onDiagnostic: (d) => void seen.push(`${d.kind}: ${d.message}`) });
    answer((req) => (req.path === '/v1/metrics' ? 503 : undefined));
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    for (let i = 0; i < 2; i++) {
      c.increment();
      expect((await monitor.flush()).backends[0]!.ok).toBe(true);
    }
    expect(seen.filter((m) => m.startsWith('export: backend "otlp" could not export, nothing lost yet: metrics to'))).toHaveLength(1);
    expect(localDropped(monitor)).toEqual({});
    answer(() => undefined);
    await monitor.shutdown();
    expect(collectorSum('jobs_total')).toEqual({ '': 2 });
  });

  for (const status of [503, 429, 'network'] as const) {
    it(`a retryable failure (${status}) carries the delta into the next export: the collector sees every increment once`, async () => {
      let failing = true;
      // 'network': the metrics request fails as a refused connection does, before any answer.
      const { monitor, from } = setup({
        fetch: (url: string, init: RequestInit) => (status === 'network' && failing && url.endsWith('/v1/metrics') ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init)),
      });
      answer((req) => (failing && req.path === '/v1/metrics' ? (status as number) : undefined));
      const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['k'] });
      const h = monitor.metrics.createHistogram('lat', 'Latency', { unit: 's', buckets: [1, 2] });
      const born = Date.now();
      c.increment(5, { k: 'a' });
      c.increment(1, { k: 'b' });
      h.observe(0.5);
      const first = await monitor.flush();
      const firstDone = Date.now();
      await tick();
      failing = false;
      c.increment(2, { k: 'a' });
      h.observe(1.5);
      const second = await monitor.flush();
      expect(second.backends[0]!.ok).toBe(true);

      expect(collectorSum('jobs_total', 'k')).toEqual({ a: 7, b: 1 });
      // Nothing was lost, so nothing was counted as dropped; the failure was still reported.
      expect(localDropped(monitor)).toEqual({});
      expect(first.backends[0]!.error).toMatch(/kept for the next export/);
      const lat = acceptedPoints().filter((x) => x.name === 'lat');
      expect(lat).toHaveLength(1);
      expect(Number(lat[0]!.p.count)).toBe(2);
      expect(lat[0]!.p.sum).toBe(2);
      expect(lat[0]!.p.bucketCounts.map(Number)).toEqual([1, 1, 0]);
      // The merged point covers what it carries: from the start of the interval that failed to now.
      const a = acceptedPoints().find((x) => x.name === 'jobs_total' && attrsOf(x.p).k === 'a')!.p;
      const start = BigInt(a.startTimeUnixNano);
      expect(start).toBeGreaterThanOrEqual(BigInt(born) * 1_000_000n);
      expect(start).toBeLessThanOrEqual(BigInt(firstDone) * 1_000_000n);
      expect(BigInt(a.timeUnixNano)).toBeGreaterThan(BigInt(firstDone) * 1_000_000n);
      if (status !== 'network') {
        const failed = rx.requests.slice(from).find((r) => r.path === '/v1/metrics' && !accepted.includes(r))!;
        const sent = decodeProto('metrics', failed.body).resourceMetrics[0].scopeMetrics[0].metrics.find((m: any) => m.name === 'jobs_total');
        const before = sent.sum.dataPoints.find((p: any) => attrsOf(p).k === 'a');
        expect([before.asDouble, a.startTimeUnixNano]).toEqual([5, before.startTimeUnixNano]);
        expect(BigInt(a.timeUnixNano)).toBeGreaterThan(BigInt(before.timeUnixNano));
      }
      expect(collectorSum('lexigram_monitor_dropped_total', 'reason')).toEqual({});
      await monitor.shutdown();
    });
  }

  it('spans lost with the failure are counted, and that count reaches the collector beside the carried metrics', async () => {
    let failing = true;
    const { monitor } = setup();
    answer(() => (failing ? 503 : undefined));
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    c.increment(5);
    monitor.tracer.startSpan('s1').end();
    monitor.tracer.startSpan('s2').end();
    const first = await monitor.flush();
    expect(first.backends[0]).toMatchObject({ ok: false, reason: 'export_failed' });
    await tick();
    failing = false;
    c.increment(2);
    await monitor.flush();
    expect(localDropped(monitor)).toEqual({ export_failed: 2 });
    expect(collectorSum('jobs_total')).toEqual({ '': 7 });
    expect(collectorSum('lexigram_monitor_dropped_total', 'reason')).toEqual({ export_failed: 2 });
    await monitor.shutdown();
  });

  it('the drop counter reaches the collector even when the exports carrying it fail too (several failures in a row)', async () => {
    let failing = true;
    const { monitor } = setup();
    answer(() => (failing ? 503 : undefined));
    for (let i = 0; i < 3; i++) {
      monitor.tracer.startSpan('s').end();
      await monitor.flush();
      await tick();
    }
    failing = false;
    monitor.metrics.createCounter('x_total', 'x').increment();
    await monitor.flush();
    const local = localDropped(monitor);
    expect(local).toEqual({ export_failed: 3 });
    expect(collectorSum('lexigram_monitor_dropped_total', 'reason')).toEqual(local);
    expect(collectorSum('x_total')).toEqual({ '': 1 });
    await monitor.shutdown();
  });

  for (const status of [500, 400] as const) {
    it(`a failure never retried (${status}) drops the delta and counts its points; the counts survive a second failure`, async () => {
      let failures = 2;
      const { monitor } = setup();
      answer((req) => (req.path === '/v1/metrics' && failures-- > 0 ? status : undefined));
      const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['k'] });
      c.increment(5, { k: 'a' });
      c.increment(1, { k: 'b' });
      const first = await monitor.flush();
      expect(first.backends[0]).toMatchObject({ ok: false, reason: status === 400 ? 'export_rejected' : 'export_failed' });
      await tick();
      // The second export carries only the drop counter's delta, and fails as well.
      await monitor.flush();
      await tick();
      c.increment(2, { k: 'a' });
      const third = await monitor.flush();
      expect(third.backends[0]!.ok).toBe(true);
      const reason = status === 400 ? 'export_rejected' : 'export_failed';
      // Two points were lost (5 and 1), counted once each; the count itself was not lost.
      expect(localDropped(monitor)).toEqual({ [reason]: 2 });
      expect(collectorSum('lexigram_monitor_dropped_total', 'reason')).toEqual({ [reason]: 2 });
      expect(collectorSum('jobs_total', 'k')).toEqual({ a: 2 });
      await monitor.shutdown();
    });
  }

  it('gauges, up-down counters, summaries and exponential histograms carried over: the latest values, the summed distribution', async () => {
    let failing = true;
    const { monitor } = setup();
    answer((req) => (failing && req.path === '/v1/metrics' ? 502 : undefined));
    const m = monitor.metrics;
    const g = m.createGauge('depth', 'Depth', { labelNames: ['q'] });
    const u = m.createUpDownCounter('conns', 'Connections');
    const s = m.createSummary('gc', 'GC', { unit: 's' });
    const e = m.createHistogram('size', 'Size', { unit: 'By', buckets: base2ExponentialBuckets({ maxSize: 4 }) });
    g.set(5, { q: 'x' });
    g.set(9, { q: 'y' });
    u.increment(3);
    s.observe(1);
    e.observe(1);
    e.observe(1000);
    await monitor.flush();
    await tick();
    failing = false;
    g.set(6, { q: 'x' });
    u.decrement(1);
    e.observe(3);
    e.observe(0);
    await monitor.flush();
    const pts = acceptedPoints();
    const gauges = Object.fromEntries(pts.filter((x) => x.name === 'depth').map((x) => [attrsOf(x.p).q, x.p.asDouble]));
    expect(gauges).toEqual({ x: 6, y: 9 });
    expect(pts.filter((x) => x.name === 'conns').map((x) => x.p.asDouble)).toEqual([2]);
    expect(pts.filter((x) => x.name === 'gc').map((x) => [Number(x.p.count), x.p.sum])).toEqual([[1, 1]]);
    const exp = pts.filter((x) => x.name === 'size');
    expect(exp).toHaveLength(1);
    const p = exp[0]!.p;
    expect([Number(p.count), p.sum, p.min, p.max, Number(p.zeroCount ?? 0)]).toEqual([4, 1004, 0, 1000, 1]);
    const counts = (p.positive?.bucketCounts ?? []).map(Number);
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    expect(counts.length).toBeLessThanOrEqual(4);
    await monitor.shutdown();
  });

  it('what is still carried at shutdown is sent then', async () => {
    let failing = true;
    const { monitor } = setup();
    answer((req) => (failing && req.path === '/v1/metrics' ? 503 : undefined));
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment(4);
    await monitor.flush();
    failing = false;
    await monitor.shutdown();
    expect(collectorSum('jobs_total')).toEqual({ '': 4 });
  });

  it('what cannot be sent at shutdown is reported through the backend onDiagnostic', async () => {
    const { monitor, diags } = setup();
    answer((req) => (req.path === '/v1/metrics' ? 503 : undefined));
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment(4);
    await monitor.flush();
    await monitor.shutdown();
    expect(acceptedPoints()).toEqual([]);
    expect(diags.some((d) => /: 1 data points kept from failed exports were lost at shutdown$/.test(d))).toBe(true);
  });

  it("what cannot be sent at shutdown is reported through the monitor's onDiagnostic too, and counted (the backend's own is unset by default)", async () => {
    accepted.length = 0;
    const seen: string[] = [];
    const otlp = new OtlpBackend({ endpoint: rx.url, ...FAST, signals: ['metrics'] });
    const monitor = createMonitor({ serviceName: 'carry', backends: [otlp], onDiagnostic: (d) => void seen.push(`${d.kind}: ${d.message}`) });
    answer((req) => (req.path === '/v1/metrics' ? 503 : undefined));
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment(4);
    await monitor.flush();
    await monitor.shutdown();
    expect(acceptedPoints()).toEqual([]);
    expect(seen.filter((d) => d.startsWith('export_failed:'))).toEqual([expect.stringMatching(/1 data points kept from failed exports were lost at shutdown$/)]);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value])).toEqual([['export_failed', 1]]);
  });

  it('a cumulative backend carries nothing (its next export has the totals)', async () => {
    let failing = true;
    const { monitor } = setup({ temporality: 'cumulative' });
    answer((req) => (failing && req.path === '/v1/metrics' ? 503 : undefined));
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    c.increment(5);
    await monitor.flush();
    failing = false;
    c.increment(2);
    await monitor.flush();
    const pts = acceptedPoints().filter((x) => x.name === 'jobs_total');
    expect(pts.map((x) => x.p.asDouble)).toEqual([7]);
    await monitor.shutdown();
  });

  it('two monitors sharing a backend: a carried delta travels only with its own resource', async () => {
    let failing = true;
    accepted.length = 0;
    const otlp = new OtlpBackend({ endpoint: rx.url, ...FAST });
    const a = createMonitor({ serviceName: 'a', backends: [otlp], onDiagnostic: () => {} });
    const b = createMonitor({ serviceName: 'b', backends: [otlp], onDiagnostic: () => {} });
    answer((req) => (failing && req.path === '/v1/metrics' ? 503 : undefined));
    a.metrics.createCounter('jobs_total', 'Jobs').increment(5);
    await a.flush();
    failing = false;
    b.metrics.createCounter('jobs_total', 'Jobs').increment(1);
    await b.flush();
    a.metrics.createCounter('jobs_total', 'Jobs').increment(2);
    await a.flush();
    const byService: Record<string, number> = {};
    for (const r of accepted.filter((r) => r.path === '/v1/metrics')) {
      for (const rm of decodeProto('metrics', r.body).resourceMetrics) {
        const svc = rm.resource.attributes.find((x: any) => x.key === 'service.name').value.stringValue;
        for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.name === 'jobs_total') for (const p of m.sum.dataPoints) byService[svc] = (byService[svc] ?? 0) + p.asDouble;
      }
    }
    expect(byService).toEqual({ a: 7, b: 1 });
    await a.shutdown();
    await b.shutdown();
  });
});
