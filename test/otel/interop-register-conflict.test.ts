/**
 * registerOpenTelemetry declining because the app registered a propagator or a MeterProvider of
 * its own: the diagnostic names the option that keeps it, not only `override`, which replaces it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage, type Diagnostic } from '../../src/index.js';
import { registerOpenTelemetry, registeredMonitor, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
  propagation.disable();
  metrics.disable();
  trace.disable();
});

describe('registerOpenTelemetry with a propagator or MeterProvider of the app already registered', () => {
  it('says which option keeps it; with that option the registration succeeds and the app keeps its own', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const own = new W3CTraceContextPropagator();
    propagation.setGlobalPropagator(own);
    expect(registerOpenTelemetry(monitor)).toBe(false);
    expect(seen.at(-1)!.message).toContain('or pass { propagator: false } to keep it.');
    expect(registerOpenTelemetry(monitor, { propagator: false })).toBe(true);
    expect(registeredMonitor()).toBe(monitor);
    expect(propagation.fields()).toEqual(own.fields());
  });

  it('both: each option named', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    metrics.setGlobalMeterProvider(new MeterProvider());
    expect(registerOpenTelemetry(monitor)).toBe(false);
    expect(seen.at(-1)!.message).toContain('or pass { propagator: false } and pass { metrics: false } to keep them.');
  });

  it('a tracer provider of its own: only override is offered (no option keeps it and registers the monitor)', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    trace.setGlobalTracerProvider({ getTracer: () => trace.getTracer('x') } as never);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(registerOpenTelemetry(monitor)).toBe(false);
    expect(seen.at(-1)!.message).toMatch(/Pass \{ override: true \} to replace it\.$/);
  });
});

describe('registerOpenTelemetry called again on the same monitor with more options', () => {
  it('says what the second call asked for is not served, and how to get it', async () => {
    const { logs } = await import('@opentelemetry/api-logs');
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    expect(registerOpenTelemetry(monitor, { metrics: false })).toBe(true);
    // the same options again: nothing missing
    expect(registerOpenTelemetry(monitor, { metrics: false })).toBe(false);
    expect(seen.at(-1)!.message).toBe('registerOpenTelemetry() was called twice; the first registration stays');
    // a later call adding `logs` (and metrics) is told, though a plain "called twice" was reported before
    expect(registerOpenTelemetry(monitor, { logs })).toBe(false);
    expect(seen).toHaveLength(2);
    expect(seen.at(-1)!.message).toBe(
      'registerOpenTelemetry() was called twice; the first registration stays, without { logs }, metrics asked for now (call unregisterOpenTelemetry() first to register with these options)',
    );
    logs.disable();
  });
});
