import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createMonitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';

describe('logger edges', () => {
  it('isEnabled() is false on a disabled monitor, which keeps no record (guarded work would be wasted)', () => {
    const monitor = createMonitor({ disabled: true });
    expect(monitor.logger.isEnabled('error')).toBe(false);
    expect(monitor.logger.child({ a: 1 }).isEnabled('fatal')).toBe(false);
    expect(createTestMonitor().monitor.logger.isEnabled('error')).toBe(true);
  });

  it('a Set as the attributes (values, no names) is dropped and counted as invalid_value, the record kept; on child() too', async () => {
    const seen: Diagnostic[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    // @ts-expect-error a Set has no attribute names
    monitor.logger.info('m', new Set(['a', 'b']));
    // @ts-expect-error a Set has no attribute names
    monitor.logger.child(new Set([1])).info('c', { k: 1 });
    await monitor.flush();
    expect(memory.logs.map((r) => ({ ...(r.attributes as object) }))).toEqual([{}, { k: 1 }]);
    const drops = seen.filter((d) => d.kind === 'invalid_value');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]!.message).toMatch(/logger attributes must be an object of name → value, got a Set/);
    const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    expect(m?.points.find((p) => p.attributes.reason === 'invalid_value')).toMatchObject({ value: 2 });
  });

  it('a Map, Headers or URLSearchParams is accepted as attributes by the type (no cast)', async () => {
    const { monitor, memory } = createTestMonitor();
    monitor.logger.info('map', new Map([['k', 1]]));
    monitor.logger.info('headers', new Headers({ 'x-id': 'r' }));
    monitor.logger.child(new URLSearchParams('p=2')).warn('params');
    await monitor.flush();
    expect(memory.logs.map((r) => ({ ...(r.attributes as object) }))).toEqual([{ k: 1 }, { 'x-id': 'r' }, { p: '2' }]);
  });
});
