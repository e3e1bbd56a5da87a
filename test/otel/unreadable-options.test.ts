import { AsyncLocalStorage } from 'node:async_hooks';
import { SpanKind as ApiSpanKind, trace, type SpanOptions } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setContextStorage, SpanKind, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor, type MemoryBackend } from '../../src/testing/index.js';

let monitor: Monitor;
let memory: MemoryBackend;

beforeAll(() => setContextStorage(AsyncLocalStorage));
beforeEach(() => {
  ({ monitor, memory } = createTestMonitor());
  expect(registerOpenTelemetry(monitor)).toBe(true);
});
afterEach(() => unregisterOpenTelemetry());

const dropped = (reason: string) =>
  monitor.metrics
    .collect({ temporality: 'cumulative' })
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')
    ?.points.filter((p) => p.attributes.reason === reason)
    .reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;

function revoked(): SpanOptions {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

describe('API tracer options that throw when read', () => {
  it('a revoked Proxy, or a getter that throws, neither throws out of startSpan / startActiveSpan: counted as invalid_attribute, the fields read before it kept', async () => {
    const tracer = trace.getTracer('lib');
    const hostile = Object.defineProperty({ kind: ApiSpanKind.CLIENT, attributes: { a: 1 } } as SpanOptions, 'links', {
      get() {
        throw new Error('read');
      },
    });
    expect(() => tracer.startSpan('revoked', revoked()).end()).not.toThrow();
    expect(() => tracer.startActiveSpan('getter', hostile, (s) => s.end())).not.toThrow();
    await monitor.flush();
    expect(memory.findSpan('revoked')!.kind).toBe(SpanKind.INTERNAL);
    const g = memory.findSpan('getter')!;
    expect(g.kind).toBe(SpanKind.CLIENT);
    expect({ ...g.attributes }).toEqual({ a: 1 });
    expect(dropped('invalid_attribute')).toBe(2);
  });
});
