/**
 * `metrics: { histogramBuckets: base2ExponentialBuckets() }` and OpenTelemetry API histograms:
 * as an exporter's aggregation preference does in the SDK, the monitor's exponential buckets
 * replace an instrument's bucket advice, and the points leave as OTLP ExponentialHistogram.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeMetricsProto } from '../../src/exporters/otlp/index.js';
import { base2ExponentialBuckets, createMonitor, NoOpBackend, setContextStorage } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('OpenTelemetry API histograms under metrics.histogramBuckets', () => {
  it('a histogram with explicitBucketBoundaries advice records into exponential buckets, sent as ExponentialHistogram', () => {
    setContextStorage(AsyncLocalStorage);
    const monitor = createMonitor({ serviceName: 'svc', backends: [new NoOpBackend()], metrics: { histogramBuckets: base2ExponentialBuckets() } });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    const h = metrics.getMeter('lib').createHistogram('payload.size', { unit: 'By', advice: { explicitBucketBoundaries: [100, 1000] } });
    for (const v of [50, 500, 5000]) h.record(v, { kind: 'json' });
    const snap = monitor.metrics.collect({ temporality: 'delta' });
    const m = snap.metrics.find((x) => x.name === 'payload.size')!;
    expect(m.type).toBe('exponential_histogram');
    const decoded = decodeProto('metrics', encodeMetricsProto({ resource: monitor.resource, scope: { name: 'lib' }, spans: [], logs: [], metrics: { ...snap, metrics: [m] } }));
    const dp = decoded.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0];
    expect(dp.count).toBe('3');
    expect(dp.positive.bucketCounts.reduce((a: number, n: string) => a + Number(n), 0)).toBe(3);
  });

  it('without the option, the advice gives fixed buckets, as before', () => {
    setContextStorage(AsyncLocalStorage);
    const monitor = createMonitor({ serviceName: 'svc', backends: [new NoOpBackend()] });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    metrics.getMeter('lib').createHistogram('payload.size', { unit: 'By', advice: { explicitBucketBoundaries: [100, 1000] } }).record(50);
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'payload.size')!;
    expect(m.type).toBe('histogram');
    expect((m.points[0] as unknown as { bounds: number[] }).bounds).toEqual([100, 1000]);
  });
});
