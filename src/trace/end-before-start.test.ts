import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason as string, (p as { value: number }).value]));
}

describe('a span that ends before its start (TR-05)', () => {
  it('an end time earlier than the start time: exported with a duration of 0, counted and reported once', async () => {
    const seen: { kind: string; message: string }[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const start = Date.now();
    monitor.tracer.startSpan('charge', { startTime: start }).end(start - 5000);
    monitor.tracer.startSpan('charge', { startTime: start }).end(new Date(start - 1));
    await monitor.flush();
    for (const s of memory.spans) {
      expect(s.endTimeUnixNano).toBe(s.startTimeUnixNano);
      expect(s.durationMs).toBe(0);
    }
    expect(dropped(monitor)).toEqual({ invalid_value: 2 });
    expect(seen).toEqual([{ kind: 'invalid_value', message: 'span "charge" ended before its start time; its duration was set to 0', detail: undefined }]);
  });

  it('a start time in the future, the span ended now: clamped and counted the same way', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    monitor.tracer.startSpan('job', { startTime: Date.now() + 3_600_000 }).end();
    await monitor.flush();
    const s = memory.findSpan('job')!;
    expect(s.endTime).toBe(s.startTime);
    expect(dropped(monitor)).toEqual({ invalid_value: 1 });
  });

  it('an end at or after the start counts nothing', async () => {
    const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
    const start = Date.now() - 10;
    monitor.tracer.startSpan('a', { startTime: start }).end(start);
    monitor.tracer.startSpan('b', { startTime: start }).end(start + 1);
    monitor.tracer.startSpan('c').end();
    await monitor.flush();
    expect(memory.spans).toHaveLength(3);
    expect(dropped(monitor)).toEqual({});
  });
});
