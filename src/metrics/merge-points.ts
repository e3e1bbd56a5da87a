import type { ExponentialHistogramPoint, HistogramPoint, MetricData, NumberPoint, PointAttributes } from '../model/metric-data.js';

type Point = MetricData['points'][number];
type Buckets = Pick<ExponentialHistogramPoint, 'scale' | 'zeroCount' | 'positive' | 'negative'>;

/**
 * The buckets of two exponential histogram points added: set by the ExponentialHistogram class
 * when one is made, so that a bundle without one leaves that code out (no such points without it).
 */
export const mergeHooks: { exponential?: (a: ExponentialHistogramPoint, b: ExponentialHistogramPoint) => Buckets } = {};

/** A series' identity across collections: its attributes' text, in name order (as the instruments key them). */
export function seriesKey(attributes: PointAttributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, String(attributes[k])]));
}

/**
 * Two points of one series of `m` as one: delta sums and histograms (each counting only its own
 * interval) added up over [the earlier start, the later time]; gauges, and the up-down counters
 * and summaries a delta collection gives as cumulative, the later point. Undefined when they
 * cannot be added (histograms with other bounds).
 */
export function mergePoints(m: MetricData, a: Point, b: Point): Point | undefined {
  const [x, y] = a.time <= b.time ? [a, b] : [b, a];
  if (m.temporality !== 'delta' || m.type === 'gauge') return y;
  const span = { startTime: Math.min(a.startTime, b.startTime), time: y.time };
  if (m.type === 'counter') return { ...y, ...span, value: (x as NumberPoint).value + (y as NumberPoint).value };
  const p = x as HistogramPoint & ExponentialHistogramPoint;
  const q = y as HistogramPoint & ExponentialHistogramPoint;
  let buckets: Partial<HistogramPoint> | Buckets | undefined;
  if (m.type === 'histogram') {
    if (String(p.bounds) === String(q.bounds)) buckets = { bucketCounts: q.bucketCounts.map((c, i) => c + p.bucketCounts[i]) };
  } else buckets = mergeHooks.exponential?.(p, q);
  return buckets && { ...q, ...span, ...buckets, count: p.count + q.count, sum: p.sum + q.sum, min: Math.min(p.min, q.min), max: Math.max(p.max, q.max), exemplars: q.exemplars ?? p.exemplars };
}

/**
 * The metrics of two delta collections (or of what is left of them) as one, each series' points
 * merged by {@link mergePoints}. A merged metric keeps no more points than `limit` or than either
 * side had (so what waits is bounded as the collections are), the later collection's first.
 * `lost` counts the points let go.
 */
export function mergeMetrics(earlier: readonly MetricData[], later: readonly MetricData[], limit: number): { metrics: MetricData[]; lost: number } {
  let lost = 0;
  const out = later.slice();
  for (const e of earlier) {
    const i = out.findIndex((m) => m.name === e.name);
    const l = out[i];
    if (l === undefined) out.push(e);
    else if (l.type !== e.type) lost += e.points.length;
    else {
      const points = new Map<string, Point>();
      for (const p of l.points) points.set(seriesKey(p.attributes), p);
      for (const p of e.points) {
        const k = seriesKey(p.attributes);
        const q = points.get(k);
        const r = q ? mergePoints(l, p, q) : p;
        if (r) points.set(k, r);
        else lost++;
      }
      const list = [...points.values()];
      const max = Math.max(limit, l.points.length, e.points.length);
      if (list.length > max) lost += list.splice(max).length;
      out[i] = { ...l, points: list } as MetricData;
    }
  }
  return { metrics: out, lost };
}
