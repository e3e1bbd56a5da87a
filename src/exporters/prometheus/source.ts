/**
 * What the Prometheus exporter needs from a monitor: a way to collect cumulative metrics.
 * A structural type, so this folder does not depend on the Monitor class.
 *
 * @module
 */

import type { MetricsSnapshot } from '../../model/metric-data.js';

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
}
