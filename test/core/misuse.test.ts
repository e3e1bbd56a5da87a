import { describe, expect, it, vi } from 'vitest';
import { createMonitor, MemoryBackend, configFromEnv } from '../../src/index.js';
import type { Diagnostic } from '../../src/index.js';

describe('hot-path misuse never throws: dropped or clamped, counted, reported once', () => {
  it('counts every bad call and reports each kind once', async () => {
    const diagnostics: Diagnostic[] = [];
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'misuse', backends: [memory], onDiagnostic: (d) => diagnostics.push(d) });
    const c = monitor.metrics.createCounter('c_total', 'C', { labelNames: ['a'] });
    const g = monitor.metrics.createGauge('g', 'G');
    const h = monitor.metrics.createHistogram('h_seconds', 'H');
    const s = monitor.metrics.createSummary('s_seconds', 'S');
    const huge = 'x'.repeat(1 << 20);
    const bad: (() => unknown)[] = [
      () => c.increment(NaN),
      () => c.increment(Infinity),
      () => c.increment(-1),
      () => c.increment(-1),
      () => c.increment('5' as never),
      () => c.increment(1, { b: 'unknown label' } as never),
      () => c.increment(1, { a: { nested: 1 } } as never),
      () => c.increment(1, 'labels' as never),
      () => c.increment(1, { a: huge }),
      () => g.set(NaN),
      () => g.set('1' as never),
      () => g.increment(Infinity),
      () => h.observe(NaN),
      () => h.observe(null as never),
      () => s.observe(-Infinity),
      () => monitor.tracer.startSpan(undefined as never).setAttribute('', 1).setAttribute('k', undefined).setAttribute('big', huge).setAttribute('obj', { a: 1 }).end(),
      () => monitor.tracer.startSpan('x', { kind: 99 as never, attributes: null as never, links: [null as never] }).end(),
      () => monitor.tracer.startSpan('x').setStatus(7 as never),
      () => {
        const sp = monitor.tracer.startSpan('twice');
        sp.end();
        sp.end();
      },
      () => monitor.logger.info(huge, { big: huge }),
      () => monitor.logger.info(undefined as never, 'attrs' as never),
      () => monitor.logger.log('nope' as never, 'x'),
    ];
    for (const f of bad) expect(f).not.toThrow();
    await monitor.shutdown();
    expect(() => c.increment(1, { a: 'x' })).not.toThrow();
    expect(() => monitor.logger.info('after')).not.toThrow();
    const snapshot = monitor.metrics.collect();
    const dropped = snapshot.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    const byReason = Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]));
    expect(byReason).toMatchObject({
      // 9 metric values, the span kind 99 (started as INTERNAL), attributes given as a
      // string ('attrs': kept as a record, the value counted) and the unknown log level of
      // logger.log('nope').
      invalid_value: 12,
      negative_increment: 2,
      unknown_label: 1,
      invalid_label: 2,
      label_too_long: 1,
      after_shutdown: 2,
      span_ended_twice: 1,
    });
    expect(byReason.invalid_attribute).toBeGreaterThanOrEqual(2);
    expect(byReason.attribute_truncated).toBeGreaterThanOrEqual(2);
    // One diagnostic per kind, not per call.
    const kinds = diagnostics.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(memory.spans.find((sp) => sp.name === 'unnamed')!.attributes.big).toHaveLength(4096);
    expect((memory.logs[0].body as string).length).toBe(16384);
  });

  it('the default diagnostics line escapes control characters: a span name or key cannot forge a line or send terminal codes', () => {
    const warned: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warned.push(args.join(' ')));
    try {
      const monitor = createMonitor({ serviceName: 'misuse', backends: [new MemoryBackend()] });
      const span = monitor.tracer.startSpan('job\n[log] WARN forged line\u001b[2J');
      span.end();
      span.end(); // span_ended_twice quotes the name
      expect(warned).toHaveLength(1);
      expect(warned[0]).not.toMatch(/[\n\u001b]/);
      expect(warned[0]).toContain('job\\n[log] WARN forged line\\u001b[2J');
    } finally {
      spy.mockRestore();
    }
  });

  it('a throwing diagnostics hook does not reach the caller', () => {
    const monitor = createMonitor({ backends: [], onDiagnostic: () => {
      throw new Error('hook');
    } });
    expect(() => monitor.metrics.createCounter('x_total', 'x').increment(-1)).not.toThrow();
  });
});

describe('configuration errors throw at construction, naming the option', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown option', () => createMonitor({ servicename: 'x' } as never), /unknown option `servicename`/],
    ['empty serviceName', () => createMonitor({ serviceName: '' }), /serviceName/],
    ['unknown sampler', () => createMonitor({ sampler: 'maybe' as never }), /unknown sampler "maybe"/],
    ['ratio > 1', () => createMonitor({ sampler: { type: 'traceidratio', ratio: 2 } }), /\[0, 1\]/],
    ['rate < 0', () => createMonitor({ sampler: { type: 'probability', rate: -1 } }), /sampler.rate/],
    ['bad limit', () => createMonitor({ limits: { cardinalityLimit: 0 } }), /limits.cardinalityLimit/],
    ['unknown limit', () => createMonitor({ limits: { nope: 1 } as never }), /unknown limit/],
    ['bad backend', () => createMonitor({ backends: [{}] as never }), /backends\[0\]/],
    ['bad level', () => createMonitor({ logging: { level: 'loud' as never } }), /logging.level/],
    ['bad tail ratio', () => createMonitor({ tailSampling: { ratio: 3 } }), /tailSampling.ratio/],
    ['bad flush timeout', () => createMonitor({ flushTimeoutMs: -1 }), /flushTimeoutMs/],
  ];
  for (const [name, f, re] of cases) it(name, () => expect(f).toThrow(re));
});

describe('configFromEnv (digest §1d)', () => {
  it('reads service, resource, sampler, limits and OTLP settings; empty values count as unset', () => {
    const warnings: string[] = [];
    const o = configFromEnv(
      {
        OTEL_SERVICE_NAME: 'svc',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,deployment.environment.name=prod,team=a%2Cb',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '64',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: '',
        SOME_BINDING: { not: 'a string' },
      },
      { onWarning: (m) => warnings.push(m) },
    );
    expect(o.serviceName).toBe('svc'); // ENV-09
    expect(o.resource).toEqual({ 'deployment.environment.name': 'prod', team: 'a,b' });
    expect(o.sampler).toEqual({ type: 'parentbased_traceidratio', ratio: 0.25 });
    // The span limit stays off log records, events and links (ENV-14): they keep the default.
    expect(o.limits).toEqual({ attributeCountLimit: 64, logAttributeCountLimit: 128, eventAttributeCountLimit: 128, linkAttributeCountLimit: 128 });
    expect(o.otlp).toEqual({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(warnings).toEqual([]);
    expect(() => createMonitor({ ...o, backends: [] })).not.toThrow();
  });

  it('ENV-11/ENV-10/ENV-12: invalid values are reported and ignored, never thrown', () => {
    const warnings: string[] = [];
    const o = configFromEnv(
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7', OTEL_RESOURCE_ATTRIBUTES: 'a=%ZZ', OTEL_SDK_DISABLED: 'yes' },
      { onWarning: (m) => warnings.push(m) },
    );
    expect(o.sampler).toEqual({ type: 'traceidratio', ratio: 1 });
    expect(o.resource).toBeUndefined();
    expect(o.disabled).toBeUndefined();
    expect(warnings).toHaveLength(3);
    expect(configFromEnv({ OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(configFromEnv({ OTEL_TRACES_SAMPLER: 'xray' }, { onWarning: () => {} }).sampler).toBeUndefined();
  });

  it('OTEL_SDK_DISABLED=true records and exports nothing', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ ...configFromEnv({ OTEL_SDK_DISABLED: 'true' }), backends: [memory] });
    monitor.tracer.startSpan('x').end();
    monitor.logger.info('x');
    await monitor.flush();
    expect(memory.exports).toBe(0);
  });
});
