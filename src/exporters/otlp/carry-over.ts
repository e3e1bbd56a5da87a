import type { MetricData, MetricsSnapshot } from '../../model/metric-data.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { mergeMetrics } from '../../metrics/merge-points.js';

/** The library's own drop counter: its delta is never dropped with a failed export (see OtlpBackend). */
export const DROPPED_METRIC = 'lexigram_monitor_dropped_total';

/**
 * Metric deltas an OTLP backend could not deliver, waiting to ride with its next metrics export,
 * per resource (a backend shared by two monitors never sends one's data as the other's). A
 * metric held keeps no more series than `limit` (default: the default cardinality limit and the
 * overflow series, MET-11) or than one collection of it had; see mergeMetrics.
 */
export class DeltaCarry {
  /** Per resource, its scope and the metrics held. */
  readonly held = new Map<Resource, [InstrumentationScope, readonly MetricData[]]>();

  constructor(readonly limit: number = 2001) {}

  /**
   * Hands over what is held for `resource`, merged into `fresh` (a new delta collection; none for
   * a last export). `lost`: the points let go (past the bound).
   */
  take(resource: Resource, fresh: MetricsSnapshot | undefined): { metrics: MetricsSnapshot | undefined; lost: number } {
    const held = this.held.get(resource);
    if (held === undefined) return { metrics: fresh, lost: 0 };
    this.held.delete(resource);
    const r = mergeMetrics(held[1], fresh?.metrics ?? [], this.limit);
    return { metrics: { temporality: 'delta', time: fresh?.time ?? Date.now(), metrics: r.metrics }, lost: r.lost };
  }

  /**
   * Holds `metrics` (of an export that failed) for the next export of `resource`, merged with
   * what a concurrent failed export left meanwhile. Returns the points let go.
   */
  keep(resource: Resource, scope: InstrumentationScope, metrics: readonly MetricData[]): number {
    const r = mergeMetrics(this.held.get(resource)?.[1] ?? [], metrics, this.limit);
    if (r.metrics.length > 0) this.held.set(resource, [scope, r.metrics]);
    return r.lost;
  }
}
