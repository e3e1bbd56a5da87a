/**
 * `propagation.inject` under `suppressTracing(context)` (@opentelemetry/core): the SDK's
 * W3CTraceContextPropagator and W3CBaggagePropagator write nothing when
 * `isTracingSuppressed(context)`, so an instrumented HTTP client inside an exporter (which runs
 * under suppressTracing) sends no trace headers. Ours, installed by registerOpenTelemetry, is
 * compared with the SDK's own propagators on the same contexts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  createContextKey,
  createTraceState,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { CompositePropagator, suppressTracing, unsuppressTracing, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setContextStorage, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry, W3CPropagator } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

let monitor: Monitor;
beforeAll(() => setContextStorage(AsyncLocalStorage));
beforeEach(() => {
  ({ monitor } = createTestMonitor({ onDiagnostic: () => undefined }));
  expect(registerOpenTelemetry(monitor)).toBe(true);
});
afterEach(() => unregisterOpenTelemetry());

const sdk: TextMapPropagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

/** A remote parent with tracestate, and baggage: everything a propagator could write. */
function full(): Context {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
    isRemote: true,
    traceState: createTraceState('vendor=abc'),
  });
  return propagation.setBaggage(ctx, propagation.createBaggage({ user: { value: 'alice' } }));
}

function injected(p: TextMapPropagator | 'global', ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (p === 'global') propagation.inject(ctx, carrier);
  else p.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}

describe('inject under suppressTracing, as the SDK propagators', () => {
  it('not suppressed: ours and the SDK write the same traceparent, tracestate and baggage', () => {
    const ours = injected('global', full());
    expect(ours).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=abc', baggage: 'user=alice' });
    expect(ours).toEqual(injected(sdk, full()));
  });

  it('suppressTracing(ctx) (@opentelemetry/core): nothing is written, by ours as by the SDK', () => {
    const suppressed = suppressTracing(full());
    expect(injected(sdk, suppressed)).toEqual({});
    expect(injected('global', suppressed)).toEqual({});
    expect(injected(new W3CPropagator(), suppressed)).toEqual({});
  });

  it("the key core uses, built by hand (Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING')), has the same effect; false does not suppress", () => {
    const key = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    expect(injected('global', full().setValue(key, true))).toEqual({});
    expect(injected(sdk, full().setValue(key, true))).toEqual({});
    expect(injected('global', full().setValue(key, false))).toEqual(injected(sdk, full().setValue(key, false)));
    expect(injected('global', full().setValue(key, false)).traceparent).toBeDefined();
  });

  it('unsuppressTracing brings the headers back', () => {
    const again = unsuppressTracing(suppressTracing(full()));
    expect(injected('global', again)).toEqual(injected(sdk, again));
    expect(injected('global', again).traceparent).toBeDefined();
  });

  it("inside the monitor's own active span: context.with(suppressTracing(active)) injects nothing", async () => {
    await monitor.tracer.startActiveSpan('outer', async () => {
      const active = context.active();
      expect(injected('global', active).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await context.with(suppressTracing(active), async () => {
        expect(injected('global', context.active())).toEqual({});
        expect(injected(sdk, context.active())).toEqual({});
      });
    });
  });
});
