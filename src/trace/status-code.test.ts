import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { SpanStatus } from '../model/span-data.js';
import { createTestMonitor } from '../testing/index.js';

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason as string, (p as { value: number }).value]));
}

describe('setStatus with a code that is none of UNSET, OK, ERROR', () => {
  it('leaves the status as it was and counts it (invalid_attribute), reported once: a failed span is not left UNSET unseen', async () => {
    const seen: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d.message) });
    const span = monitor.tracer.startSpan('s');
    span.setStatus('ERROR' as never, 'boom');
    span.setStatus({ code: 7, message: 'x' } as never);
    span.setStatus(undefined as never);
    span.end();
    await monitor.flush();
    expect(memory.findSpan('s')!.status).toEqual({ code: SpanStatus.UNSET });
    expect(dropped(monitor)).toEqual({ invalid_attribute: 3 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('a span status code must be SpanStatus.UNSET, OK or ERROR (0, 1, 2), got "ERROR"');
  });

  it('valid codes, UNSET ignored and OK final (TR-02), count nothing', async () => {
    const { monitor, memory } = createTestMonitor();
    const a = monitor.tracer.startSpan('a');
    a.setStatus(SpanStatus.ERROR, 'first').setStatus(SpanStatus.UNSET).end();
    const b = monitor.tracer.startSpan('b');
    b.setStatus({ code: SpanStatus.OK } as never).setStatus(SpanStatus.ERROR, 'late').setStatus(9 as never).end();
    await monitor.flush();
    expect(memory.findSpan('a')!.status).toEqual({ code: SpanStatus.ERROR, message: 'first' });
    expect(memory.findSpan('b')!.status).toEqual({ code: SpanStatus.OK });
    expect(dropped(monitor)).toEqual({});
  });
});
