// What ends outside any scope waits in a bounded buffer. A synchronous loop that ends spans or
// writes logs faster than any export can leave (a batch job; a benchmark's timing loop) keeps it
// full: the oldest go first, an eighth of the list at a time, and every one is counted.
import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../src/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

function dropped(monitor: Monitor): number {
  const snap = monitor.metrics.collect({ temporality: 'cumulative' });
  const m = snap.metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const p = m?.points.find((x) => x.attributes.reason === 'buffer_full') as { value: number } | undefined;
  return p?.value ?? 0;
}

describe('the buffer outside scopes, kept full by a synchronous loop', () => {
  it('holds at most maxBufferedItems, drops the oldest in chunks, counts every drop', async () => {
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000, limits: { maxBufferedItems: 100 } });
    const waiting = (): number => (monitor as unknown as { pendingSpans: unknown[] }).pendingSpans.length;
    let most = 0;
    let leastOnceFull = Infinity;
    const N = 5000;
    for (let i = 0; i < N; i++) {
      monitor.tracer.startSpan(`s${i}`).end();
      most = Math.max(most, waiting());
      if (most === 100) leastOnceFull = Math.min(leastOnceFull, waiting());
    }
    expect(most).toBe(100);
    // Chunks of an eighth: a drop takes the 12 oldest, leaving 88 and the new span.
    expect(leastOnceFull).toBe(89);
    await monitor.flush();
    const names = memory.spans.map((s) => s.name);
    expect(names.length + dropped(monitor)).toBe(N);
    expect(names.at(-1)).toBe(`s${N - 1}`);
    // What was kept is the newest, in order.
    const first = Number(names[0]!.slice(1));
    expect(names).toEqual(Array.from({ length: names.length }, (_, k) => `s${first + k}`));
    await monitor.shutdown();
  });

  it('holds its byte bound for logs too, oldest first, every drop counted', async () => {
    const body = 'x'.repeat(1000); // about 2 KB each in the estimate
    const { monitor, memory } = createTestMonitor({ exportDelayMs: 60_000, limits: { maxBufferedBytes: 100_000 } });
    const N = 2000;
    for (let i = 0; i < N; i++) monitor.logger.info(body, { i });
    const internals = monitor as unknown as { pendingBytes: number };
    expect(internals.pendingBytes).toBeLessThanOrEqual(100_000);
    await monitor.flush();
    const kept = memory.logs.map((l) => l.attributes.i as number);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length + dropped(monitor)).toBe(N);
    expect(kept.at(-1)).toBe(N - 1);
    await monitor.shutdown();
  });
});

describe('maxBufferedBytes holds for nested log attributes', () => {
  it('values as deep as a log record keeps them (8 levels) count in the estimate', () => {
    const { monitor } = createTestMonitor({ exportDelayMs: 60_000, limits: { maxBufferedBytes: 200_000 } });
    const leaf = () => Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, String(k).repeat(4000)]));
    for (let i = 0; i < 50; i++) monitor.logger.info(`r${i}`, { payload: { a: { b: { c: { d: { e: { f: leaf() } } } } } } });
    const internals = monitor as unknown as { pendingLogs: unknown[]; pendingBytes: number };
    // Each record holds 10 strings of 4000 UTF-16 characters: 80,000 bytes at least.
    expect(internals.pendingLogs.length * 80_000).toBeLessThanOrEqual(200_000);
    expect(internals.pendingBytes).toBeGreaterThanOrEqual(internals.pendingLogs.length * 80_000);
    expect(dropped(monitor)).toBe(50 - internals.pendingLogs.length);
  });
});
