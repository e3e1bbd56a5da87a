import type { Monitor } from '../monitor.js';
import type { Histogram } from '../metrics/histogram.js';
import type { UpDownCounter } from '../metrics/counter.js';

export interface HttpServerMetrics {
  duration: Histogram;
  active: UpDownCounter;
}

const cache = new WeakMap<Monitor, HttpServerMetrics>();

/**
 * The OpenTelemetry HTTP server metrics, created once per monitor: `http.server.request.duration`
 * in seconds (DN-03 buckets) and `http.server.active_requests`.
 */
export function httpServerMetrics(monitor: Monitor): HttpServerMetrics {
  let m = cache.get(monitor);
  if (!m) {
    m = {
      duration: orNothing(monitor, 'http.server.request.duration', (name) =>
        monitor.metrics.createHistogram(name, 'Duration of HTTP server requests.', {
          unit: 's',
          labelNames: ['http.request.method', 'http.response.status_code', 'http.route', 'url.scheme', 'error.type'],
        }),
      ),
      active: orNothing(monitor, 'http.server.active_requests', (name) =>
        monitor.metrics.createUpDownCounter(name, 'Number of active HTTP server requests.', {
          unit: '{request}',
          labelNames: ['http.request.method', 'url.scheme'],
        }),
      ),
    };
    cache.set(monitor, m);
  }
  return m;
}

/** A client's histogram (a duration in seconds unless `unit` says otherwise), created once per monitor on first use. */
export function clientHistogram(name: string, help: string, labelNames: string[], buckets?: number[], unit = 's'): (monitor: Monitor) => Histogram {
  const made = new WeakMap<Monitor, Histogram>();
  return (monitor) => {
    let h = made.get(monitor);
    // Bucket advice gives way to the monitor's exponential buckets, as the SDK's does to an exporter's
    // preference, and to the buckets of one the app made first (asked for without, the existing one
    // is returned; given, a clash recorded nothing), as the server duration does.
    if (!h) made.set(monitor, (h = orNothing(monitor, name, (n) => monitor.metrics.createHistogram(n, help, { unit, labelNames, buckets: monitor.metrics.getMetric(n) !== undefined ? undefined : (monitor.metrics.histogramBuckets ?? buckets) }) as Histogram)));
    return h;
  };
}

/** `http.client.request.duration` in seconds, created once per monitor (the traced fetch's metric). */
export const httpClientDuration: (monitor: Monitor) => Histogram = /* @__PURE__ */ clientHistogram('http.client.request.duration', 'Duration of HTTP client requests.', [
  'http.request.method',
  'server.address',
  'server.port',
  'http.response.status_code',
  'error.type',
]);

/**
 * `db.client.operation.duration` in seconds, created once per monitor (the Workers bindings'
 * metric). Attributes and bucket advice from the database metrics conventions
 * (https://opentelemetry.io/docs/specs/semconv/database/database-metrics/): `db.system.name`
 * required; `db.namespace`, `db.operation.name` and `error.type` (on failure) conditionally
 * required. `db.query.text` is opt-in and stays off: a label per statement.
 */
export const dbClientDuration: (monitor: Monitor) => Histogram = /* @__PURE__ */ clientHistogram(
  'db.client.operation.duration',
  'Duration of database client operations.',
  ['db.system.name', 'db.namespace', 'db.operation.name', 'error.type'],
  [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
);

/**
 * The instrument, or one that records nothing when the name is taken by another kind of metric:
 * an OpenTelemetry instrumentation (`@hono/otel` through the `/otel` bridge) may have made
 * it first, and it records these requests already. Creating it here is on every request's path,
 * so a clash must not fail the request; it is reported once instead, and each measurement it
 * takes is counted as dropped (`invalid_instrument`): another producer of the name (a client
 * library's, for calls other than fetch) does not record them.
 */
function orNothing<T>(monitor: Monitor, name: string, make: (name: string) => T): T {
  try {
    return make(name);
  } catch (err) {
    monitor.diag.report(
      'config',
      () => `the metric "${name}" exists with another shape; this library's is not recorded, so requests are not counted twice, each measurement counted as dropped: ${err instanceof Error ? err.message : String(err)}`,
      err,
      `http-metric:${name}`,
    );
    // Takes every call and returns itself (chains hold), counting each as a lost measurement.
    const dropped: unknown = new Proxy(function () {}, { get: () => dropped, apply: () => (monitor.diag.count('invalid_instrument', 1), dropped) });
    return dropped as T;
  }
}
