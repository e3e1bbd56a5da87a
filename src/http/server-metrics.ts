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
      duration: monitor.metrics.createHistogram('http.server.request.duration', 'Duration of HTTP server requests.', {
        unit: 's',
        labelNames: ['http.request.method', 'http.response.status_code', 'http.route', 'url.scheme', 'error.type'],
      }),
      active: monitor.metrics.createUpDownCounter('http.server.active_requests', 'Number of active HTTP server requests.', {
        unit: '{request}',
        labelNames: ['http.request.method', 'url.scheme'],
      }),
    };
    cache.set(monitor, m);
  }
  return m;
}
