/**
 * A list attribute keeps its first 1000 elements: only those are looked at for header-list
 * secrets, so a long list costs what the kept part costs, as before header lists were redacted.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

function longList(n: number): { list: string[]; reads: () => number } {
  const list = new Array<string>(n).fill('Accept');
  let reads = 0;
  // An element past the kept part that tells when it is read.
  Object.defineProperty(list, n - 1, {
    get: () => {
      reads++;
      return 'Authorization';
    },
  });
  return { list, reads: () => reads };
}

describe('long list attributes', () => {
  it.each(['rawHeaders', 'tags'])('under %s: the elements past the kept 1000 are not read, and the cut is counted', async (key) => {
    const { monitor, memory } = createTestMonitor();
    const { list, reads } = longList(100_000);
    list[0] = 'Authorization';
    list[1] = 'Bearer LONG-planted';
    const span = monitor.tracer.startSpan('s');
    span.setAttribute(key, list);
    span.addEvent('e', { [key]: list });
    span.end();
    await monitor.flush();
    expect(reads()).toBe(0);
    const s = memory.spans[0]!;
    expect((s.attributes[key] as string[]).length).toBe(1000);
    expect((s.events[0]!.attributes[key] as string[]).length).toBe(1000);
    if (key === 'rawHeaders') expect(JSON.stringify(memory.spans)).not.toMatch(/planted/);
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ attribute_truncated: 2 });
  });
});
