import { describe, expect, it } from 'vitest';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { createTestMonitor } from '../testing/index.js';
import type { Diagnostic } from '../model/batch.js';
import { SamplingDecision, type Sampler } from './sampling/samplers.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

function monitorWith(options: Parameters<typeof createTestMonitor>[0] = {}) {
  const seen: Diagnostic[] = [];
  const dropped = (reason: string) => {
    const c = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    return c?.points.filter((p) => p.attributes.reason === reason).reduce((n, p) => n + ((p as { value: number }).value), 0) ?? 0;
  };
  const t = createTestMonitor({ ...options, onDiagnostic: (d) => seen.push(d) });
  return { ...t, seen, dropped };
}

describe('samplers given by the user', () => {
  const odd: [string, Sampler][] = [
    // An OpenTelemetry SDK sampler: other arguments, and it returns { decision }.
    ['an OpenTelemetry SDK Sampler', new AlwaysOnSampler() as unknown as Sampler],
    ['undefined', { shouldSample: () => undefined as never, toString: () => 'undef' }],
    ['a throw', { shouldSample: () => { throw new Error('sampler bug'); }, toString: () => 'throws' }],
  ];
  for (const [what, sampler] of odd) {
    it(`one returning ${what} neither throws into startSpan nor records spans unexported without a word: the default decision is used, reported once`, async () => {
      const { monitor, memory, seen } = monitorWith({ sampler });
      let span: ReturnType<typeof monitor.tracer.startSpan> | undefined;
      expect(() => (span = monitor.tracer.startSpan('a'))).not.toThrow();
      span!.end();
      monitor.tracer.startSpan('b').end();
      await monitor.flush();
      expect(memory.spans.map((s) => s.name)).toEqual(['a', 'b']);
      const reports = seen.filter((d) => d.kind === 'config' && /shouldSample/.test(d.message));
      expect(reports).toHaveLength(1);
      expect(reports[0]!.message).toMatch(/SamplingDecision/);
    });
  }

  it('valid decisions from a custom sampler are kept as they are', async () => {
    const { monitor, memory, seen } = monitorWith({ sampler: { shouldSample: (_t, _p, name) => (name === 'keep' ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP), toString: () => 'byName' } });
    monitor.tracer.startSpan('keep').end();
    monitor.tracer.startSpan('drop').end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['keep']);
    expect(seen).toEqual([]);
  });
});

describe('event and link attributes', () => {
  it('values that cannot be kept (null, undefined, a symbol, a function) and empty keys are counted as invalid_attribute, as span attributes are; truncation is counted', async () => {
    const { monitor, memory, dropped } = monitorWith({ limits: { attributeValueLengthLimit: 4 } });
    const s = monitor.tracer.startSpan('s');
    s.addEvent('e', { ok: 1, a: null, b: undefined, c: Symbol('x'), d: () => 1, '': 'empty key', long: 'abcdefgh' });
    s.addLink({ context: { traceId: T, spanId: S, traceFlags: 1 }, attributes: { ok: true, n: null } });
    s.end();
    await monitor.flush();
    const span = memory.findSpan('s')!;
    expect({ ...span.events[0]!.attributes }).toEqual({ ok: 1, long: 'abcd' });
    expect({ ...span.links[0]!.attributes }).toEqual({ ok: true });
    expect(dropped('invalid_attribute')).toBe(6);
    expect(dropped('attribute_truncated')).toBe(1);
  });
});
