/**
 * A log attribute whose value has no log representation (a function, a symbol) is left out of
 * the record; that loss is counted (DESIGN §5: every drop counted), as a span counts the same
 * attribute. An undefined value is simply absent, as in sdk-logs.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createTestMonitor } from '../testing/index.js';

function dropped(monitor: ReturnType<typeof createTestMonitor>['monitor']): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

describe('log attributes with a function or symbol value', () => {
  it('are left out and counted as invalid_attribute, on a record and on child()', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    monitor.logger.info('m', { keep: 1, fn: () => 1, sym: Symbol('s'), none: undefined });
    expect(dropped(monitor)).toEqual({ invalid_attribute: 2 });
    monitor.logger.child({ cb: function named() {} }).info('c');
    expect(dropped(monitor)).toEqual({ invalid_attribute: 3 });
    await monitor.flush();
    expect(memory.logs.map((r) => r.attributes)).toEqual([{ keep: 1 }, {}]);
    expect(seen.map((d) => d.kind)).toContain('invalid_attribute');
  });

  it('nested in a map or a list, they are left out (null in a list) and counted once per attribute', async () => {
    const { monitor, memory } = createTestMonitor();
    monitor.logger.info('m', { nested: { f: () => 1, s: Symbol('x'), keep: 1 }, list: [() => 1, 2], plain: { a: 1, u: undefined } });
    expect(dropped(monitor)).toEqual({ invalid_attribute: 2 });
    await monitor.flush();
    expect(memory.logs[0]!.attributes).toEqual({ nested: { keep: 1 }, list: [null, 2], plain: { a: 1 } });
  });

  it('an undefined value is not counted', () => {
    const { monitor } = createTestMonitor();
    monitor.logger.info('m', { a: undefined });
    expect(dropped(monitor)).toEqual({});
  });
});
