import { describe, expect, it } from 'vitest';
import { encodeMetricsJson, encodeMetricsProto } from '../../src/exporters/otlp/index.js';
import { base2ExponentialBuckets, createMonitor, NoOpBackend } from '../../src/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { ExponentialHistogramPoint, MetricsSnapshot } from '../../src/model/metric-data.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { decodeProto } from './helpers/proto-decoder.js';

/** A real monitor's exponential histogram: values of both signs, zeros, and one inside a sampled span. */
function snapshot(temporality: 'delta' | 'cumulative', values: number[]): MetricsSnapshot {
  const monitor = createMonitor({ serviceName: 'svc', backends: [new NoOpBackend()] });
  const h = monitor.metrics.createHistogram('request.latency', 'Latency.', { unit: 's', labelNames: ['route'], buckets: base2ExponentialBuckets() });
  for (const v of values) h.observe(v, { route: '/a' });
  monitor.tracer.startActiveSpan('op', () => h.observe(0.25, { route: '/a' }));
  const snap = monitor.metrics.collect({ temporality });
  return { ...snap, metrics: snap.metrics.filter((m) => m.name === 'request.latency') };
}

function batchOf(metrics: MetricsSnapshot): TelemetryBatch {
  return { resource: { attributes: { 'service.name': 'svc' } }, scope: { name: 'test' }, spans: [], logs: [], metrics };
}

const uint = (n: number) => String(n);

describe('exponential histogram over OTLP, decoded by protobufjs from the official metrics.proto', () => {
  for (const temporality of ['delta', 'cumulative'] as const) {
    it(`protobuf: an ExponentialHistogram (metric field 10) with scale, zero count, both sides' offsets and counts, min, max, exemplar (${temporality})`, () => {
      const snap = snapshot(temporality, [0.001, 0.002, 0.5, 3, 0, 0, 120]);
      const p = snap.metrics[0]!.points[0] as ExponentialHistogramPoint;
      const decoded = decodeProto('metrics', encodeMetricsProto(batchOf(snap)));
      const m = decoded.resourceMetrics[0].scopeMetrics[0].metrics[0];
      expect(m).toMatchObject({ name: 'request.latency', description: 'Latency.', unit: 's' });
      expect(m.histogram).toBeUndefined();
      expect(m.exponentialHistogram.aggregationTemporality).toBe(temporality === 'delta' ? 1 : 2);
      const dp = m.exponentialHistogram.dataPoints[0];
      expect(dp.attributes).toEqual([{ key: 'route', value: { stringValue: '/a' } }]);
      expect(dp.count).toBe('8');
      expect(dp.sum).toBeCloseTo(0.001 + 0.002 + 0.5 + 3 + 120 + 0.25, 12);
      expect(dp.scale).toBe(p.scale);
      expect(dp.scale).toBeLessThan(20);
      expect(dp.zeroCount).toBe('2');
      expect(dp.positive.offset ?? 0).toBe(p.positive.offset);
      expect(dp.positive.offset).toBeLessThan(0); // 0.001 is below 1: a negative index, zigzag-encoded
      expect(dp.positive.bucketCounts).toEqual(p.positive.bucketCounts.map(uint));
      expect(dp.positive.bucketCounts.reduce((a: number, n: string) => a + Number(n), 0)).toBe(6);
      expect(dp.negative).toBeUndefined();
      expect(dp.min).toBe(0);
      expect(dp.max).toBe(120);
      expect(dp.exemplars).toHaveLength(1);
      expect(dp.exemplars[0].asDouble).toBe(0.25);
      expect(dp.exemplars[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    });
  }

  it('negative values fill the negative buckets and leave `sum` unset (MET-06), in protobuf and JSON alike', () => {
    const snap = snapshot('cumulative', [-5, -0.5, 2, 8]);
    const proto = decodeProto('metrics', encodeMetricsProto(batchOf(snap)));
    const dp = proto.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0];
    expect(dp.sum).toBeUndefined();
    expect(dp.min).toBe(-5);
    expect(dp.negative.bucketCounts.reduce((a: number, n: string) => a + Number(n), 0)).toBe(2);
    expect(dp.positive.bucketCounts.reduce((a: number, n: string) => a + Number(n), 0)).toBe(3);
  });

  it('OTLP-J1: the JSON encoding is the protobuf one in proto3 JSON form (int64 as strings, scale and offset as numbers)', () => {
    for (const temporality of ['delta', 'cumulative'] as const) {
      const b = batchOf(snapshot(temporality, [-3, 0, 0.004, 0.03, 1, 7.5, 1e6]));
      const json = parseJson(encodeMetricsJson(b));
      expect(canonical(json)).toEqual(canonical(decodeProto('metrics', encodeMetricsProto(b))));
      const dp = json.resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0];
      expect(typeof dp.scale).toBe('number');
      expect(typeof dp.positive.offset).toBe('number');
      expect(typeof dp.zeroCount).toBe('string');
    }
  });
});
