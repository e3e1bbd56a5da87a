import type { Context } from 'hono';
import { metricsHandler, type MetricsHandlerOptions } from '../../exporters/prometheus/handler.js';
import type { MetricsSource } from '../../exporters/prometheus/source.js';

/** A Web handler that answers its path and returns undefined for others (`metricsHandler`, `healthHandler`). */
export type PathHandler = (request: Request) => Promise<Response | undefined> | Response | undefined;

export interface MountMonitoringOptions {
  /** `/metrics` options, or false to leave it out. Default: `/metrics`, no auth. */
  metrics?: MetricsHandlerOptions | false;
  /**
   * The health endpoint: a handler such as `healthHandler(monitor)` from the health module,
   * and the path it answers (default `/health`). Not mounted when absent.
   */
  health?: { handler: PathHandler; path?: string };
}

interface RouterLike {
  on(method: string | string[], path: string, handler: (c: Context) => Response | Promise<Response>): unknown;
}

/**
 * Mounts `/metrics` (Prometheus text or OpenMetrics, cumulative) and optionally `/health` on a
 * Hono app. Returns the app.
 *
 * @example
 * ```ts
 * mountMonitoring(app, monitor, { metrics: { auth: { bearerToken: env.METRICS_TOKEN } } });
 * ```
 */
export function mountMonitoring<A extends RouterLike>(app: A, monitor: MetricsSource, options: MountMonitoringOptions = {}): A {
  if (options.metrics !== false) {
    const metricsOptions = options.metrics ?? {};
    const handler = metricsHandler(monitor, metricsOptions);
    app.on(['GET', 'HEAD'], metricsOptions.path ?? '/metrics', async (c) => (await handler(c.req.raw)) ?? c.notFound());
  }
  if (options.health) {
    const { handler, path = '/health' } = options.health;
    app.on(['GET', 'HEAD'], path, async (c) => (await handler(c.req.raw)) ?? c.notFound());
  }
  return app;
}
