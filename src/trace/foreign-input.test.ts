import { describe, expect, it } from 'vitest';
import { trace, INVALID_SPAN_CONTEXT } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace-base';
import { createTestMonitor } from '../testing/index.js';
import type { Diagnostic } from '../model/batch.js';
import { injectContext } from './propagation/propagation.js';
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

  it('attributes past the limit are counted, and the message names the limit that applies', async () => {
    for (const what of ['event', 'link'] as const) {
      const { monitor, dropped, seen } = monitorWith({ limits: { eventAttributeCountLimit: 1, linkAttributeCountLimit: 1 } });
      const s = monitor.tracer.startSpan('s');
      if (what === 'event') s.addEvent('e', { a: 1, b: 2, c: 3 });
      else s.addLink({ context: { traceId: T, spanId: S, traceFlags: 1 }, attributes: { a: 1, b: 2, c: 3 } });
      s.end();
      await monitor.flush();
      expect(dropped('attribute_limit')).toBe(2);
      expect(seen.find((d) => d.kind === 'attribute_limit')!.message).toContain(`(limits.${what}AttributeCountLimit)`);
    }
  });
});

describe('OpenTelemetry API span contexts (TraceState objects, invalid contexts)', () => {
  const withState = () => trace.wrapSpanContext({ traceId: T, spanId: S, traceFlags: 1, traceState: new TraceState('a=1,b=2'), isRemote: true });

  it('injectContext writes the tracestate text of a TraceState object, never "[object Object]" or the object', () => {
    const h = injectContext(new Headers(), withState() as never);
    expect(h.get('tracestate')).toBe('a=1,b=2');
    const o = injectContext({} as Record<string, string>, withState() as never);
    expect(o.tracestate).toBe('a=1,b=2');
  });

  it('injectContext leaves the headers alone for an invalid span context (all-zero ids), as the OpenTelemetry propagator does', () => {
    const forwarded = `00-${T}-${S}-01`;
    const h = injectContext(new Headers({ traceparent: forwarded, tracestate: 'x=1' }), trace.wrapSpanContext(INVALID_SPAN_CONTEXT) as never);
    expect(h.get('traceparent')).toBe(forwarded);
    expect(h.get('tracestate')).toBe('x=1');
    expect(injectContext({} as Record<string, string>, { traceId: 'bad', spanId: 'x', traceFlags: 1 })).toEqual({});
  });

  it('a span whose parent or link has a TraceState object keeps and sends its text', async () => {
    const { monitor, memory } = monitorWith();
    const s = monitor.tracer.startSpan('child', { parent: withState() as never, links: [{ context: withState().spanContext() as never }] });
    expect(injectContext({} as Record<string, string>, s).tracestate).toBe('a=1,b=2');
    s.end();
    await monitor.flush();
    const span = memory.findSpan('child')!;
    expect(span.traceState).toBe('a=1,b=2');
    expect(span.links[0]!.traceState).toBe('a=1,b=2');
  });
});

describe('links given at start', () => {
  it('a single link not in an array is taken as one instead of throwing out of startSpan; links without a context are counted', async () => {
    const { monitor, memory, dropped } = monitorWith();
    const link = { context: { traceId: T, spanId: S, traceFlags: 1 } };
    expect(() => monitor.tracer.startSpan('single', { links: link as never }).end()).not.toThrow();
    expect(() => monitor.tracer.startSpan('odd', { links: 42 as never }).end()).not.toThrow();
    monitor.tracer.startSpan('holes', { links: [null, { context: null }, link] as never }).end();
    await monitor.flush();
    expect(memory.findSpan('single')!.links.map((l) => l.spanId)).toEqual([S]);
    expect(memory.findSpan('holes')!.links.map((l) => l.spanId)).toEqual([S]);
    expect(dropped('invalid_attribute')).toBe(3);
  });

  it('a parent span context in upper-case hex (which the OpenTelemetry API accepts) is joined, its ids lower-cased; a malformed one starts a new trace', async () => {
    const { monitor, memory } = monitorWith();
    monitor.tracer.startSpan('upper', { parent: { traceId: T.toUpperCase(), spanId: S.toUpperCase(), traceFlags: 1, isRemote: true } }).end();
    monitor.tracer.startSpan('mixed', { parent: { traceId: T.slice(0, 16).toUpperCase() + T.slice(16), spanId: S, traceFlags: 1 } }).end();
    monitor.tracer.startSpan('malformed', { parent: { traceId: 'G' + T.slice(1).toUpperCase(), spanId: S, traceFlags: 1 } }).end();
    await monitor.flush();
    for (const name of ['upper', 'mixed']) expect(memory.findSpan(name)).toMatchObject({ traceId: T, parentSpanId: S });
    const fresh = memory.findSpan('malformed')!;
    expect([fresh.traceId === T.toLowerCase(), fresh.parentSpanId]).toEqual([false, undefined]);
  });

  it('a link with a malformed or all-zero id is dropped and counted, not kept with empty ids; upper-case hex is kept, lower-cased', async () => {
    const { monitor, memory, dropped, seen } = monitorWith();
    const bad = [
      { traceId: T.slice(1), spanId: S }, // too short
      { traceId: T, spanId: S + '00' }, // too long
      { traceId: 'g' + T.slice(1), spanId: S }, // not hex
      { traceId: T, spanId: 'zz' + S.slice(2) },
      { traceId: '0'.repeat(32), spanId: S }, // all zeros
      { traceId: T, spanId: '0'.repeat(16) },
      { traceId: 42, spanId: S },
      { spanId: S },
    ];
    const s = monitor.tracer.startSpan('links', { links: bad.map((c) => ({ context: { ...c, traceFlags: 1 } })) as never });
    expect(() => s.addLink({ context: { traceId: T, spanId: undefined, traceFlags: 1 } as never })).not.toThrow();
    s.addLink({ context: { traceId: T.toUpperCase(), spanId: S.toUpperCase(), traceFlags: 1 } });
    s.addLink({ context: { traceId: T, spanId: S, traceFlags: 1 } });
    s.end();
    await monitor.flush();
    const span = memory.findSpan('links')!;
    expect(span.links.map((l) => [l.traceId, l.spanId])).toEqual([[T, S], [T, S]]);
    expect(span.droppedLinksCount).toBe(0);
    expect(dropped('invalid_attribute')).toBe(bad.length + 1);
    expect(seen.filter((d) => /link/.test(d.message)).length).toBeGreaterThan(0);
  });
});
