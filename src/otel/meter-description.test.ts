/**
 * An API instrument whose description is not a string (null from JavaScript, a number): the
 * SDK keeps the instrument; so does the bridge, without the description, instead of an
 * instrument whose every measurement is dropped.
 */
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('an instrument whose description is not a string', () => {
  it('records its measurements, without a description, and nothing is dropped', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const meter = metrics.getMeter('m');
    meter.createCounter('jobs_null', { description: null as never }).add(2);
    meter.createUpDownCounter('jobs_number', { description: 5 as never }).add(3);
    meter.createHistogram('latency', { description: {} as never }).record(4);
    meter.createGauge('depth', { description: 1 as never }).record(5);
    meter.createObservableGauge('temp', { description: null as never }).addCallback((r) => r.observe(6));
    const got = monitor.metrics.collect({ temporality: 'cumulative' }).metrics;
    const values = Object.fromEntries(got.map((m) => [m.name, (m.points[0] as { value?: number; sum?: number }).value ?? (m.points[0] as { sum?: number }).sum]));
    expect(values).toMatchObject({ jobs_null: 2, jobs_number: 3, latency: 4, depth: 5, temp: 6 });
    expect(got.find((m) => m.name === 'jobs_null')?.help).toBe('');
    expect(got.find((m) => m.name === 'lexigram_monitor_dropped_total')).toBeUndefined();
  });
});
