import { describe, expect, it } from 'vitest';
import { newTraceId } from '../ids.js';
import { createSampler, SamplingDecision, traceIdRatio } from './samplers.js';
import { applyTailPolicy, createTailPolicy } from './tail.js';
import { createTestMonitor } from '../../testing/index.js';
import { SpanStatus } from '../../model/span-data.js';

describe('head samplers', () => {
  it('SMP-01: traceidratio samples within ±1% of the ratio over 100,000 trace ids, deterministically and monotonically', () => {
    for (const ratio of [0.1, 0.25, 0.5, 0.9]) {
      const s = traceIdRatio(ratio);
      const wider = traceIdRatio(Math.min(1, ratio + 0.1));
      let n = 0;
      let unstable = 0;
      let notMonotone = 0;
      for (let i = 0; i < 100_000; i++) {
        const id = newTraceId();
        const d = s.shouldSample(id, undefined, 'x');
        if (s.shouldSample(id, undefined, 'x') !== d) unstable++;
        if (d === SamplingDecision.RECORD_AND_SAMPLE) {
          n++;
          if (wider.shouldSample(id, undefined, 'x') !== SamplingDecision.RECORD_AND_SAMPLE) notMonotone++;
        }
      }
      expect(unstable).toBe(0);
      expect(notMonotone).toBe(0);
      expect(Math.abs(n / 100_000 - ratio)).toBeLessThan(0.01);
    }
  });

  it('SMP-03: parent-based samplers follow the parent', () => {
    const s = createSampler('parentbased_always_off');
    const id = newTraceId();
    expect(s.shouldSample(id, undefined, 'x')).toBe(SamplingDecision.DROP);
    expect(s.shouldSample(id, { traceId: id, spanId: '1'.repeat(16), traceFlags: 1 }, 'x')).toBe(SamplingDecision.RECORD_AND_SAMPLE);
    expect(createSampler('parentbased_always_on').shouldSample(id, { traceId: id, spanId: '1'.repeat(16), traceFlags: 0 }, 'x')).toBe(SamplingDecision.DROP);
  });

  it("accepts the original's { type: 'probability', rate } form", () => {
    const s = createSampler({ type: 'probability', rate: 0.1 });
    expect(s.toString()).toContain('TraceIdRatioBased{0.1}');
  });

  it('throws on unknown samplers and ratios outside [0, 1], naming what is allowed', () => {
    expect(() => createSampler('sometimes' as never)).toThrow(/unknown sampler "sometimes"; use one of always_on/);
    expect(() => createSampler({ type: 'traceidratio', ratio: 1.5 })).toThrow(/\[0, 1\]/);
    expect(() => createSampler({ type: 'probability', rate: -0.1 })).toThrow(/sampler.rate/);
  });

  it('a misspelt key of a sampler or tailSampling object throws at createMonitor naming the known ones, instead of sampling everything', () => {
    expect(() => createTestMonitor({ sampler: { type: 'traceidratio', ratoi: 0.1 } as never })).toThrow(/^createMonitor: unknown option `sampler.ratoi`; known options are sampler.type, sampler.ratio, sampler.rate\.$/);
    expect(() => createTestMonitor({ tailSampling: { slowerThan: 500, ratio: 0.05 } as never })).toThrow(/^createMonitor: unknown option `tailSampling.slowerThan`; known options are tailSampling.keepErrors, tailSampling.slowerThanMs, tailSampling.ratio, tailSampling.policies\.$/);
    expect(() => createTestMonitor({ tailSampling: { keepError: true } as never })).toThrow(/`tailSampling.keepError`/);
    expect(() => createTestMonitor({ sampler: { type: 'probability', rate: 0.1 }, tailSampling: { keepErrors: true, slowerThanMs: 1, ratio: 0, policies: [] } })).not.toThrow();
    expect(() => createTestMonitor({ sampler: { shouldSample: () => SamplingDecision.DROP, extra: 1 } as never })).not.toThrow();
  });

  it('tailSampling values of the wrong type throw at createMonitor, saying what was given', () => {
    expect(() => createTestMonitor({ tailSampling: { keepErrors: 'false' } as never })).toThrow('createMonitor: `tailSampling.keepErrors` must be true or false, got "false".');
    expect(() => createTestMonitor({ tailSampling: { policies: (spans: unknown[]) => spans.length > 3 } as never })).toThrow(
      'createMonitor: `tailSampling.policies` must be an array of functions of the finished spans, got a function.',
    );
    expect(() => createTestMonitor({ tailSampling: { policies: ['slow'] } as never })).toThrow('createMonitor: `tailSampling.policies` must be functions of the finished spans, got "slow".');
    expect(() => createTestMonitor({ tailSampling: { slowerThanMs: '500' } as never })).toThrow('`tailSampling.slowerThanMs` must be a number ≥ 0, got "500".');
  });

  it('createSampler called directly refuses a misspelt key as createMonitor does, naming itself; a custom sampler without shouldSample is told it needs one', () => {
    const misspelt = (who: string) => new RegExp(`^${who}: unknown option \`sampler.ratoi\`; known options are sampler.type, sampler.ratio, sampler.rate\\.$`);
    expect(() => createSampler({ type: 'traceidratio', ratoi: 0.1 } as never)).toThrow(misspelt('createSampler'));
    expect(() => createTestMonitor({ sampler: { type: 'traceidratio', ratoi: 0.1 } as never })).toThrow(misspelt('createMonitor'));
    const custom = (who: string) => new RegExp(`^${who}: unknown option \`sampler.shouldsample\`; known options are shouldSample\\(traceId, parent, name\\) of a custom sampler\\.$`);
    expect(() => createSampler({ shouldsample: () => SamplingDecision.DROP } as never)).toThrow(custom('createSampler'));
    expect(() => createTestMonitor({ sampler: { shouldsample: () => SamplingDecision.DROP, toString: () => 's' } as never })).toThrow(custom('createMonitor'));
    // shouldSample given but not a function: said so, rather than "unknown option" for the one key a custom sampler needs.
    expect(() => createSampler({ shouldSample: 'x' } as never)).toThrow(/^createSampler: sampler.shouldSample must be a function \(traceId, parent, name\) => SamplingDecision, got string\.$/);
    // The other errors name the call too: createSampler's own, or createMonitor's when given as its option.
    expect(() => createSampler('sometimes' as never)).toThrow(/^createSampler: unknown sampler "sometimes"/);
    expect(() => createTestMonitor({ sampler: 'sometimes' as never })).toThrow(/^createMonitor: unknown sampler "sometimes"/);
    expect(() => createSampler({ type: 'traceidratio', ratio: 2 })).toThrow(/^createSampler: `sampler.ratio` must be a number in \[0, 1\], got 2\.$/);
    expect(() => createTestMonitor({ sampler: { type: 'traceidratio', ratio: 2 } })).toThrow(/^createMonitor: `sampler.ratio` must be a number in \[0, 1\], got 2\.$/);
    expect(createSampler({ type: 'probability', rate: 0.5 }).toString()).toBe('ParentBased{root=TraceIdRatioBased{0.5}}');
  });

  it('an unsampled span is not recorded but still propagates its context', async () => {
    const { monitor, memory } = createTestMonitor({ sampler: 'always_off' });
    const span = monitor.tracer.startSpan('x');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags & 1).toBe(0);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    span.end();
    await monitor.flush();
    expect(memory.spans).toHaveLength(0);
  });

  it('SMP-04: a RECORD_ONLY span records but is not sampled, and exporters never receive it', async () => {
    const recordOnly = { shouldSample: () => SamplingDecision.RECORD_ONLY, toString: () => 'RecordOnly' };
    const { monitor, memory } = createTestMonitor({ sampler: recordOnly, tailSampling: { keepErrors: true, ratio: 1 } });
    const outside = monitor.tracer.startSpan('outside');
    expect(outside.isRecording()).toBe(true);
    expect(outside.spanContext().traceFlags & 1).toBe(0);
    outside.setStatus(SpanStatus.ERROR, 'bad');
    outside.end();
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan('in-scope').end());
    await scope.close();
    await monitor.flush();
    expect(memory.spans).toHaveLength(0);
  });
});

describe('tail sampling', () => {
  it('a kept trace keeps its spans exported later: a child ended after the request scope closed, the same trace in another scope', async () => {
    const { monitor, memory } = createTestMonitor({ tailSampling: { keepErrors: true, ratio: 0 } });
    const scope = monitor.openScope();
    let late: ReturnType<typeof monitor.tracer.startSpan> | undefined;
    scope.run(() => {
      monitor.tracer.startActiveSpan('root', (root) => {
        late = monitor.tracer.startSpan('background'); // ends in waitUntil work, after the response
        root.setStatus(SpanStatus.ERROR, 'bad');
      });
    });
    await scope.close();
    late!.end();
    // The same trace continued in a second request scope, without an error of its own.
    const again = monitor.openScope();
    again.run(() => monitor.tracer.startSpan('second-scope', { parent: memory.spans[0] ? { traceId: memory.spans[0].traceId, spanId: memory.spans[0].spanId, traceFlags: 1, isRemote: true } : null }).end());
    await again.close();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['background', 'root', 'second-scope']);
    expect(new Set(memory.spans.map((s) => s.traceId)).size).toBe(1);
  });

  it('keeps errors and slow traces and a ratio of the rest, per trace', async () => {
    const { monitor, memory } = createTestMonitor({ tailSampling: { keepErrors: true, slowerThanMs: 50, ratio: 0 } });
    const scope = monitor.openScope();
    scope.run(() => {
      monitor.tracer.startSpan('fast', { parent: null }).end();
      const slow = monitor.tracer.startSpan('slow', { parent: null, startTime: Date.now() - 100 });
      slow.end();
      const err = monitor.tracer.startSpan('err', { parent: null });
      err.setStatus(SpanStatus.ERROR, 'bad');
      err.end();
    });
    await scope.close();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['err', 'slow']);
  });

  it('counts the spans it leaves out in lexigram_monitor_dropped_total{reason="tail_sampled"}, without a diagnostic', async () => {
    const diagnostics: string[] = [];
    const { monitor, memory } = createTestMonitor({ tailSampling: { keepErrors: true, ratio: 0 }, onDiagnostic: (d) => diagnostics.push(d.kind) });
    const scope = monitor.openScope();
    scope.run(() => {
      monitor.tracer.startActiveSpan('dropped root', () => monitor.tracer.startSpan('dropped child').end());
      monitor.tracer.startSpan('another dropped', { parent: null }).end();
      const err = monitor.tracer.startSpan('kept', { parent: null });
      err.setStatus(SpanStatus.ERROR, 'bad');
      err.end();
    });
    await scope.close();
    expect(memory.spans.map((s) => s.name)).toEqual(['kept']);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    const byReason = Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]));
    expect(byReason).toEqual({ tail_sampled: 3 });
    expect(diagnostics).toEqual([]);
  });

  it('accepts a function of the finished spans, and a throwing policy keeps the data', () => {
    const policy = createTailPolicy(() => {
      throw new Error('x');
    })!;
    const { kept } = applyTailPolicy([{ traceId: 'a' } as never], policy);
    expect(kept).toHaveLength(1);
    expect(() => createTailPolicy({ ratio: 2 })).toThrow(/tailSampling.ratio/);
  });
});
