import type { ExponentialHistogramMetric, ExponentialHistogramPoint, HistogramMetric, HistogramPoint } from '../../model/metric-data.js';
import { lowerBound } from '../../metrics/exponential-buckets.js';

/**
 * An exponential histogram as the classic histogram Prometheus text and OpenMetrics can carry
 * (neither has an exponential type): one `le` bound per bucket, its upper bound at the point's
 * scale (negative buckets by their bound nearest zero, then `le="0"` for the zeros when there are
 * negative values or zeros). The bounds move when a series' scale drops, so a series' `le` values
 * can change between scrapes. Each bucket's count is exact, with one exception: a negative value
 * exactly on a bound (-base^i, such as -1 or -2 at scale 0) is counted from the next bound up, not
 * under `le` -base^i itself, since a negative exponential bucket holds its far end (-base^(i+1),
 * not -base^i) where a classic bucket holds its upper one.
 */
export function classicHistogram(m: ExponentialHistogramMetric): HistogramMetric {
  return { name: m.name, help: m.help, unit: m.unit, temporality: m.temporality, type: 'histogram', points: m.points.map(classicPoint) };
}

function classicPoint(p: ExponentialHistogramPoint): HistogramPoint {
  const bounds: number[] = [];
  const counts: number[] = [];
  const neg = p.negative;
  // Negative bucket i holds [-base^(i+1), -base^i): most negative first, each closed by -base^i.
  for (let j = neg.bucketCounts.length - 1; j >= 0; j--) {
    bounds.push(-lowerBound(neg.offset + j, p.scale));
    counts.push(neg.bucketCounts[j]);
  }
  if (p.zeroCount > 0 || bounds.length > 0) {
    bounds.push(0);
    counts.push(p.zeroCount);
  }
  const pos = p.positive;
  // The last bucket below 2^1024 (Number.MAX_VALUE's; at scale -10 every value above 1) has no
  // finite upper bound: its count is the +Inf bucket's, not a second le="+Inf" line.
  let top = 0;
  for (let j = 0; j < pos.bucketCounts.length; j++) {
    const bound = lowerBound(pos.offset + j + 1, p.scale);
    if (bound === Infinity) top += pos.bucketCounts[j];
    else {
      bounds.push(bound);
      counts.push(pos.bucketCounts[j]);
    }
  }
  counts.push(top);
  return { attributes: p.attributes, startTime: p.startTime, time: p.time, count: p.count, sum: p.sum, min: p.min, max: p.max, bounds, bucketCounts: counts, exemplars: p.exemplars };
}
