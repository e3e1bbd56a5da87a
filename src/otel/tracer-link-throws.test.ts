/**
 * A link among API span options that throws when read (a throwing getter, a revoked Proxy) loses
 * itself alone, counted (invalid_attribute), as a link given to monitor.tracer does: the span
 * keeps its start time and its other links.
 */
import { ROOT_CONTEXT, trace, TraceFlags, type Link } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => unregisterOpenTelemetry());

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

const link = (spanId: string): Link => ({ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, traceFlags: TraceFlags.SAMPLED } });
const throwing = Object.defineProperty({}, 'context', {
  get() {
    throw new Error('hostile');
  },
}) as Link;

describe('an API span option link that throws when read', () => {
  it('loses itself alone: the start time and the other links are kept, the drop counted', async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const startTime = Date.now() - 60_000;
    trace.getTracer('t').startSpan('s', { startTime, links: [link('00f067aa0ba902b7'), throwing, link('00f067aa0ba902b8')] }, ROOT_CONTEXT).end();
    await monitor.flush();
    const span = memory.findSpan('s')!;
    expect(Math.abs(span.startTime - startTime)).toBeLessThan(1);
    expect(span.links.map((l) => l.spanId)).toEqual(['00f067aa0ba902b7', '00f067aa0ba902b8']);
    expect(dropped(monitor)).toEqual({ invalid_attribute: 1 });
  });
});
