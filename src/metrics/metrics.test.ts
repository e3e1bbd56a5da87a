import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { HistogramPoint, NumberPoint, SummaryPoint } from '../model/metric-data.js';
import { renderSnapshot } from '../exporters/prometheus/index.js';

const quiet = { onDiagnostic: () => {} };

function point(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string, temporality: 'cumulative' | 'delta' = 'cumulative') {
  return monitor.metrics.collect({ temporality }).metrics.find((m) => m.name === name)?.points ?? [];
}

describe('metrics', () => {
  it('counts per attribute set, whatever the order of label keys', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('requests_total', 'Requests');
    c.increment();
    c.increment(2, { method: 'GET', status: '200' });
    c.increment(3, { status: '200', method: 'GET' });
    c.increment({ method: 'POST', status: 200 });
    const pts = point(monitor, 'requests_total') as NumberPoint[];
    expect(pts.map((p) => [p.attributes, p.value])).toEqual([
      [{}, 1],
      [{ method: 'GET', status: '200' }, 5],
      [{ method: 'POST', status: 200 }, 1],
    ]);
  });

  it('PR-03: an empty label value is the same as an absent label, declared or not', () => {
    const { monitor } = createTestMonitor(quiet);
    const any = monitor.metrics.createCounter('any_total', 'Any labels');
    any.increment(3, { route: '', method: 'GET' });
    any.increment(4, { method: 'GET' });
    const declared = monitor.metrics.createCounter('declared_total', 'Declared', { labelNames: ['route', 'method'] });
    declared.increment(3, { route: '', method: 'GET' });
    declared.increment(4, { method: 'GET' });
    for (const name of ['any_total', 'declared_total']) {
      expect((point(monitor, name) as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ method: 'GET' }, 7]]);
    }
  });

  it('label values holding control characters never join two label sets into one series', () => {
    const { monitor } = createTestMonitor(quiet);
    const any = monitor.metrics.createCounter('any_total', 'Any labels');
    any.increment(1, { a: 'x\u0001b\u0002y' });
    any.increment(10, { a: 'x', b: 'y' });
    const declared = monitor.metrics.createCounter('declared_total', 'Declared', { labelNames: ['a', 'b'] });
    declared.increment(1, { a: 'x\u0001y', b: 'z' });
    declared.increment(10, { a: 'x', b: 'y\u0001z' });
    declared.increment(100, { a: '1\u0001x', b: '' });
    declared.increment(1000, { a: '1', b: 'x' });
    expect((point(monitor, 'any_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([
      [{ a: 'x\u0001b\u0002y' }, 1],
      [{ a: 'x', b: 'y' }, 10],
    ]);
    expect((point(monitor, 'declared_total') as NumberPoint[]).map((p) => p.value)).toEqual([1, 10, 100, 1000]);
  });

  it('gauges set, increment and decrement', () => {
    const { monitor } = createTestMonitor(quiet);
    const g = monitor.metrics.createGauge('active_connections', 'Active connections');
    g.set(10.5);
    g.increment(2.0);
    g.decrement(1.0);
    g.decrement();
    expect((point(monitor, 'active_connections')[0] as NumberPoint).value).toBe(10.5);
  });

  it('histograms use the OpenTelemetry HTTP duration buckets in seconds by default (DN-03), upper-inclusive (MET-06)', () => {
    const { monitor } = createTestMonitor(quiet);
    const h = monitor.metrics.createHistogram('request_duration_seconds', 'Latency');
    expect(h.bounds).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    h.observe(0.125);
    h.observe(0.5);
    h.observe(0.005);
    h.observe(100);
    const p = point(monitor, 'request_duration_seconds')[0] as HistogramPoint;
    expect(p.bucketCounts).toHaveLength(p.bounds.length + 1);
    expect(p.bucketCounts[0]).toBe(1); // 0.005 is in (−∞, 0.005]
    expect(p.bucketCounts[7]).toBe(1); // 0.5 in (0.25, 0.5]
    expect(p.bucketCounts[6]).toBe(1); // 0.125 in (0.1, 0.25]
    expect(p.bucketCounts[14]).toBe(1); // +Inf
    expect(p.count).toBe(4);
    expect(p.sum).toBeCloseTo(100.63);
    expect(p.min).toBe(0.005);
    expect(p.max).toBe(100);
  });

  it('startTimer observes elapsed seconds, with extra labels at the end', async () => {
    const { monitor } = createTestMonitor(quiet);
    const h = monitor.metrics.createHistogram('job_duration_seconds', 'Job time', { labelNames: ['job', 'result'] });
    const end = h.startTimer({ job: 'a' });
    await new Promise((r) => setTimeout(r, 20));
    const seconds = end({ result: 'ok' });
    expect(seconds).toBeGreaterThan(0.01);
    const p = point(monitor, 'job_duration_seconds')[0] as HistogramPoint;
    expect(p.attributes).toEqual({ job: 'a', result: 'ok' });
    expect(p.sum).toBe(seconds);
  });

  it('delta collection reports changes since the previous delta and never disturbs cumulative readers', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('events_total', 'Events');
    const h = monitor.metrics.createHistogram('size_bytes', 'Sizes', { buckets: [10, 100] });
    c.increment(5);
    h.observe(5);
    const d1 = point(monitor, 'events_total', 'delta')[0] as NumberPoint;
    expect(d1.value).toBe(5);
    c.increment(2);
    h.observe(50);
    const cum = point(monitor, 'events_total')[0] as NumberPoint;
    expect(cum.value).toBe(7);
    const snap = monitor.metrics.collect({ temporality: 'delta' });
    const d2 = snap.metrics.find((m) => m.name === 'events_total')!.points[0] as NumberPoint;
    expect(d2.value).toBe(2);
    // MET-04: a delta point starts where the previous one ended.
    expect(d2.startTime).toBe(d1.time);
    const hd = snap.metrics.find((m) => m.name === 'size_bytes')!.points[0] as HistogramPoint;
    expect(hd.bucketCounts).toEqual([0, 1, 0]);
    expect(hd.count).toBe(1);
    expect((point(monitor, 'size_bytes')[0] as HistogramPoint).bucketCounts).toEqual([1, 1, 0]);
    // Nothing changed: the next delta has no point for these series.
    expect(point(monitor, 'events_total', 'delta')).toHaveLength(0);
    // Cumulative points keep the series' start time.
    expect((point(monitor, 'events_total')[0] as NumberPoint).startTime).toBe(cum.startTime);
  });

  it('MET-05: a counter is monotonic: decrements are dropped and counted, deltas are ≥ 0, cumulative values never go down; an up-down counter is a Prometheus gauge', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs');
    const seen: { delta: number; cumulative: number }[] = [];
    const read = () => {
      const delta = (point(monitor, 'jobs_total', 'delta')[0] as NumberPoint | undefined)?.value ?? 0;
      seen.push({ delta, cumulative: (point(monitor, 'jobs_total')[0] as NumberPoint).value });
    };
    c.increment(3);
    c.increment(-1);
    read();
    c.increment(2);
    c.increment(-5);
    c.increment(-Infinity);
    read();
    c.increment(0);
    read();
    expect(seen).toEqual([
      { delta: 3, cumulative: 3 },
      { delta: 2, cumulative: 5 },
      { delta: 0, cumulative: 5 },
    ]);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points as NumberPoint[];
    expect(dropped.filter((p) => p.attributes.reason === 'negative_increment' || p.attributes.reason === 'invalid_value').reduce((n, p) => n + p.value, 0)).toBe(3);
    const u = monitor.metrics.createUpDownCounter('queue_depth', 'Depth');
    u.add(1);
    u.add(-3);
    const text = renderSnapshot(monitor.metrics.collect());
    expect(text).toContain('# TYPE queue_depth gauge\nqueue_depth -2\n');
  });

  it('MET-12: instrument names are 1 to 255 ASCII characters, a letter first, then letters, digits, "_", ".", "-" or "/"', () => {
    const { monitor } = createTestMonitor(quiet);
    for (const name of ['a', 'Z9', 'http.server.request_duration-x/y', 'a'.repeat(255)]) {
      expect(() => monitor.metrics.createGauge(name, 'g')).not.toThrow();
    }
    for (const name of ['', 'a'.repeat(256), '9a', '_a', '.a', '-a', '/a', 'a b', 'a:b', 'café', 'a\n']) {
      expect(() => monitor.metrics.createGauge(name, 'g'), JSON.stringify(name)).toThrow(/invalid metric name/);
    }
  });

  it('MET-12: names are case-insensitive: a name differing only in case is the same instrument, exported by its first name, reported once', () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d.message) });
    const a = monitor.metrics.createCounter('requests_total', 'Requests');
    expect(monitor.metrics.createCounter('Requests_Total', 'Requests')).toBe(a);
    expect(monitor.metrics.createCounter('REQUESTS_TOTAL', 'Requests')).toBe(a);
    expect(monitor.metrics.createCounter('Requests_Total', 'Requests')).toBe(a);
    expect(monitor.metrics.getMetric('REQUESTS_total')).toBe(a);
    a.increment();
    monitor.metrics.createCounter('Requests_Total').increment(2);
    const names = monitor.metrics.collect().metrics.map((m) => m.name);
    expect(names).toEqual(['requests_total']);
    expect((point(monitor, 'requests_total') as NumberPoint[])[0]!.value).toBe(3);
    // Once per spelling, each naming the metric it is.
    expect(seen.filter((m) => m.includes('ignore case'))).toEqual([
      'metric "Requests_Total" is "requests_total": instrument names ignore case (OpenTelemetry), so it is exported as "requests_total"',
      'metric "REQUESTS_TOTAL" is "requests_total": instrument names ignore case (OpenTelemetry), so it is exported as "requests_total"',
    ]);
    // A different kind under another case is the same clash as under the same name.
    expect(() => monitor.metrics.createGauge('Requests_total', 'g')).toThrow(/already exists as a counter/);
    expect(renderSnapshot(monitor.metrics.collect()).match(/^# TYPE .*$/gm)).toEqual(['# TYPE requests_total counter']);
  });

  it('returns the existing instrument when compatible and throws a clear error on conflicts', () => {
    const { monitor } = createTestMonitor(quiet);
    const a = monitor.metrics.createCounter('hits_total', 'Hits', { labelNames: ['route'] });
    expect(monitor.metrics.createCounter('hits_total', 'Hits again', { labelNames: ['route'] })).toBe(a);
    expect(() => monitor.metrics.createGauge('hits_total', 'Hits')).toThrow(/already exists as a counter/);
    expect(() => monitor.metrics.createCounter('hits_total', 'Hits', { labelNames: ['other'] })).toThrow(/labels/);
    expect(() => monitor.metrics.createCounter('hits_total', 'Hits', { unit: 's', labelNames: ['route'] })).toThrow(/unit/);
  });

  it('MET-11: caps attribute sets at 2000 per instrument; set 2001 and later go to otel.metric.overflow, every value counted once', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('by_user_total', 'Per user', { labelNames: ['user'] });
    for (let i = 0; i < 10_000; i++) c.increment(1, { user: `u${i}` });
    const pts = point(monitor, 'by_user_total') as NumberPoint[];
    expect(pts).toHaveLength(2001);
    const overflow = pts.find((p) => p.attributes['otel.metric.overflow'] === true)!;
    expect(overflow.value).toBe(8000);
    expect(pts.reduce((a, p) => a + p.value, 0)).toBe(10_000);
    expect(pts.find((p) => p.attributes.user === 'u1999')).toBeDefined();
    expect(pts.find((p) => p.attributes.user === 'u2000')).toBeUndefined();
    const dropped = point(monitor, 'lexigram_monitor_dropped_total') as NumberPoint[];
    expect(dropped.find((p) => p.attributes.reason === 'cardinality_overflow')!.value).toBe(8000);
  });

  it('the overflow is reported once, its message built when reported (not per call)', () => {
    const seen: { kind: string; message: string }[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d), limits: { cardinalityLimit: 2 } });
    const c = monitor.metrics.createCounter('by_user_total', 'Per user', { labelNames: ['user'] });
    for (let i = 0; i < 50; i++) c.increment(1, { user: `u${i}` });
    expect(seen).toEqual([{ kind: 'cardinality_overflow', message: 'metric "by_user_total" passed 2 attribute sets (limits.cardinalityLimit); new sets go to the otel.metric.overflow=true series', detail: undefined }]);
  });

  it('the cardinality cap is configurable', () => {
    const { monitor } = createTestMonitor({ ...quiet, limits: { cardinalityLimit: 3 } });
    const c = monitor.metrics.createCounter('x_total', 'X');
    for (let i = 0; i < 5; i++) c.increment(1, { k: String(i) });
    expect(point(monitor, 'x_total')).toHaveLength(4);
  });

  it('bind() pre-resolves a series', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('bound_total', 'B', { labelNames: ['a'] });
    const b = c.bind({ a: 'x' });
    b.increment();
    b.increment(4);
    b.increment(-1);
    const h = monitor.metrics.createHistogram('bound_seconds', 'B').bind();
    h.observe(0.2);
    expect((point(monitor, 'bound_total')[0] as NumberPoint).value).toBe(5);
    expect((point(monitor, 'bound_seconds')[0] as HistogramPoint).count).toBe(1);
  });

  it('bind() with labels that are misuse counts every later call through the handle as a drop, reported once', () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d.kind) });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { labelNames: ['queue'] });
    const h = monitor.metrics.createHistogram('job_seconds', 'Job', { labelNames: ['queue'] });
    const bc = c.bind({ queu: 'emails' } as never);
    const bh = h.bind({ queu: 'emails' } as never);
    for (let i = 0; i < 10; i++) bc.increment();
    for (let i = 0; i < 10; i++) bh.observe(0.1);
    const dropped = point(monitor, 'lexigram_monitor_dropped_total') as NumberPoint[];
    // One drop at each bind(), then one per call.
    expect(dropped.find((p) => p.attributes.reason === 'unknown_label')!.value).toBe(22);
    expect(seen.filter((k) => k === 'unknown_label')).toHaveLength(1);
    expect(point(monitor, 'jobs_total')).toHaveLength(0);
    expect(point(monitor, 'job_seconds')).toHaveLength(0);
  });

  it('up-down counters are always cumulative (ENV-08)', () => {
    const { monitor } = createTestMonitor(quiet);
    const u = monitor.metrics.createUpDownCounter('queue_items', 'Items');
    u.add(5);
    u.add(-2);
    const m = monitor.metrics.collect({ temporality: 'delta' }).metrics.find((x) => x.name === 'queue_items')!;
    expect(m.temporality).toBe('cumulative');
    expect((m.points[0] as NumberPoint).value).toBe(3);
  });

  it('summary quantiles stay within 1% rank error on 100,000 observations of a known distribution', () => {
    const { monitor } = createTestMonitor(quiet);
    const s = monitor.metrics.createSummary('latency_seconds', 'Latency', { quantiles: [0.01, 0.5, 0.9, 0.99] });
    // A deterministic permutation of 0..99,999 / 100,000: uniform on [0, 1), known ranks.
    const n = 100_000;
    for (let i = 0; i < n; i++) s.observe(((i * 7919) % n) / n);
    const p = point(monitor, 'latency_seconds')[0] as SummaryPoint;
    expect(p.count).toBe(n);
    for (const { quantile, value } of p.quantiles) {
      const rank = value; // for this uniform distribution the value is its rank
      expect(Math.abs(rank - quantile)).toBeLessThan(0.01);
    }
    // Exponential distribution through the inverse CDF, shuffled deterministically.
    const s2 = monitor.metrics.createSummary('exp_seconds', 'Exp', { quantiles: [0.5, 0.99] });
    for (let i = 0; i < n; i++) s2.observe(-Math.log(1 - ((i * 7919) % n) / n));
    const p2 = point(monitor, 'exp_seconds')[0] as SummaryPoint;
    for (const { quantile, value } of p2.quantiles) {
      const rank = 1 - Math.exp(-value); // CDF of the exponential
      expect(Math.abs(rank - quantile)).toBeLessThan(0.01);
    }
  });

  it('summary windows slide: old observations age out, count and sum stay cumulative', () => {
    const { monitor } = createTestMonitor(quiet);
    const s = monitor.metrics.createSummary('w_seconds', 'W', { maxAgeSeconds: 0.05, ageBuckets: 2 });
    s.observe(1);
    const start = Date.now();
    while (Date.now() - start < 80) {
      /* let the window pass */
    }
    s.observe(3);
    const p = point(monitor, 'w_seconds')[0] as SummaryPoint;
    expect(p.count).toBe(2);
    expect(p.sum).toBe(4);
    expect(p.quantiles.every((q) => Math.abs(q.value - 3) < 0.05)).toBe(true);
  });

  it('MET-09: summary quantile 0 and 1 are the exact minimum and maximum; the others stay within the observed range', () => {
    const { monitor } = createTestMonitor(quiet);
    const s = monitor.metrics.createSummary('q_seconds', 'Q', { quantiles: [0, 0.5, 1] });
    for (const v of [1, 2, 3, 4, 100]) s.observe(v);
    const [q0, q50, q100] = (point(monitor, 'q_seconds')[0] as SummaryPoint).quantiles.map((q) => q.value);
    expect([q0, q100]).toEqual([1, 100]);
    expect(Math.abs(q50! - 3) / 3).toBeLessThan(0.005);
    const same = monitor.metrics.createSummary('same_seconds', 'Same', { quantiles: [0.5, 0.99] });
    for (let i = 0; i < 10; i++) same.observe(0.25);
    expect((point(monitor, 'same_seconds')[0] as SummaryPoint).quantiles.map((q) => q.value)).toEqual([0.25, 0.25]);
  });

  it('summary count and sum stay cumulative in a delta collection (OTLP summaries carry no temporality)', () => {
    const { monitor } = createTestMonitor(quiet);
    const s = monitor.metrics.createSummary('d_seconds', 'D');
    for (let i = 0; i < 3; i++) s.observe(1);
    const first = monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'd_seconds')!;
    for (let i = 0; i < 5; i++) s.observe(2);
    const second = monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'd_seconds')!;
    expect(first.temporality).toBe('cumulative');
    expect((first.points as SummaryPoint[]).map((p) => [p.count, p.sum])).toEqual([[3, 3]]);
    expect((second.points as SummaryPoint[]).map((p) => [p.count, p.sum])).toEqual([[8, 13]]);
    expect(second.points[0]!.startTime).toBe(first.points[0]!.startTime);
    // An unchanged series is left out of the next delta collection.
    expect(monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'd_seconds')?.points ?? []).toEqual([]);
  });

  it('delta sums are summed per interval, not subtracted: 1.5 after 0.7 reads 1.5', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('bytes_total', 'Bytes');
    const h = monitor.metrics.createHistogram('size_bytes', 'Size');
    c.increment(0.7);
    h.observe(0.7);
    monitor.metrics.collect({ temporality: 'delta' });
    c.increment(1.5);
    h.observe(1.5);
    const snap = monitor.metrics.collect({ temporality: 'delta' });
    expect((snap.metrics.find((m) => m.name === 'bytes_total')!.points[0] as NumberPoint).value).toBe(1.5);
    expect((snap.metrics.find((m) => m.name === 'size_bytes')!.points[0] as HistogramPoint).sum).toBe(1.5);
    expect((point(monitor, 'bytes_total')[0] as NumberPoint).value).toBe(0.7 + 1.5); // (0.7 + 1.5) - 0.7 is 1.5000000000000002
  });

  it('rejects invalid configuration at creation with a message that says what to change', () => {
    const { monitor } = createTestMonitor(quiet);
    expect(() => monitor.metrics.createCounter('1bad', 'x')).toThrow(/invalid metric name "1bad"/);
    expect(() => monitor.metrics.createCounter('bad name', 'x')).toThrow(/invalid metric name/);
    expect(() => monitor.metrics.createCounter('', 'x')).toThrow(/invalid metric name/);
    expect(() => monitor.metrics.createCounter('ok_total', 'x', { labelNames: ['bad-label'] })).toThrow(/invalid label name/);
    expect(() => monitor.metrics.createCounter('ok_total', 'x', { labelNames: ['__reserved'] })).toThrow(/invalid label name/);
    expect(() => monitor.metrics.createHistogram('h_seconds', 'x', { buckets: [1, 1] })).toThrow(/strictly increasing/);
    expect(() => monitor.metrics.createHistogram('h_seconds', 'x', { buckets: [2, 1] })).toThrow(/strictly increasing/);
    expect(() => monitor.metrics.createHistogram('h_seconds', 'x', { labelNames: ['le'] })).toThrow(/reserved/);
    expect(() => monitor.metrics.createSummary('s_seconds', 'x', { quantiles: [0.5, 1.5] })).toThrow(/quantiles/);
    expect(() => monitor.metrics.createSummary('s_seconds', 'x', { maxAgeSeconds: 0 })).toThrow(/maxAgeSeconds/);
  });
});

describe('removing series', () => {
  it('remove(labels) forgets one attribute set; reset() forgets all', () => {
    const { monitor } = createTestMonitor(quiet);
    const g = monitor.metrics.createGauge('queue_depth', 'Depth', { labelNames: ['queue'] });
    g.set(3, { queue: 'a' });
    g.set(4, { queue: 'b' });
    expect(g.remove({ queue: 'a' })).toBe(true);
    expect(g.remove({ queue: 'a' })).toBe(false);
    expect(point(monitor, 'queue_depth').map((p) => p.attributes)).toEqual([{ queue: 'b' }]);
    g.set(5, { queue: 'a' }); // a removed set can come back
    expect((point(monitor, 'queue_depth') as NumberPoint[]).map((p) => p.value)).toEqual([4, 5]);
    g.reset();
    expect(point(monitor, 'queue_depth')).toHaveLength(0);
  });

  it('a bind() handle keeps counting after remove() or reset() of its series: the next call makes the series again', () => {
    const { monitor } = createTestMonitor(quiet);
    const c = monitor.metrics.createCounter('ok_total', 'OK', { labelNames: ['queue'] });
    const h = monitor.metrics.createHistogram('ok_seconds', 'OK', { labelNames: ['queue'] });
    const bc = c.bind({ queue: 'a' });
    const bh = h.bind({ queue: 'a' });
    bc.increment();
    bh.observe(1);
    c.reset();
    h.reset();
    bc.increment(5);
    bh.observe(2);
    expect((point(monitor, 'ok_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ queue: 'a' }, 5]]);
    expect((point(monitor, 'ok_seconds') as HistogramPoint[]).map((p) => [p.attributes, p.count, p.sum])).toEqual([[{ queue: 'a' }, 1, 2]]);
    expect(c.remove({ queue: 'a' })).toBe(true);
    expect(h.remove({ queue: 'a' })).toBe(true);
    bc.increment(7);
    bh.observe(3);
    c.increment(1, { queue: 'a' });
    expect((point(monitor, 'ok_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ queue: 'a' }, 8]]);
    expect((point(monitor, 'ok_seconds') as HistogramPoint[]).map((p) => [p.attributes, p.count, p.sum])).toEqual([[{ queue: 'a' }, 1, 3]]);
  });

  it('an unregistered health check leaves no stale health_check_status series', async () => {
    const { monitor } = createTestMonitor(quiet);
    monitor.health.register('db', () => true);
    monitor.health.register('cache', () => true);
    await monitor.health.checkAll();
    monitor.health.unregister('db');
    expect(point(monitor, 'health_check_status').map((p) => p.attributes.check)).toEqual(['cache']);
  });
});

describe('series lookup by the learned label shape', () => {
  const sets = [
    { method: 'GET', status: '200' },
    { method: 'POST', status: '201' },
    { method: 'GET', status: '404' },
  ];
  const sorted = (o: object) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));
  const byAttributes = (pts: NumberPoint[]) => Object.fromEntries(pts.map((p) => [sorted(p.attributes), p.value]));

  for (const labelNames of [undefined, ['method', 'status']]) {
    it(`counts every call whatever the shape of its labels object (${labelNames ? 'declared' : 'undeclared'} labels)`, () => {
      const { monitor } = createTestMonitor(quiet);
      const c = monitor.metrics.createCounter('requests_total', 'Requests', labelNames ? { labelNames } : {});
      // The odd shape first (keys reversed), then the usual one often enough to be learned again.
      c.increment({ status: '200', method: 'GET' });
      for (let i = 0; i < 3000; i++) c.increment(sets[i % 3]!);
      // Numbers, booleans and other key orders reach the same series.
      c.increment({ status: 200, method: 'GET' });
      c.increment({ method: 'GET', status: 404 });
      const pts = point(monitor, 'requests_total') as NumberPoint[];
      expect(byAttributes(pts)).toEqual({
        '{"method":"GET","status":"200"}': 1002,
        '{"method":"POST","status":"201"}': 1000,
        '{"method":"GET","status":"404"}': 1001,
      });
    });

    it(`a labels object with fewer or more keys than the learned shape never reaches the shape's series (${labelNames ? 'declared' : 'undeclared'} labels)`, () => {
      const { monitor } = createTestMonitor(quiet);
      const c = monitor.metrics.createCounter('requests_total', 'Requests', labelNames ? { labelNames } : {});
      // Twice each, so every set is remembered under the learned shape [method, status].
      for (let i = 0; i < 6; i++) c.increment(sets[i % 3]!);
      c.increment({ method: 'GET' }); // a prefix of a remembered path
      c.increment({ method: 'GET', status: '200', route: '/x' }); // one key more
      const pts = point(monitor, 'requests_total') as NumberPoint[];
      const counts = byAttributes(pts);
      expect(counts['{"method":"GET","status":"200"}']).toBe(2);
      expect(counts['{"method":"GET"}']).toBe(1);
      if (labelNames) expect(counts['{"method":"GET","route":"/x","status":"200"}']).toBeUndefined(); // undeclared label: dropped
      else expect(counts['{"method":"GET","route":"/x","status":"200"}']).toBe(1);
    });

    it(`remove() forgets one series and leaves the others counted (${labelNames ? 'declared' : 'undeclared'} labels)`, () => {
      const { monitor } = createTestMonitor(quiet);
      const c = monitor.metrics.createCounter('requests_total', 'Requests', labelNames ? { labelNames } : {});
      for (const s of sets) c.increment(s);
      expect(c.remove(sets[0])).toBe(true);
      for (const s of sets) c.increment(s);
      const pts = point(monitor, 'requests_total') as NumberPoint[];
      expect(byAttributes(pts)).toEqual({
        '{"method":"POST","status":"201"}': 2,
        '{"method":"GET","status":"404"}': 2,
        '{"method":"GET","status":"200"}': 1,
      });
    });
  }

  it('empty, missing and over-long values keep their own rules on the fast path', () => {
    const { monitor } = createTestMonitor({ ...quiet, limits: { labelValueLengthLimit: 4 } });
    const declared = monitor.metrics.createCounter('declared_total', 'Declared', { labelNames: ['a', 'b'] });
    for (let i = 0; i < 3; i++) {
      declared.increment({ a: 'x', b: 'y' });
      declared.increment({ a: 'x', b: '' }); // empty is absent (PR-03)
      declared.increment({ a: 'x', b: 'longer' }); // truncated to 4 characters
      declared.increment({ a: 'x', b: 'long' }); // the truncated value's series
    }
    expect(byAttributes(point(monitor, 'declared_total') as NumberPoint[])).toEqual({
      '{"a":"x","b":"y"}': 3,
      '{"a":"x"}': 3,
      '{"a":"x","b":"long"}': 6,
    });
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points as NumberPoint[];
    // Every over-long value is counted, not only the first one.
    expect(dropped.find((p) => p.attributes.reason === 'label_too_long')!.value).toBe(3);
  });

  it('the cardinality cap still sends new sets to the overflow series', () => {
    const { monitor } = createTestMonitor({ ...quiet, limits: { cardinalityLimit: 2 } });
    const c = monitor.metrics.createCounter('requests_total', 'Requests');
    for (let i = 0; i < 2; i++) for (const s of sets) c.increment(s);
    expect(byAttributes(point(monitor, 'requests_total') as NumberPoint[])).toEqual({
      '{"method":"GET","status":"200"}': 2,
      '{"method":"POST","status":"201"}': 2,
      '{"otel.metric.overflow":true}': 2,
    });
  });
});

describe('label values are redacted by label name when a series is created (README: secrets redacted in OTLP, Prometheus and console output)', () => {
  it('secret and URL labels, declared or not, keep no secret; every secret value adds to one series', () => {
    const { monitor } = createTestMonitor({ ...quiet, logging: { redactFields: ['ssn'] } });
    const declared = monitor.metrics.createCounter('calls_total', 'Calls', { labelNames: ['authorization', 'route'] });
    const any = monitor.metrics.createCounter('logins_total', 'Logins');
    for (const token of ['Bearer A', 'Bearer B', 'Bearer C']) {
      declared.increment({ authorization: token, route: '/x' });
      declared.increment({ authorization: token, route: '/x' });
    }
    any.increment({ password: 'pw1', 'url.full': 'https://u:p@h/?token=T&q=1', ssn: '123', user: 'alice' });
    any.increment({ password: 'pw2', 'url.full': 'https://u:p@h/?token=T2&q=1', ssn: '456', user: 'alice' });
    // The labels only: a timestamp's digits can hold '456' too.
    const text = JSON.stringify(monitor.metrics.collect().metrics.map((m) => m.points.map((p) => p.attributes)));
    for (const secret of ['Bearer', 'pw1', 'pw2', 'u:p@', 'token=T', '123', '456']) expect(text).not.toContain(secret);
    expect((point(monitor, 'calls_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([[{ authorization: '[REDACTED]', route: '/x' }, 6]]);
    expect((point(monitor, 'logins_total') as NumberPoint[]).map((p) => [p.attributes, p.value])).toEqual([
      [{ password: '[REDACTED]', 'url.full': 'https://REDACTED:REDACTED@h/?token=REDACTED&q=1', ssn: '[REDACTED]', user: 'alice' }, 2],
    ]);
  });
});

describe('disabled: true (OTEL_SDK_DISABLED=true) records no metric (ENV-12)', () => {
  it('instruments, bound series and the self-metrics record nothing, so /metrics and collect() show no value', () => {
    const { monitor } = createTestMonitor({ ...quiet, disabled: true });
    const c = monitor.metrics.createCounter('orders_total', 'Orders', { labelNames: ['status'] });
    c.increment(3, { status: 'ok' });
    c.bind({ status: 'bound' }).increment(2);
    monitor.metrics.createGauge('queue_depth', 'Depth').set(5);
    const h = monitor.metrics.createHistogram('latency_seconds', 'Latency');
    h.observe(0.1);
    h.bind().observe(0.2);
    monitor.metrics.createSummary('size_bytes', 'Size').observe(10);
    monitor.metrics.createUpDownCounter('open_total', 'Open').add(1);
    c.increment(-1);
    expect(monitor.metrics.collect().metrics).toEqual([]);
    expect(monitor.metrics.dirty).toBe(false);
  });
});
