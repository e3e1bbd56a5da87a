import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import { BridgeTracerProvider, registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

// As an instrumented library does: its tracer taken once, at module load.
const tracer = trace.getTracer('db', '1.0.0');

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});
afterEach(() => {
  unregisterOpenTelemetry();
});

describe('a tracer taken before registration, with a fresh monitor per test', () => {
  it('reports to the monitor registered now, not to the first one', async () => {
    const first = createTestMonitor();
    expect(registerOpenTelemetry(first.monitor)).toBe(true);
    tracer.startSpan('q1').end();
    unregisterOpenTelemetry();

    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    await monitor.tracer.startActiveSpan('request', async (root) => {
      await tracer.startActiveSpan('q2', async (span) => span.end());
      root.end();
    });
    await Promise.all([first.monitor.flush(), monitor.flush()]);
    expect(first.memory.spans.map((s) => s.name)).toEqual(['q1']);
    const q2 = memory.findSpan('q2');
    expect(q2?.instrumentationScope).toEqual({ name: 'db', version: '1.0.0' });
    expect(q2?.parentSpanId).toBe(memory.findSpan('request')!.spanId);
  });

  it('a provider built by hand keeps its own monitor', async () => {
    const own = createTestMonitor();
    const handMade = new BridgeTracerProvider(own.monitor).getTracer('x');
    const { monitor } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    handMade.startSpan('mine').end();
    await own.monitor.flush();
    expect(own.memory.spans.map((s) => s.name)).toEqual(['mine']);
  });
});
