import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { configFromEnv } from './env.js';

/** Attributes kept of a span and of a log record, each given `n` attributes of `len` characters. */
async function kept(env: Record<string, string>, n = 6, len = 50): Promise<{ span: number; log: number; spanLen: number; logLen: number }> {
  const { monitor, memory } = createTestMonitor(configFromEnv(env, { onWarning: () => {} }));
  const attrs = Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'x'.repeat(len)]));
  monitor.tracer.startSpan('s', { attributes: attrs }).end();
  monitor.logger.info('l', attrs);
  await monitor.flush();
  const span = Object.values(memory.spans[0].attributes) as string[];
  const log = Object.values(memory.logs[0].attributes) as string[];
  return { span: span.length, log: log.length, spanLen: span[0].length, logLen: log[0].length };
}

describe('ENV-14: a model-specific limit applies to its own model; OTEL_ATTRIBUTE_* to spans and log records', () => {
  it('OTEL_SPAN_ATTRIBUTE_* limit spans only', async () => {
    expect(await kept({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5' })).toEqual({ span: 2, log: 6, spanLen: 5, logLen: 50 });
  });

  it('OTEL_LOGRECORD_ATTRIBUTE_* limit log records only', async () => {
    expect(await kept({ OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '3', OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '7' })).toEqual({ span: 6, log: 3, spanLen: 50, logLen: 7 });
  });

  it('OTEL_ATTRIBUTE_* limit both, and each model-specific variable wins for its model', async () => {
    expect(await kept({ OTEL_ATTRIBUTE_COUNT_LIMIT: '4', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '9' })).toEqual({ span: 4, log: 4, spanLen: 9, logLen: 9 });
    expect(
      await kept({ OTEL_ATTRIBUTE_COUNT_LIMIT: '4', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '3', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '9', OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '8' }),
    ).toEqual({ span: 2, log: 3, spanLen: 9, logLen: 8 });
  });

  it('limits.attributeCountLimit given in code still covers log records unless logAttributeCountLimit is set', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeCountLimit: 2 } });
    monitor.logger.info('l', { a: 1, b: 2, c: 3 });
    const other = createTestMonitor({ limits: { attributeCountLimit: 2, logAttributeCountLimit: 3 } });
    other.monitor.logger.info('l', { a: 1, b: 2, c: 3, d: 4 });
    await monitor.flush();
    await other.monitor.flush();
    expect(Object.keys(memory.logs[0].attributes)).toEqual(['a', 'b']);
    expect(Object.keys(other.memory.logs[0].attributes)).toEqual(['a', 'b', 'c']);
  });
});

describe('OTEL_METRICS_EXEMPLAR_FILTER (ENV-16, default trace_based)', () => {
  it('always_off turns histogram exemplars off; trace_based leaves them on; other values are reported and ignored', () => {
    const warnings: string[] = [];
    const read = (v: string) => configFromEnv({ OTEL_METRICS_EXEMPLAR_FILTER: v }, { onWarning: (w) => warnings.push(w) });
    expect(read('ALWAYS_OFF').metrics).toEqual({ exemplars: false });
    expect(read('trace_based').metrics).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(read('always_on').metrics).toBeUndefined();
    expect(read('sometimes').metrics).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/OTEL_METRICS_EXEMPLAR_FILTER="always_on"/);
  });

  it('with always_off, an observation in a sampled span keeps no exemplar', () => {
    const { monitor } = createTestMonitor(configFromEnv({ OTEL_METRICS_EXEMPLAR_FILTER: 'always_off' }));
    const h = monitor.metrics.createHistogram('latency_seconds', 'Latency');
    monitor.tracer.startActiveSpan('op', (span) => {
      h.observe(0.1);
      span.end();
    });
    const p = monitor.metrics.collect().metrics.find((m) => m.name === 'latency_seconds')!.points[0] as { exemplars?: unknown[] };
    expect(p.exemplars ?? []).toEqual([]);
  });
});

describe('OTEL_RESOURCE_ATTRIBUTES with an empty key', () => {
  it('discards the whole variable with a warning (ENV-10, as for any member that cannot be decoded), never throws', () => {
    for (const raw of ['=x,a=b', 'a=b, =x', 'a=b,=']) {
      const warnings: string[] = [];
      const o = configFromEnv({ OTEL_RESOURCE_ATTRIBUTES: raw }, { onWarning: (m) => warnings.push(m) });
      expect(o.resource).toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/OTEL_RESOURCE_ATTRIBUTES could not be decoded/)]);
    }
  });
});

describe('ENV-14/ENV-15: a limit of 0 keeps none, every drop counted', () => {
  it('OTEL_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT and OTEL_SPAN_LINK_COUNT_LIMIT at 0 are honoured, not warned; metric labels are exempt', async () => {
    const warnings: string[] = [];
    const env = { OTEL_ATTRIBUTE_COUNT_LIMIT: '0', OTEL_SPAN_EVENT_COUNT_LIMIT: '0', OTEL_SPAN_LINK_COUNT_LIMIT: '0' };
    const { monitor, memory } = createTestMonitor(configFromEnv(env, { onWarning: (w) => warnings.push(w) }));
    const link = { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 } };
    const span = monitor.tracer.startSpan('s', { attributes: { a: 1, b: 2 } });
    span.addEvent('e').addLink(link).end();
    monitor.logger.info('l', { a: 1 });
    monitor.metrics.createCounter('jobs_total', 'Jobs').add(1, { queue: 'q' });
    await monitor.flush();
    expect(warnings).toEqual([]);
    expect(memory.spans[0]).toMatchObject({ attributes: {}, events: [], links: [], droppedAttributesCount: 2, droppedEventsCount: 1, droppedLinksCount: 1 });
    expect(memory.logs[0]).toMatchObject({ attributes: {}, droppedAttributesCount: 1 });
    expect(monitor.metrics.collect().metrics.find((m) => m.name === 'jobs_total')!.points[0].attributes).toEqual({ queue: 'q' });
  });

  it('limits given in code accept 0 for the OpenTelemetry limits, not for the others', () => {
    expect(() => createTestMonitor({ limits: { eventCountLimit: 0, attributeValueLengthLimit: 0 } })).not.toThrow();
    expect(() => createTestMonitor({ limits: { spansPerScope: 0 } })).toThrow(/limits.spansPerScope/);
  });
});

describe('ENV-14: OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', () => {
  it('limit the attributes of span events and links, over the general attribute limit', async () => {
    const env = { OTEL_ATTRIBUTE_COUNT_LIMIT: '3', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1', OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '2' };
    const { monitor, memory } = createTestMonitor(configFromEnv(env));
    const attributes = { a: 1, b: 2, c: 3, d: 4 };
    const context = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };
    monitor.tracer.startSpan('s', { attributes }).addEvent('e', attributes).addLink({ context, attributes }).end();
    await monitor.flush();
    const s = memory.spans[0];
    expect([s.droppedAttributesCount, s.events[0].droppedAttributesCount]).toEqual([1, 3]);
    expect(Object.keys(s.links[0].attributes)).toEqual(['a', 'b']);
  });
});

describe('ENV-16: OTEL_BLRP_SCHEDULE_DELAY', () => {
  it('sets the export delay of work outside scopes as OTEL_BSP_SCHEDULE_DELAY does; with both, the shorter bounds both', () => {
    expect(configFromEnv({ OTEL_BLRP_SCHEDULE_DELAY: '1000' }).exportDelayMs).toBe(1000);
    expect(configFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BLRP_SCHEDULE_DELAY: '1000' }).exportDelayMs).toBe(200);
    expect(configFromEnv({ OTEL_BSP_SCHEDULE_DELAY: '3000', OTEL_BLRP_SCHEDULE_DELAY: '1000' }).exportDelayMs).toBe(1000);
  });
});

describe('configFromEnv: an unsupported value of a list variable is reported with the values it takes', () => {
  it('OTEL_PROPAGATORS=b3 and OTEL_TRACES_EXPORTER=zipkin say what would be read, not only that they were ignored', () => {
    const warnings: string[] = [];
    configFromEnv({ OTEL_PROPAGATORS: 'b3', OTEL_TRACES_EXPORTER: 'zipkin' }, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      'OTEL_PROPAGATORS: b3 not supported (only none,tracecontext,baggage); ignored',
      'OTEL_TRACES_EXPORTER: zipkin not supported (only otlp,console,none); ignored',
    ]);
  });
});

describe('configFromEnv given a Workers env', () => {
  it('takes the interface wrangler types (no index signature), its unquoted vars read as text', () => {
    interface WorkerEnv {
      OTEL_SERVICE_NAME: string;
      OTEL_SDK_DISABLED: boolean;
      OTEL_METRIC_EXPORT_INTERVAL: number;
      KV: { get(key: string): Promise<string | null> };
    }
    const env: WorkerEnv = { OTEL_SERVICE_NAME: 'api', OTEL_SDK_DISABLED: true, OTEL_METRIC_EXPORT_INTERVAL: 30_000, KV: { get: async () => null } };
    expect(configFromEnv(env)).toEqual({ serviceName: 'api', disabled: true, metricExportIntervalMs: 30_000 });
  });
});
