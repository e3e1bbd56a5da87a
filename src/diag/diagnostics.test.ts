import { describe, expect, it } from 'vitest';
import { Diagnostics } from './diagnostics.js';
import type { Diagnostic } from '../model/batch.js';

describe('Diagnostics', () => {
  it('reports each kind once and counts every drop, before and after the counter exists', () => {
    const seen: Diagnostic[] = [];
    const d = new Diagnostics((x) => seen.push(x));
    d.drop('invalid_value', 'a');
    d.drop('invalid_value', 'b', 2);
    const counts: Record<string, number> = {};
    d.attachCounter({ increment: (n, { reason }) => void (counts[reason] = (counts[reason] ?? 0) + n) });
    d.drop('invalid_value', 'c');
    d.count('tail_sampled', 4);
    expect(counts).toEqual({ invalid_value: 4, tail_sampled: 4 });
    expect(seen.map((x) => x.message)).toEqual(['a']);
  });

  it('survives a throwing handler and a throwing message', () => {
    const d = new Diagnostics(() => {
      throw new Error('boom');
    });
    expect(() => d.drop('invalid_value', 'x')).not.toThrow();
    expect(() =>
      d.report('config', () => {
        throw new Error('boom');
      }),
    ).not.toThrow();
  });

  it('remembers a bounded number of keys: keys built from names (one per failing metric name) cannot grow it without limit', () => {
    let calls = 0;
    const d = new Diagnostics(() => void calls++);
    for (let i = 0; i < 20_000; i++) d.report('otel', 'x', undefined, `otel:metric:name_${i}`);
    // Past the bound, further keys of a kind are folded into the kind: reported once more, then silent.
    expect(calls).toBeLessThanOrEqual(1025);
    expect(calls).toBeGreaterThanOrEqual(1000);
    const before = calls;
    d.report('config', 'a new kind is still reported');
    expect(calls).toBe(before + 1);
    expect((d as unknown as { seen: Set<string> }).seen.size).toBeLessThanOrEqual(1100);
  });
});
