import { AggregationTemporality, AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { base2ExponentialBuckets, createMonitor, NoOpBackend } from '../index.js';
import { bucketIndex, lowerBound } from './exponential-buckets.js';
import type { ExponentialHistogramPoint } from '../model/metric-data.js';
// The SDK's own accumulation: its API-level histogram drops negative values, the accumulation
// (what an exponential view aggregates into) takes any finite value.
import { ExponentialHistogramAccumulation } from '@opentelemetry/sdk-metrics/build/src/aggregator/ExponentialHistogram.js';

/** A reader whose collect() the test calls. */
class ManualReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** sdk-metrics 2.12 with an exponential histogram view, as an independent implementation of the same buckets. */
function sdkHistogram(temporality: AggregationTemporality, maxSize = 160) {
  const reader = new ManualReader(temporality);
  const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'h', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } } }] });
  const h = provider.getMeter('t').createHistogram('h');
  return {
    record: (v: number) => h.record(v),
    async point() {
      const { resourceMetrics } = await reader.collect();
      const dp = resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0] as { value: any } | undefined;
      return dp?.value;
    },
  };
}

function ours(opts: { maxSize?: number; maxScale?: number } = {}) {
  const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()] });
  const h = monitor.metrics.createHistogram('h', 'help', { buckets: base2ExponentialBuckets(opts) });
  return { monitor, h, point: (temporality: 'delta' | 'cumulative' = 'cumulative') => monitor.metrics.collect({ temporality }).metrics.find((m) => m.name === 'h')?.points[0] as ExponentialHistogramPoint | undefined };
}

/** Deterministic values over many magnitudes: a log-uniform spread with both signs and zeros. */
function values(n: number, seed: number, { negatives = false, span = 12 } = {}): number[] {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = 10 ** (next() * span - span / 2);
    out.push(negatives && next() < 0.3 ? -v : i % 97 === 0 ? 0 : v);
  }
  return out;
}

describe('exponential bucket mapping (OpenTelemetry data model: bucket i holds (base^i, base^(i+1)])', () => {
  it('puts exact powers of two at the top of their bucket, at every scale', () => {
    for (const scale of [-3, -1, 0, 1, 3, 10, 20]) {
      for (const e of [-1022, -20, -1, 0, 1, 7, 1023]) {
        const i = bucketIndex(2 ** e, scale);
        // 2^e is base^(e * 2^scale): the upper bound of bucket e * 2^scale - 1 (scale > 0).
        if (scale >= 0) expect(i).toBe(e * 2 ** scale - 1);
        else expect(i).toBe((e - 1) >> -scale);
      }
    }
  });

  it('keeps every value within its bucket bounds, and matches the logarithm away from the edges', () => {
    for (const scale of [-2, 0, 1, 4, 8, 20]) {
      for (const v of values(2000, 7 + scale)) {
        if (v === 0) continue;
        const i = bucketIndex(v, scale);
        // Float bounds at fine scales may sit one ulp off the true base^i: allow that much.
        expect(v).toBeGreaterThan(lowerBound(i, scale) * (1 - 1e-12));
        expect(v).toBeLessThanOrEqual(lowerBound(i + 1, scale) * (1 + 1e-12));
      }
    }
  });

  it('maps subnormals and the largest double without throwing (as the smallest normal and the top bucket)', () => {
    expect(bucketIndex(Number.MIN_VALUE, 0)).toBe(-1023);
    expect(bucketIndex(Number.MAX_VALUE, 0)).toBe(1023);
    expect(bucketIndex(Number.MAX_VALUE, 20)).toBe(1024 * 2 ** 20 - 1);
  });
});

describe('createHistogram with base2ExponentialBuckets: the same buckets as sdk-metrics 2.12 (differential)', () => {
  for (const [label, vals, maxSize] of [
    ['values over 12 decades, 160 buckets', values(5000, 1), 160],
    ['positive and negative values and zeros, 160 buckets', values(5000, 2, { negatives: true }), 160],
    ['a narrow range (the scale stays fine)', values(3000, 3, { span: 0.5 }), 160],
    ['20 buckets a side', values(3000, 4, { negatives: true }), 20],
    ['powers of two and their neighbours', [1, 2, 4, 8, 1024, 0.5, 0.25, 3, 1.0000001, 2 ** 30, 2 ** -30], 160],
  ] as const) {
    it(`cumulative: ${label}`, () => {
      const sdk = new ExponentialHistogramAccumulation([0, 0], maxSize);
      const { h, point } = ours({ maxSize });
      for (const v of vals) {
        sdk.record(v);
        h.observe(v);
      }
      const a = point()!;
      const b = sdk.toPointValue();
      expect(a.scale).toBe(b.scale);
      expect(a.zeroCount).toBe(b.zeroCount);
      expect(a.count).toBe(b.count);
      expect(a.sum).toBeCloseTo(b.sum, 6);
      expect(a.min).toBe(b.min);
      expect(a.max).toBe(b.max);
      // The SDK may keep empty buckets at the edges of a side; ours trims them.
      const trimmed = (s: { offset: number; bucketCounts: number[] }) => {
        let start = 0;
        let end = s.bucketCounts.length;
        while (start < end && s.bucketCounts[start] === 0) start++;
        while (end > start && s.bucketCounts[end - 1] === 0) end--;
        return start === end ? { offset: 0, bucketCounts: [] } : { offset: s.offset + start, bucketCounts: s.bucketCounts.slice(start, end) };
      };
      expect({ offset: a.positive.offset, bucketCounts: [...a.positive.bucketCounts] }).toEqual(trimmed(b.positive));
      expect({ offset: a.negative.offset, bucketCounts: [...a.negative.bucketCounts] }).toEqual(trimmed(b.negative));
      expect(a.positive.bucketCounts.length).toBeLessThanOrEqual(maxSize);
      expect(a.negative.bucketCounts.length).toBeLessThanOrEqual(maxSize);
    });
  }

  it('delta beside a cumulative reader: each interval counts only its own values, the buckets of both intervals adding up to the cumulative ones', () => {
    const { monitor, h, point } = ours();
    monitor.metrics.cumulativeReader = true; // a scrape reads the same instrument
    const first = values(2000, 11);
    const second = values(2000, 12, { span: 2 });
    for (const v of first) h.observe(v);
    const d1 = point('delta')!;
    for (const v of second) h.observe(v);
    const d2 = point('delta')!;
    const c = point('cumulative')!;
    expect(d1.count).toBe(first.length);
    expect(d2.count).toBe(second.length);
    expect(c.count).toBe(first.length + second.length);
    expect(d2.startTime).toBe(d1.time);
    // Summed at the cumulative point's scale, the two deltas give the cumulative buckets.
    const at = (p: ExponentialHistogramPoint) => {
      const m = new Map<number, number>();
      const shift = p.scale - c.scale;
      p.positive.bucketCounts.forEach((n, j) => m.set((p.positive.offset + j) >> shift, (m.get((p.positive.offset + j) >> shift) ?? 0) + n));
      return m;
    };
    const sum = new Map<number, number>();
    for (const p of [d1, d2]) for (const [k, n] of at(p)) sum.set(k, (sum.get(k) ?? 0) + n);
    const cumulative = new Map<number, number>();
    c.positive.bucketCounts.forEach((n, j) => n && cumulative.set(c.positive.offset + j, n));
    for (const [k, n] of [...sum]) if (n === 0) sum.delete(k);
    expect(sum).toEqual(cumulative);
    expect(d1.zeroCount + d2.zeroCount).toBe(c.zeroCount);
  });

  it('delta only (an OTLP backend, no scrape): each interval starts again at the finest scale, as sdk-metrics does', async () => {
    const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()] });
    monitor.metrics.cumulativeReader = false;
    const h = monitor.metrics.createHistogram('h', 'help', { buckets: base2ExponentialBuckets() });
    const sdk = sdkHistogram(AggregationTemporality.DELTA);
    for (const v of values(3000, 21)) {
      h.observe(v);
      sdk.record(v);
    }
    monitor.metrics.collect({ temporality: 'delta' });
    await sdk.point();
    for (const v of [1.5, 1.6, 1.7]) {
      h.observe(v);
      sdk.record(v);
    }
    const p = monitor.metrics.collect({ temporality: 'delta' }).metrics[0]!.points[0] as ExponentialHistogramPoint;
    const b = await sdk.point();
    expect(p.count).toBe(3);
    expect(p.scale).toBe(b.scale);
    // Three values within 1.5 to 1.7 fit 160 buckets at scale 9; 12 decades did not leave that.
    expect(p.scale).toBe(9);
    expect(p.positive.offset).toBe(b.positive.offset);
    expect([...p.positive.bucketCounts].filter((n) => n > 0)).toEqual(b.positive.bucketCounts.filter((n: number) => n > 0));
  });
});

describe('createHistogram with base2ExponentialBuckets: options and misuse', () => {
  it('refuses a maxSize or maxScale it cannot honour, saying what to change', () => {
    const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()] });
    expect(() => base2ExponentialBuckets({ maxSize: 1 })).toThrow(/base2ExponentialBuckets: `maxSize` must be an integer from 2 to 16384/);
    expect(() => base2ExponentialBuckets({ maxScale: 21 })).toThrow(/`maxScale` must be an integer from -10 to 20/);
    expect(() => base2ExponentialBuckets({ maxSize: 2.5 })).toThrow(/maxSize/);
    // prom-client's exponentialBuckets(start, factor, count) gives fixed bounds: the message says so.
    expect(() => base2ExponentialBuckets(0.001 as never)).toThrow(/for fixed bounds, pass an array of numbers as `buckets`/);
    expect(() => monitor.metrics.createHistogram('d', 'h', { buckets: { maxSize: 10 } as never })).toThrow(/must be an array of numbers, or base2ExponentialBuckets\(\)/);
  });

  it('refuses a misspelt option, as every other options object does, instead of keeping the default unseen', () => {
    expect(() => base2ExponentialBuckets({ maxsize: 10 } as never)).toThrow(/^base2ExponentialBuckets: unknown option `maxsize`; known options are maxSize, maxScale\.$/);
    expect(() => base2ExponentialBuckets({ maxSize: 10, max_scale: 5 } as never)).toThrow(/unknown option `max_scale`/);
    expect(base2ExponentialBuckets({ maxSize: 10, maxScale: 5 })).toMatchObject({ maxSize: 10, maxScale: 5 });
  });

  it('returns the existing instrument for the same name, refuses other options, and refuses a fixed-bucket histogram of that name', () => {
    const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()] });
    const h = monitor.metrics.createHistogram('lat', 'h', { buckets: base2ExponentialBuckets({ maxSize: 40 }) });
    expect(monitor.metrics.createHistogram('lat', 'h', { buckets: base2ExponentialBuckets({ maxSize: 40 }) })).toBe(h);
    expect(monitor.metrics.getMetric('lat')).toBe(h);
    expect(() => monitor.metrics.createHistogram('lat', 'h', { buckets: base2ExponentialBuckets({ maxSize: 80 }) })).toThrow(/already exists with other exponential buckets \(maxSize 40, maxScale 20\)/);
    // Asked for again without buckets, it is returned (as a fixed-bucket one is); other labels still throw.
    expect(monitor.metrics.createHistogram('lat', 'h')).toBe(h);
    expect(() => monitor.metrics.createHistogram('lat', 'h', { labelNames: ['x'] })).toThrow(/already exists as an exponential histogram/);
    expect(() => monitor.metrics.createHistogram('lat', 'h', { buckets: [1, 2] })).toThrow(/already exists as an exponential histogram/);
  });

  it('drops and counts values that are not finite numbers, never throwing', () => {
    const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()], onDiagnostic: () => {} });
    const h = monitor.metrics.createHistogram('x', 'h', { buckets: base2ExponentialBuckets() });
    for (const v of [NaN, Infinity, -Infinity, '3' as unknown as number]) expect(() => h.observe(v)).not.toThrow();
    h.observe(2);
    const snap = monitor.metrics.collect();
    const dropped = snap.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points.find((p) => p.attributes.reason === 'invalid_value') as { value: number };
    expect(dropped.value).toBe(4);
    expect((snap.metrics.find((m) => m.name === 'x')!.points[0] as ExponentialHistogramPoint).count).toBe(1);
  });

  it('bind() and startTimer() record into the series (the timer in the unit: ms)', () => {
    const { monitor } = ours();
    const h = monitor.metrics.createHistogram('t_ms', 'h', { unit: 'ms', labelNames: ['route'], buckets: base2ExponentialBuckets() });
    const b = h.bind({ route: '/a' });
    b.observe(5);
    b.observe(7);
    h.startTimer({ route: '/a' })();
    const p = monitor.metrics.collect().metrics.find((m) => m.name === 't_ms')!.points[0] as ExponentialHistogramPoint;
    expect(p.attributes).toEqual({ route: '/a' });
    expect(p.count).toBe(3);
    expect(p.max).toBe(7);
  });

  it('keeps memory bounded: a million spread values stay within maxSize buckets a side', () => {
    const { h, point } = ours({ maxSize: 64 });
    for (let i = 1; i <= 1_000_000; i++) h.observe(i % 2 ? i * 1e-6 : -i * 1e3);
    const p = point()!;
    expect(p.count).toBe(1_000_000);
    expect(p.positive.bucketCounts.length).toBeLessThanOrEqual(64);
    expect(p.negative.bucketCounts.length).toBeLessThanOrEqual(64);
    expect(p.positive.bucketCounts.reduce((a, b) => a + b, 0) + p.negative.bucketCounts.reduce((a, b) => a + b, 0)).toBe(1_000_000);
  });
});

describe('createMonitor({ metrics: { histogramBuckets: base2ExponentialBuckets() } })', () => {
  it('makes every histogram created without buckets exponential, the HTTP server duration and bucket-advised ones included; explicit buckets stay fixed', async () => {
    const { handleRequest } = await import('../http/handle-request.js');
    const { dbClientDuration } = await import('../http/server-metrics.js');
    const monitor = createMonitor({ serviceName: 't', backends: [new NoOpBackend()], metrics: { histogramBuckets: base2ExponentialBuckets({ maxSize: 50 }) } });
    await handleRequest(monitor, new Request('https://example.com/a'), () => new Response('ok'));
    dbClientDuration(monitor).observe(0.002, { 'db.system.name': 'cloudflare.kv' });
    monitor.metrics.createHistogram('own', 'h').observe(1);
    monitor.metrics.createHistogram('fixed', 'h', { buckets: [1, 2] }).observe(1);
    const types = Object.fromEntries(monitor.metrics.collect().metrics.map((m) => [m.name, m.type]));
    expect(types['http.server.request.duration']).toBe('exponential_histogram');
    expect(types['db.client.operation.duration']).toBe('exponential_histogram');
    expect(types.own).toBe('exponential_histogram');
    expect(types.fixed).toBe('histogram');
    expect((monitor.metrics.getMetric('own') as { maxSize: number }).maxSize).toBe(50);
  });

  it('refuses anything but base2ExponentialBuckets(), saying what it takes', () => {
    expect(() => createMonitor({ serviceName: 't', metrics: { histogramBuckets: [1, 2] as never } })).toThrow(/`metrics.histogramBuckets` takes base2ExponentialBuckets\(\)/);
    expect(() => createMonitor({ serviceName: 't', metrics: { histogramBucket: 1 } as never })).toThrow(/histogramBuckets/);
  });
});
