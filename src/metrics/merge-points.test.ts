import { describe, expect, it } from 'vitest';
import type { ExponentialHistogramPoint, HistogramPoint, MetricData, NumberPoint } from '../model/metric-data.js';
import { mergeMetrics, mergePoints, seriesKey } from './merge-points.js';
import { MetricsCollector } from './collector.js';
import { base2ExponentialBuckets } from './exponential-histogram.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { Diagnostics } from '../diag/diagnostics.js';

const meta = { help: '', unit: '' };
const counter = (points: NumberPoint[]): MetricData => ({ ...meta, name: 'c', type: 'counter', temporality: 'delta', points });
const gauge = (points: NumberPoint[]): MetricData => ({ ...meta, name: 'g', type: 'gauge', temporality: 'delta', points });
const num = (attributes: Record<string, string | number | boolean>, value: number, startTime: number, time: number): NumberPoint => ({ attributes, value, startTime, time });

describe('merging delta points of one series', () => {
  it('counters add up over [earlier start, later time], in either order', () => {
    const a = num({ k: 'a' }, 5, 100, 200);
    const b = num({ k: 'a' }, 2, 200, 300);
    for (const [x, y] of [[a, b], [b, a]]) expect(mergePoints(counter([]), x, y)).toEqual({ attributes: { k: 'a' }, value: 7, startTime: 100, time: 300 });
  });

  it('gauges and cumulative points: the later one', () => {
    const a = num({}, 5, 100, 200);
    const b = num({}, 2, 100, 300);
    expect(mergePoints(gauge([]), b, a)).toBe(b);
    const upDown: MetricData = { ...meta, name: 'u', type: 'updowncounter', temporality: 'cumulative', points: [] };
    expect(mergePoints(upDown, a, b)).toBe(b);
  });

  it('histograms add bucket by bucket; other bounds cannot be added', () => {
    const h = (count: number, buckets: number[], min: number, max: number, t: number, bounds = [1, 2]): HistogramPoint => ({
      attributes: {}, startTime: t - 100, time: t, count, sum: count, min, max, bounds, bucketCounts: buckets,
    });
    const m: MetricData = { ...meta, name: 'h', type: 'histogram', temporality: 'delta', points: [] };
    expect(mergePoints(m, h(2, [1, 1, 0], 0.5, 1.5, 200), h(1, [0, 0, 1], 3, 3, 300))).toMatchObject({ count: 3, sum: 3, min: 0.5, max: 3, bucketCounts: [1, 1, 1], startTime: 100, time: 300 });
    expect(mergePoints(m, h(1, [1, 0, 0], 0.5, 0.5, 200), h(1, [1, 0], 0.5, 0.5, 300, [1]))).toBeUndefined();
  });

  it('exponential histograms at different scales merge at the coarser one, every count kept', () => {
    const c = new MetricsCollector(DEFAULT_LIMITS, new Diagnostics(() => {}));
    const e = c.createHistogram('e', 'e', { buckets: base2ExponentialBuckets({ maxSize: 8 }) });
    e.observe(1.5);
    e.observe(1.6);
    const fine = c.collect({ temporality: 'delta' }).metrics[0]!;
    e.observe(1000);
    e.observe(0.001);
    e.observe(-4);
    e.observe(0);
    const coarse = c.collect({ temporality: 'delta' }).metrics[0]!;
    const a = fine.points[0] as ExponentialHistogramPoint;
    const b = coarse.points[0] as ExponentialHistogramPoint;
    expect(a.scale).toBeGreaterThan(b.scale);
    const m = mergePoints(coarse, a, b) as ExponentialHistogramPoint;
    const total = (p: ExponentialHistogramPoint) => p.zeroCount + [...p.positive.bucketCounts, ...p.negative.bucketCounts].reduce((x, y) => x + y, 0);
    expect(m.scale).toBeLessThanOrEqual(b.scale);
    expect([m.count, total(m), m.zeroCount, m.min, m.max]).toEqual([6, 6, 1, -4, 1000]);
    expect(m.positive.bucketCounts.length).toBeLessThanOrEqual(8);
    expect(m.sum).toBeCloseTo(1.5 + 1.6 + 1000 + 0.001 - 4);
    // The values are still in the buckets they belong to: 1.5 and 1.6 at or below 2, 1000 in the last.
    const upper = (i: number) => 2 ** ((m.positive.offset + i + 1) * 2 ** -m.scale);
    const last = m.positive.bucketCounts.length - 1;
    expect(upper(last)).toBeGreaterThanOrEqual(1000);
    expect(m.positive.bucketCounts[last]).toBe(1);
  });
});

describe('mergeMetrics', () => {
  it('merges series by attributes, keeps metrics only one side has', () => {
    const earlier = [counter([num({ k: 'a' }, 5, 0, 10), num({ k: 'b' }, 1, 0, 10)]), gauge([num({}, 9, 0, 10)])];
    const later = [counter([num({ k: 'a' }, 2, 10, 20)])];
    const { metrics, lost } = mergeMetrics(earlier, later, 2001);
    expect(lost).toBe(0);
    expect(metrics.map((m) => m.name)).toEqual(['c', 'g']);
    expect(metrics[0]!.points).toEqual([num({ k: 'a' }, 7, 0, 20), num({ k: 'b' }, 1, 0, 10)]);
  });

  it('past the limit (or the larger side), the extra series are let go and counted, the later collection kept first', () => {
    const earlier = [counter([num({ k: 'x' }, 1, 0, 10), num({ k: 'y' }, 2, 0, 10)])];
    const later = [counter([num({ k: 'a' }, 8, 10, 20), num({ k: 'x' }, 16, 10, 20)])];
    const { metrics, lost } = mergeMetrics(earlier, later, 1);
    expect(lost).toBe(1);
    expect(metrics[0]!.points).toEqual([num({ k: 'a' }, 8, 10, 20), num({ k: 'x' }, 17, 0, 20)]);
    const g = mergeMetrics([gauge([num({ q: 'x' }, 1, 0, 10), num({ q: 'y' }, 2, 0, 10)])], [gauge([num({ q: 'a' }, 3, 10, 20)])], 2);
    expect([g.metrics[0]!.points.length, g.lost]).toEqual([2, 1]);
  });

  it('series keys ignore attribute order and value type, as the instruments do', () => {
    expect(seriesKey({ a: 1, b: 'x' })).toBe(seriesKey({ b: 'x', a: '1' }));
    expect(seriesKey({ a: 'x=1' })).not.toBe(seriesKey({ 'a:x': '1' }));
  });
});
