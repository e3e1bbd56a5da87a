import { describe, expect, it } from 'vitest';
import type { MetricData, NumberPoint } from '../../model/metric-data.js';
import { DeltaCarry } from './carry-over.js';

const scope = { name: 's' };
const num = (k: string, value: number, startTime: number, time: number): NumberPoint => ({ attributes: { k }, value, startTime, time });
const sum = (points: NumberPoint[]): MetricData => ({ name: 'c', help: '', unit: '', type: 'counter', temporality: 'delta', points });
const gauge = (points: NumberPoint[]): MetricData => ({ name: 'g', help: '', unit: '', type: 'gauge', temporality: 'delta', points });
const snapshot = (time: number, ...metrics: MetricData[]) => ({ temporality: 'delta' as const, time, metrics });

describe('DeltaCarry', () => {
  it('holds per resource, hands over once, merged into the next collection', () => {
    const carry = new DeltaCarry();
    const r1 = { attributes: { 'service.name': 'a' } };
    const r2 = { attributes: { 'service.name': 'b' } };
    expect(carry.keep(r1, scope, [sum([num('x', 5, 0, 10)])])).toBe(0);
    // A concurrent failed export of the same resource adds to what is held.
    carry.keep(r1, scope, [sum([num('x', 1, 10, 12)])]);
    expect(carry.take(r2, snapshot(20, sum([num('x', 2, 0, 20)])))).toEqual({ metrics: snapshot(20, sum([num('x', 2, 0, 20)])), lost: 0 });
    expect(carry.take(r1, snapshot(20, sum([num('x', 2, 12, 20)])))).toEqual({ metrics: snapshot(20, sum([num('x', 8, 0, 20)])), lost: 0 });
    expect(carry.held.size).toBe(0);
    expect(carry.take(r1, undefined)).toEqual({ metrics: undefined, lost: 0 });
  });

  it('a last export without a new collection takes what is held as it is', () => {
    const carry = new DeltaCarry();
    const r = { attributes: {} };
    carry.keep(r, scope, [gauge([num('q', 3, 0, 10)])]);
    expect([...carry.held]).toEqual([[r, [scope, [gauge([num('q', 3, 0, 10)])]]]]);
    expect(carry.take(r, undefined).metrics!.metrics).toEqual([gauge([num('q', 3, 0, 10)])]);
  });

  it('a metric held keeps no more series than the limit or than one collection had; the rest is counted as lost', () => {
    const carry = new DeltaCarry(2);
    const r = { attributes: {} };
    carry.keep(r, scope, [sum([num('a', 1, 0, 10), num('b', 1, 0, 10)])]);
    const t = carry.take(r, snapshot(20, sum([num('c', 1, 10, 20)])));
    expect(t.lost).toBe(1);
    // The new collection's series first.
    expect(t.metrics!.metrics[0]!.points.map((p) => p.attributes.k)).toEqual(['c', 'a']);
    // A collection of three series lets three be held.
    carry.keep(r, scope, [sum([num('a', 1, 20, 30), num('b', 1, 20, 30), num('c', 1, 20, 30)])]);
    const u = carry.take(r, snapshot(40, sum([num('d', 1, 30, 40)])));
    expect([u.metrics!.metrics[0]!.points.length, u.lost]).toEqual([3, 1]);
  });
});
