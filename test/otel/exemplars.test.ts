import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, setContextStorage, type Monitor, type TelemetryBatch } from '../../src/index.js';
import { encodeMetricsJson, encodeMetricsProto } from '../../src/exporters/otlp/index.js';
import { renderSnapshot } from '../../src/exporters/prometheus/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

let monitor: Monitor;

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
  monitor = createMonitor({ serviceName: 'ex', backends: [new MemoryBackend()], onDiagnostic: () => {} });
  registerOpenTelemetry(monitor);
});
afterAll(() => unregisterOpenTelemetry());

function batchOf(m: Monitor, temporality: 'delta' | 'cumulative'): TelemetryBatch {
  return { resource: m.resource, scope: { name: '@lexigram/monitor' }, spans: [], logs: [], metrics: m.metrics.collect({ temporality }) };
}

function decodedExemplars(body: Uint8Array, name: string): any[] {
  const req = decodeProto('metrics', body);
  const metric = req.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics).find((x: any) => x.name === name);
  return metric.histogram.dataPoints.flatMap((p: any) => p.exemplars ?? []);
}

describe('exemplars: a histogram observation inside a recording span carries its trace and span id', () => {
  it('MET-10: in OTLP protobuf (decoded with protobufjs: timeUnixNano, asDouble, spanId, traceId), OTLP JSON and OpenMetrics text', async () => {
    const h = monitor.metrics.createHistogram('work_seconds', 'work', { unit: 's', buckets: [0.1, 1] });
    let ids = { traceId: '', spanId: '' };
    monitor.tracer.startActiveSpan('work', (span) => {
      ids = span.spanContext();
      h.observe(0.5);
    });
    h.observe(0.05); // outside any span: no exemplar
    const cumulative = batchOf(monitor, 'cumulative');

    const proto = decodedExemplars(encodeMetricsProto(cumulative), 'work_seconds');
    expect(proto).toHaveLength(1);
    expect(proto[0]).toMatchObject({ asDouble: 0.5, traceId: ids.traceId, spanId: ids.spanId });
    expect(BigInt(proto[0].timeUnixNano)).toBeGreaterThan(1_600_000_000_000_000_000n);

    const json = JSON.parse(new TextDecoder().decode(encodeMetricsJson(cumulative)));
    const jm = json.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics).find((x: any) => x.name === 'work_seconds');
    expect(jm.histogram.dataPoints[0].exemplars).toEqual([{ timeUnixNano: expect.stringMatching(/^\d{19}$/), asDouble: 0.5, traceId: ids.traceId, spanId: ids.spanId }]);

    const om = renderSnapshot(cumulative.metrics!, { format: 'openmetrics' });
    const line = om.split('\n').find((l) => l.startsWith('work_seconds_bucket{le="1.0"}'));
    expect(line).toMatch(new RegExp(`^work_seconds_bucket\\{le="1\\.0"\\} 2 # \\{trace_id="${ids.traceId}",span_id="${ids.spanId}"\\} 0\\.5 \\d+(\\.\\d+)?$`));
    // the bucket of the observation made outside a span has none
    expect(om.split('\n').find((l) => l.startsWith('work_seconds_bucket{le="0.1"}'))).not.toContain('#');
    // text 0.0.4 carries no exemplars
    expect(renderSnapshot(cumulative.metrics!)).not.toContain('trace_id');
  });

  it('a delta collection (OTLP) leaves the cumulative reader (Prometheus /metrics) its exemplars, and carries only its own interval\'s', () => {
    const h = monitor.metrics.createHistogram('mixed_seconds', 'mixed', { unit: 's', buckets: [1] });
    monitor.tracer.startActiveSpan('first', () => h.observe(0.5));
    const firstDelta = batchOf(monitor, 'delta').metrics!.metrics.find((m) => m.name === 'mixed_seconds')!;
    expect((firstDelta.points[0] as { exemplars?: unknown[] }).exemplars).toHaveLength(1);
    const om = renderSnapshot(batchOf(monitor, 'cumulative').metrics!, { format: 'openmetrics' });
    expect(om.split('\n').find((l) => l.startsWith('mixed_seconds_bucket{le="1.0"}'))).toContain('# {trace_id=');
    h.observe(2); // outside a span: the next delta interval has no exemplar of its own
    const secondDelta = batchOf(monitor, 'delta').metrics!.metrics.find((m) => m.name === 'mixed_seconds')!;
    expect((secondDelta.points[0] as { exemplars?: unknown[] }).exemplars).toBeUndefined();
  });

  it('for observations made through @opentelemetry/api inside an API span', () => {
    const hist = metrics.getMeter('lib').createHistogram('lib.latency', { unit: 's', advice: { explicitBucketBoundaries: [1] } });
    let ids = { traceId: '', spanId: '' };
    trace.getTracer('lib').startActiveSpan('op', (span) => {
      ids = span.spanContext();
      hist.record(0.25, { route: '/x' });
      span.end();
    });
    const delta = batchOf(monitor, 'delta');
    const proto = decodedExemplars(encodeMetricsProto(delta), 'lib.latency');
    expect(proto).toEqual([expect.objectContaining({ asDouble: 0.25, traceId: ids.traceId, spanId: ids.spanId })]);
  });

  it('not from a span that is not sampled', () => {
    const m = createMonitor({ sampler: 'always_off', backends: [new MemoryBackend()], onDiagnostic: () => {} });
    const h = m.metrics.createHistogram('x_seconds', 'x', { buckets: [1] });
    m.tracer.startActiveSpan('dropped', () => h.observe(0.5));
    const p = m.metrics.collect().metrics.find((x) => x.name === 'x_seconds')!.points[0] as { exemplars?: unknown[] };
    expect(p.exemplars ?? []).toEqual([]);
  });
});
