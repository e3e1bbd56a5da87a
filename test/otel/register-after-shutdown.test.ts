import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage, type Diagnostic } from '../../src/index.js';
import { registeredMonitor, registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});
afterEach(() => {
  unregisterOpenTelemetry();
});

describe('registerOpenTelemetry after the registered monitor was shut down', () => {
  it('registers the new monitor: API spans and metrics reach it, not the shut-down one', async () => {
    // As a test suite does that shuts each test's monitor down but never unregisters.
    const first = createTestMonitor();
    expect(registerOpenTelemetry(first.monitor)).toBe(true);
    await first.monitor.shutdown();

    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    expect(seen).toEqual([]);
    expect(registeredMonitor()).toBe(monitor);
    trace.getTracer('lib').startSpan('lib.op').end();
    metrics.getMeter('lib').createCounter('lib_ops_total').add(2);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['lib.op']);
    expect(memory.getMetric('lib_ops_total')?.points[0]).toMatchObject({ value: 2 });
    expect(first.memory.spans).toEqual([]);
  });

  it('a monitor still running keeps its registration', () => {
    const first = createTestMonitor();
    expect(registerOpenTelemetry(first.monitor)).toBe(true);
    const seen: Diagnostic[] = [];
    const second = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    expect(registerOpenTelemetry(second.monitor)).toBe(false);
    expect(seen.map((d) => d.kind)).toEqual(['otel']);
    expect(registeredMonitor()).toBe(first.monitor);
  });
});
