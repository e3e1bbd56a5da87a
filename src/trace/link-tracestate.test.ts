/**
 * TS-02 / TS-03: a link's tracestate goes out as one this process checked, whatever made it (a
 * hand-built span context's text was never parsed): bad members are left out, counted.
 */
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

function invalidValues(monitor: Monitor): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return (m?.points ?? []).filter((p) => p.attributes.reason === 'invalid_value').reduce((n, p) => n + (p as { value: number }).value, 0);
}

describe('a link given a tracestate as text', () => {
  it('keeps its valid members only and counts what it left out', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
    const span = monitor.tracer.startSpan('s');
    span.addLink({ context: { traceId: T, spanId: S, traceFlags: 1, traceState: 'congo=1, BAD=2,congo=3,ok=x=y' } });
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.links[0]!.traceState).toBe('congo=1');
    expect(invalidValues(monitor)).toBe(3);
  });

  it('a valid tracestate is kept as it is, nothing counted', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
    const span = monitor.tracer.startSpan('s');
    span.addLink({ context: { traceId: T, spanId: S, traceFlags: 1, traceState: 'congo=1,rojo=00f067aa0ba902b7' } });
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.links[0]!.traceState).toBe('congo=1,rojo=00f067aa0ba902b7');
    expect(invalidValues(monitor)).toBe(0);
  });
});
