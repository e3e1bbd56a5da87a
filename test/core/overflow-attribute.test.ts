/**
 * MET-11: the cardinality-overflow series carries `otel.metric.overflow` as the boolean true, so
 * OTLP (protobuf and JSON) sends `boolValue: true`; the text formats print it as "true".
 */
import { describe, expect, it } from 'vitest';
import { ConsoleBackend, createMonitor, type Backend } from '../../src/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { metricsHandler } from '../../src/exporters/prometheus/index.js';
import { PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

function overflowingMonitor(backends: Backend[]) {
  const monitor = createMonitor({ serviceName: 's', backends, limits: { cardinalityLimit: 1 }, onDiagnostic: () => {} });
  const c = monitor.metrics.createCounter('by_user_total', 'Per user');
  c.increment(1, { user: 'a' });
  c.increment(2, { user: 'b' });
  c.increment(3, { user: 'c' });
  return monitor;
}

const overflowAttrs = (metrics: any[]) =>
  metrics
    .find((m) => m.name === 'by_user_total')
    .sum.dataPoints.map((p: any) => p.attributes)
    .find((a: any[]) => a.some((kv) => kv.key === 'otel.metric.overflow'));

describe('MET-11: otel.metric.overflow is boolean true', () => {
  it('in the snapshot', () => {
    const monitor = overflowingMonitor([]);
    const points = monitor.metrics.collect().metrics.find((m) => m.name === 'by_user_total')!.points;
    expect(points.map((p) => [p.attributes, 'value' in p ? p.value : NaN])).toEqual([
      [{ user: 'a' }, 1],
      [{ 'otel.metric.overflow': true }, 5],
    ]);
  });

  it('OTLP protobuf and JSON: boolValue true', async () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      let body: Uint8Array | undefined;
      const fetch = async (_u: string, init: RequestInit) => ((body = init.body as Uint8Array), new Response(null, { status: 200 }));
      const monitor = overflowingMonitor([new OtlpBackend({ fetch, protocol, signals: ['metrics'] })]);
      await monitor.flush();
      const request = protocol === 'http/json' ? JSON.parse(new TextDecoder().decode(body)) : decodeProto('metrics', body!);
      expect(overflowAttrs(request.resourceMetrics[0].scopeMetrics[0].metrics), protocol).toEqual([{ key: 'otel.metric.overflow', value: { boolValue: true } }]);
    }
  });

  it('Prometheus text, OpenMetrics and Pushgateway print "true"; the console prints true', async () => {
    const lines: string[] = [];
    let pushed = '';
    const push = new PushgatewayBackend({ url: 'http://pg', job: 'j', fetch: async (_u, init) => ((pushed = String(init.body)), new Response(null, { status: 200 })) });
    const monitor = overflowingMonitor([new ConsoleBackend({ write: (l) => lines.push(l) }), push]);
    const scrape = metricsHandler(monitor, { withoutScopeInfo: true, withoutTargetInfo: true }); // compared line by line with the push and the console, which carry neither
    const text = await (await scrape(new Request('http://x/metrics')))!.text();
    const om = await (await scrape(new Request('http://x/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })))!.text();
    expect(text).toContain('by_user_total{otel_metric_overflow="true"} 5');
    expect(om).toContain('by_user_total{otel_metric_overflow="true"} 5');
    await monitor.flush();
    expect(pushed).toContain('by_user_total{otel_metric_overflow="true"} 5');
    // The console quotes strings and prints booleans bare.
    expect(lines).toContain('[metric] by_user_total {otel.metric.overflow=true} counter = 5');
  });
});
