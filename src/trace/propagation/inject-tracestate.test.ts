/**
 * A tracestate made in this process (a hand-built span context, an OpenTelemetry `TraceState`
 * changed with set(), a user object whose serialize() throws) that is malformed loses only its
 * malformed members, counted: the traceparent and the baggage of the same request still go.
 */
import { createTraceState, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextStorage } from '../../context/active.js';
import type { Monitor } from '../../monitor.js';
import { W3CPropagator } from '../../otel/propagator.js';
import { createTestMonitor } from '../../testing/index.js';
import { injectContext } from './propagation.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const TP = `00-${T}-${S}-01`;
const throwing = { serialize: (): string => { throw new Error('no'); } };

function invalidValues(monitor: Monitor): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_value').reduce((n, p) => n + (p as { value: number }).value, 0);
}

describe('injectContext: a bad tracestate costs only itself', () => {
  it('a serialize() that throws: traceparent and baggage are still written', () => {
    const headers: Record<string, string> = {};
    const span = trace.wrapSpanContext({ traceId: T, spanId: S, traceFlags: 1, traceState: throwing as never });
    contextStorage().run({ baggage: { user: { value: 'ann' } } }, () => injectContext(headers, span as never));
    expect(headers).toEqual({ traceparent: TP, baggage: 'user=ann' });
  });

  it('a hand-built tracestate text keeps its valid members only; what is left out is counted through the span monitor', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const span = monitor.tracer.startSpan('out', {
      parent: { traceId: T, spanId: S, traceFlags: 1, isRemote: true, traceState: 'congo=1, BAD=2,congo=3,ok=x=y', baggage: { user: { value: 'ann' } } },
    });
    const headers = injectContext({} as Record<string, string>, span);
    expect(headers.tracestate).toBe('congo=1');
    expect(headers.baggage).toBe('user=ann');
    expect(invalidValues(monitor)).toBe(3);
  });

  it('a parent whose TraceState.serialize() throws stays the parent; its tracestate is dropped and counted', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const span = monitor.tracer.startSpan('child', { parent: { traceId: T, spanId: S, traceFlags: 1, traceState: throwing as never } });
    expect(span.spanContext().traceId).toBe(T);
    expect(span.spanContext().traceState).toBeUndefined();
    expect(invalidValues(monitor)).toBe(1);
  });
});

describe('W3CPropagator.inject: a bad tracestate costs only itself', () => {
  const baggage = propagation.createBaggage({ user: { value: 'ann' } });

  it('a serialize() that throws: traceparent and baggage are still set, the loss counted', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const ctx = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, traceState: throwing as never }), baggage);
    const carrier: Record<string, string> = {};
    new W3CPropagator(monitor).inject(ctx, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ traceparent: TP, baggage: 'user=ann' });
    expect(invalidValues(monitor)).toBe(1);
  });

  it('TraceState.set() with a malformed key: the upstream members still go, the bad one is left out and counted', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const traceState = createTraceState('congo=t61rcWkgMzE').set('MyVendor', 'x');
    const ctx = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, traceState }), baggage);
    const carrier: Record<string, string> = {};
    new W3CPropagator(monitor).inject(ctx, carrier, defaultTextMapSetter);
    expect(carrier).toEqual({ traceparent: TP, tracestate: 'congo=t61rcWkgMzE', baggage: 'user=ann' });
    expect(invalidValues(monitor)).toBe(1);
  });
});
