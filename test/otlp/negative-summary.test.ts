/**
 * MET-09 (metrics.proto SummaryDataPoint): quantile values must not be negative, and `sum` is not
 * filled out once negative events were recorded. A summary that observed negative values is sent
 * without its negative quantile values and its sum, and the points so trimmed are counted.
 */
import { describe, expect, it } from 'vitest';
import { encodeMetricsJson, encodeMetricsProto, OtlpBackend } from '../../src/exporters/otlp/index.js';
import type { Diagnostic, TelemetryBatch } from '../../src/model/batch.js';
import type { SummaryMetric } from '../../src/model/metric-data.js';
import { createMonitor } from '../../src/index.js';
import { renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { parseJson } from './helpers/canonical.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';

const base = batch({ metrics: true });
const sm = base.metrics!.metrics.find((m) => m.type === 'summary') as SummaryMetric;
const p0 = sm.points[0]!;
const summary: SummaryMetric = {
  ...sm,
  points: [
    { ...p0, attributes: { job: 'neg' }, count: 4, sum: -7, quantiles: [{ quantile: 0, value: -5 }, { quantile: 0.5, value: -1 }, { quantile: 0.9, value: 2 }, { quantile: 1, value: 2 }] },
    // a positive sum, but a negative quantile: negative events were recorded all the same
    { ...p0, attributes: { job: 'mixed' }, count: 3, sum: 8, quantiles: [{ quantile: 0, value: -1 }, { quantile: 1, value: 6 }] },
    { ...p0, attributes: { job: 'ok' }, count: 2, sum: 3, quantiles: [{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }] },
  ],
};
const b: TelemetryBatch = { ...base, metrics: { ...base.metrics!, metrics: [summary] } };

describe('MET-09: summaries that recorded negative values', () => {
  const decoded = {
    json: parseJson(encodeMetricsJson(b)),
    proto: decodeProto('metrics', encodeMetricsProto(b)),
  };
  for (const [encoding, d] of Object.entries(decoded)) {
    it(`${encoding}: negative quantile values and the sum are left out; other points untouched`, () => {
      const [neg, mixed, ok] = d.resourceMetrics[0].scopeMetrics[0].metrics[0].summary.dataPoints;
      expect(neg.quantileValues).toEqual([{ quantile: 0.9, value: 2 }, { quantile: 1, value: 2 }]);
      expect(neg.sum ?? 0).toBe(0);
      expect(neg.count).toBe('4');
      expect(mixed.quantileValues).toEqual([{ quantile: 1, value: 6 }]);
      expect(mixed.sum ?? 0).toBe(0);
      expect(ok.sum).toBe(3);
      expect(ok.quantileValues).toEqual([{ quantile: 0.5, value: 1 }, { quantile: 1, value: 2 }]);
    });
  }

  it('the backend counts the trimmed points (export_rejected) and says why', async () => {
    const diags: Diagnostic[] = [];
    const fetch = async () => new Response(null, { status: 200 });
    const backend = new OtlpBackend({ fetch, onDiagnostic: (d) => diags.push(d), signals: ['metrics'] });
    const r = await backend.export(b);
    expect(r).toMatchObject({ ok: true, rejected: { dataPoints: 2 } });
    expect(r.error).toMatch(/2 summary points.*negative/);
    expect(diags).toEqual([expect.objectContaining({ kind: 'export_rejected', detail: expect.objectContaining({ signal: 'metrics', items: 2 }) })]);
  });

  it('through a monitor: counted in lexigram_monitor_dropped_total, the export still delivered', async () => {
    const bodies: Uint8Array[] = [];
    const fetch = async (_u: string, init: RequestInit) => (bodies.push(init.body as Uint8Array), new Response(null, { status: 200 }));
    const monitor = createMonitor({ serviceName: 's', backends: [new OtlpBackend({ fetch, signals: ['metrics'] })], onDiagnostic: () => {} });
    const s = monitor.metrics.createSummary('temp_delta', 'h');
    for (const v of [-5, -3, -1, 2]) s.observe(v);
    await monitor.flush();
    expect(bodies).toHaveLength(1);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(dropped?.points).toEqual([expect.objectContaining({ attributes: { reason: 'export_rejected' }, value: 1 })]);
    await monitor.shutdown();
  });

  it('a series whose sum and quantiles came back above zero still goes without its sum, in OTLP and in OpenMetrics (−1, then nine 100s: the sum 899 was sent)', async () => {
    const bodies: Uint8Array[] = [];
    const fetch = async (_u: string, init: RequestInit) => (bodies.push(init.body as Uint8Array), new Response(null, { status: 200 }));
    const monitor = createMonitor({ serviceName: 's', backends: [new OtlpBackend({ fetch, signals: ['metrics'] })], onDiagnostic: () => {} });
    const s = monitor.metrics.createSummary('offset_seconds', 'h', { quantiles: [0.5, 0.9] });
    s.observe(-1);
    for (let i = 0; i < 9; i++) s.observe(100);
    await monitor.flush();
    const point = decodeProto('metrics', bodies[0]!).resourceMetrics[0].scopeMetrics[0].metrics.find((m: { name: string }) => m.name === 'offset_seconds').summary.dataPoints[0];
    expect(point.count).toBe('10');
    expect(point.sum ?? 0).toBe(0);
    expect(point.quantileValues.map((q: { quantile: number; value: number }) => q.quantile)).toEqual([0.5, 0.9]);
    expect(point.quantileValues.every((q: { value: number }) => q.value > 0)).toBe(true);
    const text = renderPrometheus(monitor, { format: 'openmetrics', withoutScopeInfo: true, withoutTargetInfo: true });
    expect(text).toContain('offset_seconds_count 10');
    expect(text).not.toContain('offset_seconds_sum');
    await monitor.shutdown();
  });
});
