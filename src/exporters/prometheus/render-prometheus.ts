/**
 * Collects a monitor's metrics and renders them.
 *
 * @module
 */

import { renderSnapshot, type ExpositionFormat, type RenderOptions } from './render.js';
import { dropHandler, type MetricsSource } from './source.js';

export interface RenderPrometheusOptions extends Omit<RenderOptions, 'reservedNames'> {
  /** Default `text` (0.0.4). */
  readonly format?: ExpositionFormat;
}

/**
 * Renders the monitor's current cumulative metrics as Prometheus text 0.0.4 or OpenMetrics 1.0.
 *
 * @param monitor any object with `metrics.collect({ temporality: 'cumulative' })`
 * @param options `format` defaults to `text`
 * @example
 * import { renderPrometheus } from '@lexigram/monitor/prometheus';
 * const body = renderPrometheus(monitor, { format: 'openmetrics' });
 */
export function renderPrometheus(monitor: MetricsSource, options: RenderPrometheusOptions = {}): string {
  const onDrop = dropHandler(monitor, options.onDrop);
  return renderSnapshot(monitor.metrics.collect({ temporality: 'cumulative' }), onDrop ? { ...options, onDrop } : options);
}
