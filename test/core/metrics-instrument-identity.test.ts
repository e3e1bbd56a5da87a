/**
 * Asking for an instrument again: what is left out (a unit, buckets) asks for the existing one,
 * whatever it has, in the core and through the OpenTelemetry bridge.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../../src/testing/index.js';
import { base2ExponentialBuckets } from '../../src/index.js';
import { BridgeMeterProvider } from '../../src/otel/meter.js';
import type { Diagnostic } from '../../src/index.js';

const values = (monitor: ReturnType<typeof createTestMonitor>['monitor']) =>
  Object.fromEntries(monitor.metrics.collect().metrics.map((m) => [m.name, [m.unit, m.points.map((p) => ('value' in p ? p.value : (p as { count: number }).count))]]));

describe('an instrument asked for again', () => {
  it('without a unit: the existing one, whatever its unit (as labelNames and buckets left out)', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => {} });
    const c = monitor.metrics.createCounter('jobs_total', 'Jobs', { unit: '{job}' });
    expect(monitor.metrics.createCounter('jobs_total', 'Jobs')).toBe(c);
    const h = monitor.metrics.createHistogram('op.duration', 'Op', { unit: 'ms' });
    expect(monitor.metrics.createHistogram('op.duration', 'Op')).toBe(h);
    // Two different units are still a clash.
    expect(() => monitor.metrics.createHistogram('op.duration', 'Op', { unit: 's' })).toThrow(/already exists as a histogram with unit "ms"/);
  });

  it('without buckets under metrics.histogramBuckets: the fixed histogram the app made with its own buckets', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => {}, metrics: { histogramBuckets: base2ExponentialBuckets() } });
    const h = monitor.metrics.createHistogram('queue.wait', 'Wait', { unit: 's', buckets: [0.1, 1] });
    expect(monitor.metrics.createHistogram('queue.wait', 'Wait', { unit: 's' })).toBe(h);
    // A new histogram without buckets still gets the monitor's exponential ones.
    expect(monitor.metrics.createHistogram('other.wait', 'Wait').type).toBe('exponential_histogram');
  });

  it("the library's own http.server.request.duration records into a fixed histogram the app made first, under metrics.histogramBuckets", async () => {
    const diags: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => diags.push(d), metrics: { histogramBuckets: base2ExponentialBuckets() } });
    monitor.metrics.createHistogram('http.server.request.duration', 'Duration', {
      unit: 's',
      buckets: [0.1, 1],
      labelNames: ['http.request.method', 'http.response.status_code', 'http.route', 'url.scheme', 'error.type'],
    });
    const { httpServerMetrics } = await import('../../src/http/server-metrics.js');
    httpServerMetrics(monitor).duration.observe(0.05, { 'http.request.method': 'GET' });
    expect(values(monitor)['http.server.request.duration']).toEqual(['s', [1]]);
    expect(diags.filter((d) => d.kind === 'config')).toEqual([]);
  });

  it('OpenTelemetry API: a second handle without a unit, or with one on a name first made without, records (the SDK records both)', () => {
    const diags: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => diags.push(d) });
    const bp = new BridgeMeterProvider(monitor);
    bp.getMeter('a').createCounter('jobs', { unit: '{job}' }).add(1);
    bp.getMeter('b').createCounter('jobs').add(2);
    bp.getMeter('a').createUpDownCounter('items').add(3);
    bp.getMeter('b').createUpDownCounter('items', { unit: '{item}' }).add(4);
    const v = values(monitor);
    expect(v['jobs']).toEqual(['{job}', [3]]);
    expect(v['items']).toEqual(['', [7]]);
    expect(v['lexigram_monitor_dropped_total']).toBeUndefined();
    // The unit asked for and not kept is reported once.
    expect(diags.filter((d) => d.kind === 'otel').map((d) => d.message)).toEqual([
      'the up-down counter "items" from "b" asks for the unit "{item}", but it was first created without one; it records without one',
    ]);
  });
});

it('a name clash says what differs, in words: the article, the type, and labels declared against none', () => {
  const { monitor } = createTestMonitor();
  monitor.metrics.createUpDownCounter('queue.depth', 'Depth');
  expect(() => monitor.metrics.createHistogram('queue.depth', 'h')).toThrow('metric "queue.depth" already exists as an up-down counter and no labels; a histogram cannot share its name. Use another name.');
  monitor.metrics.createHistogram('call.duration', 'd', { unit: 's' });
  expect(() => monitor.metrics.createHistogram('call.duration', 'd', { unit: 's', labelNames: ['peer'] })).toThrow(
    'metric "call.duration" already exists as a histogram with unit "s" and no labels; a histogram with unit "s" and labels [peer] cannot share its name. Use another name.',
  );
});
