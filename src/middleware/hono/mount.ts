import type { Context } from 'hono';
import { checkOptionKeys, kindOf } from '../../config/option-keys.js';
import { metricsHandler, type MetricsHandlerOptions } from '../../exporters/prometheus/handler.js';
import type { MetricsSource } from '../../exporters/prometheus/source.js';

/** A Web handler that answers its path and returns undefined for others (`metricsHandler`, `healthHandler`). */
export type PathHandler = (request: Request) => Promise<Response | undefined> | Response | undefined;

export interface MountMonitoringOptions {
  /**
   * `/metrics` options, or false to leave it out. Default: `/metrics`, no auth. Like every
   * path here, `path` is the route within the app, under its `basePath()` or `route()` prefix.
   */
  metrics?: MetricsHandlerOptions | false;
  /**
   * The health endpoint: a handler such as `healthHandler(monitor)` from the health module,
   * and the path it answers (default: the handler's own path, else `/health`). A healthHandler's
   * liveness and readiness paths are mounted too. Not mounted when absent.
   */
  health?: { handler: PathHandler; path?: string };
}

const KNOWN: Record<keyof MountMonitoringOptions, 0> = { metrics: 0, health: 0 };
const HEALTH_KNOWN: Record<keyof NonNullable<MountMonitoringOptions['health']>, 0> = { handler: 0, path: 0 };

/**
 * The request with the path its handler was made for. Hono matched the route under the app's
 * `basePath()`, a `route()` prefix or a `strict: false` trailing slash, while the handler
 * compares the whole URL path with its own; the handler may be the caller's, so it is given
 * the URL it expects rather than told to skip its check.
 */
function atPath(request: Request, path: string): Request {
  const url = new URL(request.url);
  if (url.pathname === path) return request;
  url.pathname = path;
  // `cf` kept: on Workers it holds what the client accepts (see metricsHandler); elsewhere it is absent.
  return new Request(url, { method: request.method, headers: request.headers, cf: (request as { cf?: unknown }).cf } as RequestInit);
}

interface RouterLike {
  on(method: string | string[], path: string, handler: (c: Context) => Response | Promise<Response>): unknown;
}

/**
 * Mounts `/metrics` (Prometheus text or OpenMetrics, cumulative) and optionally `/health` on a
 * Hono app, served wherever the app is mounted (`basePath('/api')` serves `/api/metrics`).
 * Returns the app.
 *
 * @example
 * ```ts
 * mountMonitoring(app, monitor, { metrics: { auth: { bearerToken: env.METRICS_TOKEN } } });
 * ```
 */
export function mountMonitoring<A extends RouterLike>(app: A, monitor: MetricsSource, options: MountMonitoringOptions = {}): A {
  checkOptionKeys('mountMonitoring', options, KNOWN);
  if (options.metrics !== false) {
    const metricsOptions = options.metrics ?? {};
    const handler = metricsHandler(monitor, metricsOptions);
    const path = metricsOptions.path ?? '/metrics';
    app.on(['GET', 'HEAD'], path, async (c) => (await handler(atPath(c.req.raw, path))) ?? c.notFound());
  }
  if (options.health) {
    checkOptionKeys('mountMonitoring: health', options.health, HEALTH_KNOWN);
    const { handler, path } = options.health;
    if (typeof handler !== 'function') throw new TypeError(`mountMonitoring: health.handler must be a function such as healthHandler(monitor), got ${kindOf(handler)}.`);
    // Hono matches 'health' as '/health', but the handler's own paths (liveness, readiness) are
    // compared as given: a path without its "/" left them unmounted with nobody told.
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
      throw new TypeError(`mountMonitoring: health.path must start with "/", got ${kindOf(path)}.`);
    }
    // healthHandler lists its paths: its liveness and readiness paths are mounted with its main one.
    const own = (handler as { paths?: readonly string[] }).paths;
    const main = path ?? own?.[0] ?? '/health';
    for (const path of own?.[0] === main ? own : [main]) mountHealth(app, monitor, handler, path);
  }
  return app;
}

function mountHealth(app: RouterLike, monitor: MetricsSource, handler: PathHandler, path: string): void {
  app.on(['GET', 'HEAD'], path, async (c) => {
    const res = await handler(atPath(c.req.raw, path));
    if (res) return res;
    // The handler was made for another path (healthHandler's own `path`): every request here
    // would be a 404 with nobody told why.
    monitor.diag?.report(
      'config',
      `mountMonitoring: the health handler does not answer ${path}; make it for that path (healthHandler(monitor, { path: '${path}' })) or give mountMonitoring the handler's path`,
      undefined,
      `mount-health:${path}`,
    );
    return c.notFound();
  });
}
