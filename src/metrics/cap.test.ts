import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { NumberPoint } from '../model/metric-data.js';

function values(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): [unknown, number][] {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === name);
  return ((m?.points ?? []) as NumberPoint[]).map((p) => [p.attributes, p.value]);
}

describe('MET-11: at the cardinality cap, a value whose series exists is not diverted to overflow', () => {
  it('a secret label value adds to the shared redacted series it belongs to, declared labels or not', () => {
    for (const labelNames of [['authorization', 'route'], undefined]) {
      const kinds: string[] = [];
      const { monitor } = createTestMonitor({ onDiagnostic: (d) => kinds.push(d.kind), limits: { cardinalityLimit: 3 } });
      const c = monitor.metrics.createCounter('calls_total', 'Calls', { labelNames });
      c.increment({ authorization: 'Bearer A', route: '/a' });
      c.increment({ authorization: 'Bearer B', route: '/b' });
      c.increment({ authorization: 'Bearer C', route: '/c' });
      // The cap is reached; a new token on /a is still the one [REDACTED] series of /a (README: all secret values share one series).
      c.increment({ authorization: 'Bearer D', route: '/a' });
      expect(values(monitor, 'calls_total')).toEqual([
        [{ authorization: '[REDACTED]', route: '/a' }, 2],
        [{ authorization: '[REDACTED]', route: '/b' }, 1],
        [{ authorization: '[REDACTED]', route: '/c' }, 1],
      ]);
      expect(kinds).not.toContain('cardinality_overflow');
      // A genuinely new set still overflows.
      c.increment({ authorization: 'Bearer E', route: '/d' });
      expect(values(monitor, 'calls_total').at(-1)).toEqual([{ 'otel.metric.overflow': true }, 1]);
    }
  });

  it('an invalid label name is dropped (invalid_label) at the cap as before it, not recorded into the overflow series', () => {
    const { monitor } = createTestMonitor({ limits: { cardinalityLimit: 2 } });
    const c = monitor.metrics.createCounter('any_total', 'Any labels');
    c.increment({ 'bad name': 'x' });
    c.increment({ a: '1' });
    c.increment({ a: '2' });
    c.increment({ 'bad name': 'x' });
    c.increment({ a: '3' });
    expect(values(monitor, 'any_total')).toEqual([
      [{ a: '1' }, 1],
      [{ a: '2' }, 1],
      [{ 'otel.metric.overflow': true }, 1],
    ]);
    const dropped = values(monitor, 'lexigram_monitor_dropped_total');
    expect(dropped).toContainEqual([{ reason: 'invalid_label' }, 2]);
    expect(dropped).toContainEqual([{ reason: 'cardinality_overflow' }, 1]);
  });
});

describe('lexigram_monitor_dropped_total is not capped by limits.cardinalityLimit (its reasons are a fixed set)', () => {
  it('with a cap below the number of reasons, misuse never throws and each reason keeps its own series', () => {
    const { monitor } = createTestMonitor({ limits: { cardinalityLimit: 1 } });
    const c = monitor.metrics.createCounter('c_total', 'C');
    // The cap full of reasons, a new reason overflowed, whose own count overflowed again: a stack overflow thrown into the app.
    expect(() => {
      c.increment(-1);
      c.increment(NaN);
      c.increment(1, { a: 'x' });
      c.increment(1, { a: 'y' });
    }).not.toThrow();
    expect(values(monitor, 'lexigram_monitor_dropped_total')).toEqual([
      [{ reason: 'negative_increment' }, 1],
      [{ reason: 'invalid_value' }, 1],
      [{ reason: 'cardinality_overflow' }, 1],
    ]);
  });
});

describe('labels per series are capped at limits.labelCountLimit when labelNames are not declared', () => {
  const many = (n: number, prefix = 'l', value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(4, '0')}`, value]));

  it('a labels object of 1000 keys makes a series of 128 labels (the first in name order), the rest dropped and counted', () => {
    const kinds: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => kinds.push(d.kind) });
    const c = monitor.metrics.createCounter('wide_total', 'Wide');
    expect(() => c.increment(many(1000))).not.toThrow();
    const [[attrs, v]] = values(monitor, 'wide_total') as [Record<string, string>, number][];
    expect(Object.keys(attrs)).toHaveLength(128);
    expect(Object.keys(attrs).sort().at(-1)).toBe('l0127');
    expect(v).toBe(1);
    expect(values(monitor, 'lexigram_monitor_dropped_total')).toContainEqual([{ reason: 'attribute_limit' }, 872]);
    expect(kinds).toContain('attribute_limit');
  });

  it('label sets that differ only in dropped labels share one series; key order does not matter', () => {
    const { monitor } = createTestMonitor({ limits: { labelCountLimit: 2 } });
    const c = monitor.metrics.createCounter('w_total', 'W');
    c.increment({ a: '1', b: '2', c: 'x' });
    c.increment({ z: 'y', b: '2', a: '1' });
    c.increment({ a: '1', b: '2' });
    expect(values(monitor, 'w_total')).toEqual([[{ a: '1', b: '2' }, 3]]);
    expect(values(monitor, 'lexigram_monitor_dropped_total')).toContainEqual([{ reason: 'attribute_limit' }, 2]);
  });

  it('a repeated over-cap set finds its series by one read of each label, and each call counts its dropped labels', () => {
    const { monitor } = createTestMonitor();
    const c = monitor.metrics.createCounter('wide_total', 'Wide');
    let reads = 0;
    const labels = new Proxy(many(200), { get: (t, k) => (reads++, t[k as string]) });
    c.increment(labels);
    reads = 0;
    c.increment(labels);
    // The creation path reads every value three times (key, validation, kept copy).
    expect(reads).toBe(200);
    c.increment(many(200));
    expect(values(monitor, 'wide_total')).toEqual([[many(128), 3]]);
    expect(values(monitor, 'lexigram_monitor_dropped_total')).toContainEqual([{ reason: 'attribute_limit' }, 3 * 72]);
  });

  it('ENV-15: metric attributes are exempt from the attribute limits: attributeCountLimit 0 or 2 (OTEL_ATTRIBUTE_COUNT_LIMIT) cuts no label; the cap is labelCountLimit, named in the message', () => {
    const seen: string[] = [];
    for (const attributeCountLimit of [0, 2]) {
      const { monitor } = createTestMonitor({ limits: { attributeCountLimit }, onDiagnostic: (d) => void seen.push(d.message) });
      monitor.metrics.createCounter('wide0_total', 'Wide').increment(many(130));
      monitor.metrics.createCounter('three_total', 'Three').increment(many(3));
      expect(values(monitor, 'wide0_total')).toEqual([[many(128), 1]]);
      expect(values(monitor, 'three_total')).toEqual([[many(3), 1]]);
    }
    // Once per monitor.
    const said = expect.stringContaining('more than 128 labels (limits.labelCountLimit)');
    expect(seen.filter((m) => m.includes('wide0_total'))).toEqual([said, said]);
  });

  it('remove() with an over-cap set removes the series it made, in any key order; it counts no drop', () => {
    const { monitor } = createTestMonitor({ limits: { labelCountLimit: 2 } });
    const c = monitor.metrics.createCounter('w_total', 'W');
    c.increment({ a: '1', b: '2', c: 'x', d: '' });
    expect(c.remove({ c: 'y', b: '2', a: '1' })).toBe(true);
    expect(values(monitor, 'w_total')).toEqual([]);
    expect(c.remove({ a: '1', b: '2', c: 'x' })).toBe(false);
    c.increment({ a: '1', b: '2', c: 'x' });
    expect(values(monitor, 'w_total')).toEqual([[{ a: '1', b: '2' }, 1]]);
    expect(values(monitor, 'lexigram_monitor_dropped_total')).toContainEqual([{ reason: 'attribute_limit' }, 2]);
  });

  it('declared labelNames are not capped (they are configuration), nor are sets within the limit', () => {
    const { monitor } = createTestMonitor({ limits: { labelCountLimit: 2 } });
    monitor.metrics.createCounter('d_total', 'D', { labelNames: ['a', 'b', 'c'] }).increment({ a: '1', b: '2', c: '3' });
    monitor.metrics.createCounter('n_total', 'N').increment({ a: '1', b: '2' });
    expect(values(monitor, 'd_total')).toEqual([[{ a: '1', b: '2', c: '3' }, 1]]);
    expect(values(monitor, 'n_total')).toEqual([[{ a: '1', b: '2' }, 1]]);
    expect(values(monitor, 'lexigram_monitor_dropped_total').some(([a]) => (a as { reason: string }).reason === 'attribute_limit')).toBe(false);
  });
});
