/**
 * A user's app end to end: metrics recorded through `monitor.metrics` over several flushes reach a
 * local OTLP/HTTP receiver as deltas (the default), decoded with the official .proto files, while
 * Prometheus-style scrapes of the same monitor happen in between. The deltas must add up to the
 * cumulative values a scrape shows, each point must start where the previous one of its series
 * ended, and no interval may be sent twice or lost.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { createMonitor } from '../../src/index.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

const key = (name: string, attrs: any[] = []) =>
  name + JSON.stringify(attrs.map((a) => [a.key, Object.values(a.value)[0]]).sort());

it('deltas over several flushes sum to the scraped cumulative values, with contiguous start times', async () => {
  const from = rx.requests.length;
  const born = BigInt(Date.now() - 1) * 1_000_000n;
  const monitor = createMonitor({ serviceName: 'app', backends: [new OtlpBackend({ endpoint: rx.url })], limits: { cardinalityLimit: 3 }, onDiagnostic: () => {} });
  const m = monitor.metrics;
  const requests = m.createCounter('http.requests', 'Requests', { labelNames: ['route'] });
  const depth = m.createGauge('queue.depth', 'Depth', { labelNames: ['q'] });
  const conns = m.createUpDownCounter('conns', 'Connections');
  const latency = m.createHistogram('lat', 'Latency', { unit: 's', buckets: [1, 2, 4] });
  const gc = m.createSummary('gc', 'GC', { unit: 's' });
  const scrapes: string[] = [];
  const steps: Array<() => void> = [
    () => { requests.increment(1, { route: 'a' }); depth.set(5, { q: 'x' }); conns.increment(3); latency.observe(0.5); gc.observe(1); },
    () => { requests.increment(2, { route: 'a' }); requests.increment(4, { route: '日本' }); depth.decrement(2, { q: 'x' }); conns.decrement(5); latency.observe(3); },
    () => {},
    () => { requests.increment(1, { route: 'b' }); requests.increment(8, { route: 'c' }); latency.observe(9); gc.observe(2); },
    () => { requests.remove({ route: 'b' }); requests.increment(16, { route: 'a' }); depth.increment(10, { q: 'x' }); },
  ];
  for (const step of steps) {
    step();
    scrapes.push(renderPrometheus(monitor, { withoutScopeInfo: true, withoutTargetInfo: true }));
    await monitor.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  await monitor.shutdown();
  const last = renderPrometheus(monitor, { withoutScopeInfo: true, withoutTargetInfo: true });
  const points = new Map<string, any[]>();
  for (const r of rx.requests.slice(from).filter((r) => r.path.endsWith('/metrics'))) {
    const body = decodeProto('metrics', r.body);
    for (const rm of body.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const metric of sm.metrics ?? []) {
      const data = metric.sum ?? metric.gauge ?? metric.histogram ?? metric.summary;
      for (const p of data.dataPoints) {
        const k = key(metric.name, p.attributes);
        points.set(k, [...(points.get(k) ?? []), { ...p, temporality: data.aggregationTemporality, kind: Object.keys(metric).find((x) => ['sum', 'gauge', 'histogram', 'summary'].includes(x)) }]);
      }
    }
  }
  const sumOf = (k: string, f: (p: any) => number) => (points.get(k) ?? []).reduce((a, p) => a + f(p), 0);
  const num = (p: any) => p.asDouble ?? Number(p.asInt);
  // Deltas add up to what a cumulative scrape shows (the scrapes in between took nothing away).
  for (const [route, total] of [['a', 19], ['日本', 4]] as const) {
    expect(sumOf(key('http.requests', [{ key: 'route', value: { stringValue: route } }]), num)).toBe(total);
    expect(last).toContain(`http_requests_total{route="${route}"} ${total}\n`);
  }
  expect(sumOf(key('http.requests', [{ key: 'route', value: { stringValue: 'b' } }]), num)).toBe(1); // sent once, then removed
  expect(last).not.toContain('route="b"');
  expect(sumOf(key('http.requests', [{ key: 'otel.metric.overflow', value: { boolValue: true } }]), num)).toBe(8);
  expect(last).toContain('http_requests_total{otel_metric_overflow="true"} 8\n');
  const lat = points.get(key('lat'))!;
  expect(sumOf(key('lat'), (p) => Number(p.count))).toBe(3);
  expect(sumOf(key('lat'), (p) => p.sum)).toBe(12.5);
  expect([0, 1, 2, 3].map((i) => lat.reduce((a, p) => a + Number(p.bucketCounts[i]), 0))).toEqual([1, 0, 1, 1]);
  expect(last).toContain('lat_seconds_count 3\n');
  // Delta series: each point starts where the previous one of its series ended; none repeats.
  for (const [k, ps] of points) {
    if (ps[0].temporality !== 1) continue;
    for (let i = 1; i < ps.length; i++) expect([k, ps[i].startTimeUnixNano]).toEqual([k, ps[i - 1].timeUnixNano]);
    for (const p of ps) expect(BigInt(p.timeUnixNano) > BigInt(p.startTimeUnixNano)).toBe(true);
    expect(BigInt(ps[0].startTimeUnixNano) >= born).toBe(true); // from the series' start, not the epoch or process start
  }
  expect(points.get(key('lat'))!.length).toBe(3); // one point per flush that saw an observation
  // Gauges: the latest value; the up-down counter stays cumulative from one start time.
  const depths = points.get(key('queue.depth', [{ key: 'q', value: { stringValue: 'x' } }]))!;
  expect(depths.map(num)).toEqual([5, 3, 13]);
  const sent = points.get(key('conns'))!;
  expect(sent.every((p) => p.temporality === 2 && p.startTimeUnixNano === sent[0].startTimeUnixNano)).toBe(true);
  expect(num(sent.at(-1))).toBe(-2);
  const lastGc = points.get(key('gc'))!.at(-1);
  expect([Number(lastGc.count), lastGc.sum]).toEqual([2, 3]);
  expect(scrapes[1]).toContain('queue_depth{q="x"} 3\n');
});
