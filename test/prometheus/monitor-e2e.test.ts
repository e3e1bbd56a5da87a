/** End to end: a real monitor from createMonitor, recorded through its instruments, rendered here. */
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { metricsHandler, PrometheusBackend, renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { validateOpenMetrics } from './openmetrics-validator.js';
import { SCOPE_LABELS as S } from './fixtures.js';
import { promtoolCheck, shouldRun } from './processes.js';

function recordedMonitor() {
  const prometheus = new PrometheusBackend();
  const monitor = createMonitor({ serviceName: 'e2e', backends: [prometheus] });
  const requests = monitor.metrics.createCounter('http.server.requests', 'Requests "served"\nby route', { labelNames: ['http.method', 'http.route'], unit: '{request}' });
  requests.increment(1, { 'http.method': 'GET', 'http.route': '/a\\b"c' });
  requests.increment(2, { 'http.method': 'GET', 'http.route': '/a\\b"c' });
  requests.increment(1, { 'http.method': 'POST', 'http.route': '/ü' });
  requests.increment(-1, { 'http.method': 'POST', 'http.route': '/ü' }); // dropped and counted, never thrown
  const duration = monitor.metrics.createHistogram('http.server.request.duration', 'Request duration', {
    labelNames: ['route'],
    unit: 's',
    buckets: [0.01, 0.1, 1],
  });
  for (const v of [0.005, 0.05, 0.5, 5]) duration.observe(v, { route: '/' });
  const depth = monitor.metrics.createGauge('queue-depth', 'Queue depth', { labelNames: ['queue'] });
  depth.set(7, { queue: 'jobs' });
  const pauses = monitor.metrics.createSummary('gc.pause', 'GC pauses', { unit: 's' });
  for (const v of [0.01, 0.02, 0.03]) pauses.observe(v);
  return { monitor, prometheus };
}

describe('end to end with createMonitor', () => {
  it('PT-07, PT-09: counters, histograms, gauges and summaries render with expected values (text 0.0.4)', () => {
    const { monitor } = recordedMonitor();
    const body = renderPrometheus(monitor);
    expect(body).toContain('# TYPE http_server_requests_total counter\n');
    expect(body).toContain(`http_server_requests_total{http_method="GET",http_route="/a\\\\b\\"c",${S}} 3\n`);
    expect(body).toContain(`http_server_requests_total{http_method="POST",http_route="/ü",${S}} 1\n`);
    expect(body).toContain('# HELP http_server_requests_total Requests "served"\\nby route\n');
    expect(body).toContain(`http_server_request_duration_seconds_bucket{route="/",${S},le="0.01"} 1\n`);
    expect(body).toContain(`http_server_request_duration_seconds_bucket{route="/",${S},le="0.1"} 2\n`);
    expect(body).toContain(`http_server_request_duration_seconds_bucket{route="/",${S},le="1.0"} 3\n`);
    expect(body).toContain(`http_server_request_duration_seconds_bucket{route="/",${S},le="+Inf"} 4\n`);
    expect(body).toContain(`http_server_request_duration_seconds_count{route="/",${S}} 4\n`);
    expect(body).toContain(`queue_depth{queue="jobs",${S}} 7\n`);
    expect(body).toMatch(new RegExp(`gc_pause_seconds\\{${S.replace(/\./g, '\\.')},quantile="0\\.5"\\} 0\\.0\\d+\n`)); // the core’s sketch is approximate
    expect(body).toContain(`gc_pause_seconds_sum{${S}} 0.06\n`);
    expect(body).toContain(`gc_pause_seconds_count{${S}} 3\n`);
    // The self-metric is an ordinary counter in the snapshot (MET-13 name already ends in _total).
    expect(body).toContain('# TYPE lexigram_monitor_dropped_total counter\n');
    expect(body).toContain(`lexigram_monitor_dropped_total{reason="negative_increment",${S}} 1\n`);
  });

  it('OM-01..OM-11: OpenMetrics from a real monitor is structurally valid', () => {
    const { monitor } = recordedMonitor();
    const body = renderPrometheus(monitor, { format: 'openmetrics' });
    expect(validateOpenMetrics(body)).toEqual([]);
    expect(body).toContain('# TYPE http_server_requests counter\n');
    expect(body).toContain('# UNIT http_server_request_duration_seconds seconds\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it.runIf(shouldRun('promtool'))('promtool check metrics accepts a real monitor’s exposition', () => {
    const { monitor } = recordedMonitor();
    const r = promtoolCheck(renderPrometheus(monitor));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('PrometheusBackend in a monitor: flushing is a no-op, the handler serves the metrics', async () => {
    const { monitor, prometheus } = recordedMonitor();
    await monitor.flush();
    const res = (await prometheus.handler(monitor)(new Request('http://x/metrics')))!;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`queue_depth{queue="jobs",${S}} 7\n`);
    const res2 = (await metricsHandler(monitor)(new Request('http://x/metrics', { headers: { accept: 'application/openmetrics-text' } })))!;
    expect((await res2.text()).endsWith('# EOF\n')).toBe(true);
    await monitor.shutdown();
  });
});
