/** End to end: the core's monitor → OtlpBackend → local receiver → protobufjs decoding. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor } from '../../src/index.js';
import { parseJson } from './helpers/canonical.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  it(`createMonitor → record → flush → decoded at the receiver (${protocol})`, async () => {
    const start = rx.requests.length;
    const monitor = createMonitor({ serviceName: 'e2e-svc', backends: [new OtlpBackend({ endpoint: rx.url, protocol })] });
    const span = monitor.tracer.startSpan('work');
    span.setAttribute('answer', 42);
    monitor.logger.info('hello', { user: 'u1' });
    span.end();
    monitor.metrics.createCounter('jobs_done', 'Jobs done').increment(3);
    await monitor.flush();
    await monitor.shutdown();
    const got: Record<string, any> = {};
    for (const r of rx.requests.slice(start)) {
      const signal = r.path.split('/').pop() as 'traces' | 'metrics' | 'logs';
      got[signal] = protocol === 'http/json' ? parseJson(r.body) : decodeProto(signal, r.body);
    }
    const res = got.traces.resourceSpans[0];
    expect(res.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'e2e-svc' } });
    const s = res.scopeSpans[0].spans[0];
    expect(s.name).toBe('work');
    expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.attributes).toContainEqual({ key: 'answer', value: { intValue: '42' } });
    const log = got.logs.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(log.body).toEqual({ stringValue: 'hello' });
    expect(log.traceId ?? '').toMatch(/^([0-9a-f]{32})?$/);
    const metrics = got.metrics.resourceMetrics[0].scopeMetrics[0].metrics;
    const jobs = metrics.find((m: any) => m.name === 'jobs_done');
    expect(jobs.sum).toMatchObject({ aggregationTemporality: 1, isMonotonic: true });
    expect(jobs.sum.dataPoints[0].asDouble).toBe(3);
  });
}
