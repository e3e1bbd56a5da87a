/**
 * `PrometheusBackend`: the pull side as a backend. Prometheus scrapes, so there is nothing to
 * send at flush time; the backend only carries the endpoint settings and serves `/metrics`.
 *
 * @module
 */

import type { Backend, ExportResult, TelemetryBatch } from '../../model/batch.js';
import type { MetricsAuth } from './auth.js';
import { checkOptionKeys } from '../../config/option-keys.js';
import { createMetricsHandler, METRICS_HANDLER_KEYS, type MetricsHandler } from './handler.js';
import { renderSnapshot, type DroppedMetric, type ExpositionFormat } from './render.js';
import { dropHandler, expositionOf, type ExpositionOptions, type MetricsSource } from './source.js';

export interface PrometheusBackendOptions extends ExpositionOptions {
  /** Default `/metrics`. */
  readonly path?: string;
  readonly auth?: MetricsAuth;
  /** `negotiate` (default) follows the scraper's Accept header; the others force a format. */
  readonly format?: ExpositionFormat | 'negotiate';
  readonly onDrop?: (dropped: DroppedMetric) => void;
  /** `gzip` (default) when the scraper accepts it, or `none`. */
  readonly compression?: 'gzip' | 'none';
}

const OK: ExportResult = Object.freeze({ ok: true });

/**
 * A pull backend. `temporality: 'none'` tells the monitor not to build metric snapshots for it
 * at flush time; the metrics are read at scrape time through `handler(monitor)` instead.
 *
 * @example
 * const prometheus = new PrometheusBackend({ auth: { bearerToken: env.METRICS_TOKEN } });
 * const monitor = createMonitor({ backends: [prometheus] });
 * const metrics = prometheus.handler(monitor);
 * export default { fetch: async (req: Request) => (await metrics(req)) ?? app(req) };
 */
export class PrometheusBackend implements Backend {
  readonly name = 'prometheus';
  readonly temporality = 'none' as const;
  /** A scrape reads totals: the monitor keeps idle series for it before the first scrape comes. */
  readonly readsTotals = true;
  readonly options: PrometheusBackendOptions;

  constructor(options: PrometheusBackendOptions = {}) {
    checkOptionKeys('PrometheusBackend', options, METRICS_HANDLER_KEYS);
    this.options = { ...options };
    // Validate now (path, format, auth) so bad configuration fails at start-up (DESIGN §5), and
    // say so under this class's name: the user never called metricsHandler.
    createMetricsHandler('PrometheusBackend', { metrics: { collect: () => ({ temporality: 'cumulative', time: 0, metrics: [] }) } }, this.options);
  }

  /** The `/metrics` handler for this monitor; resolves `undefined` for other paths. */
  handler(monitor: MetricsSource): MetricsHandler {
    return createMetricsHandler('PrometheusBackend.handler', monitor, this.options);
  }

  /** The exposition as a string; `format` defaults to the backend's, or `text` when negotiating. */
  render(monitor: MetricsSource, format?: ExpositionFormat): string {
    const configured = this.options.format;
    const chosen = format ?? (configured === 'openmetrics' || configured === 'text' ? configured : 'text');
    const onDrop = dropHandler(monitor, this.options.onDrop);
    const e = expositionOf(monitor, this.options);
    return renderSnapshot(monitor.metrics.collect({ temporality: 'cumulative' }), {
      format: chosen,
      onDrop,
      resource: e.resource,
      scope: e.scope,
      withoutTargetInfo: e.withoutTargetInfo,
      withoutScopeInfo: e.withoutScopeInfo,
      withResourceConstantLabels: e.withResourceConstantLabels,
    });
  }

  /** Nothing to push: Prometheus pulls. Always succeeds. */
  export(_batch: TelemetryBatch): Promise<ExportResult> {
    return Promise.resolve(OK);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
