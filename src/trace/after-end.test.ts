import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason as string, (p as { value: number }).value]));
}

describe('a span changed after end()', () => {
  it('ignores the change, as OpenTelemetry does, and counts each one lost (a status code set after end is not lost unseen)', async () => {
    const seen: { kind: string; message: string }[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const span = monitor.tracer.startSpan('GET /users');
    span.end();
    span.setAttribute('http.response.status_code', 500);
    span.setAttributes({ 'error.type': '500', retry: true });
    span.addEvent('late');
    span.addLink({ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } });
    span.setStatus(SpanStatus.ERROR, 'boom');
    span.recordException(new Error('late'));
    span.updateName('renamed');
    await monitor.flush();
    const s = memory.findSpan('GET /users')!;
    expect(s.attributes).toEqual({});
    expect(s.events).toEqual([]);
    expect(s.links).toEqual([]);
    expect(s.status.code).toBe(SpanStatus.UNSET);
    expect(dropped(monitor)).toEqual({ span_ended: 8 });
    // Reported once, naming the span and the call.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.message).toContain('"GET /users" had ended; a later setAttribute() was ignored');
  });

  it('a span ended by its callback before the throw keeps its end and counts nothing (startActiveSpan, traced code)', async () => {
    const { monitor, memory } = createTestMonitor();
    await expect(
      monitor.tracer.startActiveSpan('job', async (span) => {
        span.end();
        throw new Error('after end');
      }),
    ).rejects.toThrow('after end');
    await monitor.flush();
    expect(memory.findSpan('job')!.status.code).toBe(SpanStatus.UNSET);
    expect(dropped(monitor)).toEqual({});
  });
});
