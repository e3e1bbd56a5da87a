import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { SpanStatus } from '../model/span-data.js';
import type { Diagnostic } from '../model/batch.js';

// README "Never breaking the host": a 1 MB string is clamped and counted, wherever it is given.
describe('a span name, event name or status message of 1 MB', () => {
  it('is cut to 4096 characters and counted as attribute_truncated, once per text', async () => {
    const seen: Diagnostic[] = [];
    // A smaller attribute limit is for attribute values only (ENV-15): names are not cut to 100.
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: 100 }, onDiagnostic: (d) => seen.push(d) });
    const huge = 'x'.repeat(1 << 20);
    const span = monitor.tracer.startSpan(huge);
    span.addEvent(huge);
    span.setStatus(SpanStatus.ERROR, huge);
    span.end();
    const renamed = monitor.tracer.startSpan('short');
    renamed.updateName(huge);
    renamed.end();
    // At the cap: kept as given, nothing counted.
    monitor.tracer.startSpan('y'.repeat(4096)).end();
    await monitor.flush();
    const [a, b, c] = memory.spans;
    expect([a!.name.length, a!.events[0]!.name.length, a!.status.message!.length, b!.name.length, c!.name]).toEqual([4096, 4096, 4096, 4096, 'y'.repeat(4096)]);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ attribute_truncated: 4 });
    // Reported once per kind, as every drop is: the first says what was cut.
    expect(seen.map((d) => d.message)).toEqual(['a span name longer than 4096 characters was truncated']);
  });

  it('is cut at limits.attributeValueLengthLimit when that is larger than 4096', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: 10_000 } });
    monitor.tracer.startSpan('x'.repeat(20_000)).end();
    monitor.tracer.startSpan('y'.repeat(10_000)).end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name.length)).toEqual([10_000, 10_000]);
  });
});

describe('a span time or kind that is not one', () => {
  it('is replaced (now, INTERNAL) and counted as invalid_value, not fixed unseen', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const before = Date.now();
    // An OpenTelemetry HrTime, a string, NaN: none is epoch milliseconds or a Date.
    const span = monitor.tracer.startSpan('a', { startTime: [1700000000, 0] as never, kind: 'server' as never });
    span.addEvent('e', {}, 'yesterday' as never);
    span.end(Number.NaN);
    // Valid times and kinds are kept and not counted.
    monitor.tracer.startSpan('b', { startTime: new Date(before - 1000), kind: 2 }).end(before);
    await monitor.flush();
    const [a, b] = memory.spans;
    expect(a!.startTime).toBeGreaterThanOrEqual(before);
    // The memory backend shows an event's time as OTLP does, in Unix nanoseconds.
    expect(Number((a!.events[0] as unknown as { timeUnixNano: string }).timeUnixNano) / 1e6).toBeGreaterThanOrEqual(before);
    expect(a!.endTime).toBeGreaterThanOrEqual(a!.startTime);
    expect(a!.kind).toBe(1);
    expect([b!.startTime, b!.endTime, b!.kind]).toEqual([before - 1000, before, 2]);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ invalid_value: 4 });
    expect(seen.map((d) => d.message)).toEqual(["a span kind must be one of SpanKind's (INTERNAL 1 … CONSUMER 5), got \"server\"; INTERNAL was used"]);
  });
});
