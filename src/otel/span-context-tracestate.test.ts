/**
 * A span context given through @opentelemetry/api (a parent set with `trace.setSpanContext`, a
 * link) whose TraceState was grown with `set()`, which checks nothing: its malformed members are
 * left out of the spans it makes, and counted (invalid_value) as the propagator counts those it
 * leaves out of an outgoing tracestate, once per foreign span however often it is a parent.
 */
import { context, createTraceState, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => unregisterOpenTelemetry());

function invalidValues(monitor: Monitor): number {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_value').reduce((n, p) => n + (p as { value: number }).value, 0);
}

/** `ok=1` and one malformed member (an upper-case key) `set()` let in. */
const remote = (): SpanContext => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: createTraceState('ok=1').set('Bad Key', 'v'),
});

describe('a malformed tracestate member of an API span context', () => {
  it('as a parent: left out of the child spans, counted once however many children it has', async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const ctx = trace.setSpanContext(ROOT_CONTEXT, remote());
    const tracer = trace.getTracer('t');
    tracer.startSpan('a', {}, ctx).end();
    tracer.startSpan('b', {}, ctx).end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.traceState)).toEqual(['ok=1', 'ok=1']);
    expect(invalidValues(monitor)).toBe(1);
  });

  it('made active with context.with: counted when it is taken in, not again by the spans and injects under it', async () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const headers: Record<string, string> = {};
    context.with(trace.setSpanContext(ROOT_CONTEXT, remote()), () => {
      const span = trace.getTracer('t').startSpan('child');
      propagation.inject(trace.setSpan(context.active(), span), headers, defaultTextMapSetter);
      span.end();
    });
    expect(headers.tracestate).toBe('ok=1');
    expect(invalidValues(monitor)).toBe(1);
  });

  it("as a link's context: left out of the link, counted", async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const tracer = trace.getTracer('t');
    tracer.startSpan('a', { links: [{ context: remote() }] }, ROOT_CONTEXT).end();
    const b = tracer.startSpan('b', {}, ROOT_CONTEXT);
    b.addLink({ context: remote() });
    b.end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.links[0]?.traceState)).toEqual(['ok=1', 'ok=1']);
    expect(invalidValues(monitor)).toBe(2);
  });

  it('a TraceState whose serialize() throws costs the tracestate alone, counted, not the parent', async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const sc = { ...remote(), traceState: { ...createTraceState(), serialize: () => { throw new Error('broken'); } } };
    trace.getTracer('t').startSpan('a', {}, trace.setSpanContext(ROOT_CONTEXT, sc as SpanContext)).end();
    await monitor.flush();
    expect(memory.spans[0].traceId).toBe(sc.traceId);
    expect(memory.spans[0].parentSpanId).toBe(sc.spanId);
    expect(invalidValues(monitor)).toBe(1);
  });
});
