/**
 * Two producers of one metric name: an API-instrumented client library and the monitor's own
 * instrument (the traced fetch's `http.client.request.duration`). The first creation keeps the
 * name (the same calls are not counted twice); every measurement the other makes is counted in
 * `lexigram_monitor_dropped_total{reason="invalid_instrument"}`, and the diagnostic says so.
 */
import { metrics } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { httpClientDuration, httpServerMetrics } from '../http/server-metrics.js';
import type { Diagnostic, Monitor } from '../index.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => unregisterOpenTelemetry());

const dropped = (monitor: Monitor, reason: string): number =>
  monitor.metrics
    .collect({ temporality: 'cumulative' })
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')
    ?.points.filter((p) => p.attributes.reason === reason)
    .reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;

const observations = (monitor: Monitor, name: string): number =>
  (monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === name)?.points as { count: number }[] | undefined)?.reduce((n, p) => n + p.count, 0) ?? 0;

const attrs = { 'http.request.method': 'GET', 'server.address': 'a.test', 'server.port': 443, 'http.response.status_code': 200 };

it("the monitor's instrument first: the API histogram's measurements are counted as dropped", () => {
  const diagnostics: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  httpClientDuration(monitor).observe(0.1, attrs);
  const lib = metrics.getMeter('my-http-client').createHistogram('http.client.request.duration', { unit: 's' });
  lib.record(0.2, attrs);
  lib.record(0.3, attrs);
  expect(observations(monitor, 'http.client.request.duration')).toBe(1);
  expect(dropped(monitor, 'invalid_instrument')).toBe(2);
  expect(diagnostics.filter((d) => d.message.includes('http.client.request.duration'))).toHaveLength(1);
});

it("the API histogram first: the traced fetch's measurements are counted as dropped", () => {
  const diagnostics: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  const lib = metrics.getMeter('my-http-client').createHistogram('http.client.request.duration', { unit: 's' });
  lib.record(0.2, attrs);
  lib.record(0.3, attrs);
  httpClientDuration(monitor).observe(0.1, attrs);
  expect(observations(monitor, 'http.client.request.duration')).toBe(2);
  expect(dropped(monitor, 'invalid_instrument')).toBe(1);
  const clash = diagnostics.filter((d) => d.message.includes('http.client.request.duration'));
  expect(clash).toHaveLength(1);
  expect(clash[0]!.message).toMatch(/each measurement counted as dropped/);
});

it('an up-down counter of another unit first: each change of the active requests is counted as dropped', () => {
  const diagnostics: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  metrics.getMeter('http-lib').createUpDownCounter('http.server.active_requests').add(1, { 'http.request.method': 'GET' });
  httpServerMetrics(monitor).active.add(1, { 'http.request.method': 'GET', 'url.scheme': 'http' });
  httpServerMetrics(monitor).active.add(-1, { 'http.request.method': 'GET', 'url.scheme': 'http' });
  expect(dropped(monitor, 'invalid_instrument')).toBe(2);
  expect(diagnostics.filter((d) => d.message.includes('http.server.active_requests'))).toHaveLength(1);
});
