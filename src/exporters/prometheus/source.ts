/**
 * What the Prometheus exporter needs from a monitor: a way to collect cumulative metrics, and
 * (optionally) the monitor's diagnostics, where metrics left out of an exposition are counted.
 * A structural type, so this folder does not depend on the Monitor class.
 *
 * @module
 */

import type { Diagnostic, DropReason } from '../../model/batch.js';
import type { MetricsSnapshot } from '../../model/metric-data.js';
import type { DroppedMetric } from './render.js';

/**
 * Anything that can produce a cumulative snapshot: a monitor, or a test double.
 *
 * @example
 * const source: MetricsSource = { metrics: { collect: () => snapshot } };
 */
export interface MetricsSource {
  readonly metrics: {
    collect(options: { temporality: 'cumulative' }): MetricsSnapshot;
  };
  /** A monitor's diagnostics: drops are counted in `lexigram_monitor_dropped_total` there. */
  readonly diag?: {
    count(reason: DropReason, n: number): void;
    report(kind: Diagnostic['kind'], message: string, detail?: unknown, key?: string): void;
  };
}

/**
 * The `onDrop` a render gets: the caller's, plus counting and reporting through the source's
 * diagnostics when it has them, so a metric left out (a name clash, MET-13) or a summary or
 * histogram point trimmed of negative values in OpenMetrics is never silent.
 * Counted as `export_rejected` on every render that leaves it out; reported once per family.
 */
export function dropHandler(source: MetricsSource, onDrop?: (dropped: DroppedMetric) => void): ((dropped: DroppedMetric) => void) | undefined {
  const diag = source.diag;
  if (diag === undefined || typeof diag.count !== 'function') return onDrop;
  return (d) => {
    diag.count('export_rejected', 1);
    diag.report(
      'export_rejected',
      d.reason === 'negative_summary'
        ? `summary "${d.metric}" has negative values: OpenMetrics leaves out those and its sum; format "text" keeps them`
        : d.reason === 'negative_histogram'
        ? `histogram "${d.metric}" has a negative sum or bound: OpenMetrics leaves out its sum and count; format "text" keeps them`
        : `${d.reason === 'duplicate_series' ? 'a series of ' : ''}metric "${d.metric}" was left out of the Prometheus exposition (${d.reason}: family "${d.family}"); ${FIX[d.reason]}`,
      d,
      `prometheus:${d.reason}:${d.family}`,
    );
    onDrop?.(d);
  };
}

/** What to change, per reason a metric or series is left out. */
const FIX: Record<string, string> = {
  name_conflict: 'rename one of the clashing metrics',
  delta_temporality: 'collect it with temporality "cumulative"',
  // Label names are made valid (`.` → `_`, `le` → `key_le`), and two sets can then be one.
  duplicate_series: 'rename the labels that are equal once made valid Prometheus names',
};
