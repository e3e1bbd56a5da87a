import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './quantile-sketch.js';

const bins = (s: QuantileSketch): number => (s as unknown as { pos: Map<number, number>; neg: Map<number, number> }).pos.size + (s as unknown as { neg: Map<number, number> }).neg.size;

describe('QuantileSketch memory is bounded whatever the values', () => {
  it('values over the whole double range (hostile input to a summary) keep a bounded number of bins', () => {
    const s = new QuantileSketch();
    // Every magnitude from 1e-300 to 1e300, both signs: ~124,000 bins without a bound (7 MB, 160 ms per collection).
    let max = 0;
    for (let e = -300; e <= 300; e += 0.005) {
      max = 10 ** e;
      s.add(max);
      s.add(-max);
    }
    expect(bins(s)).toBeLessThanOrEqual(2 * 6300);
    // The exact extremes still answer quantile 0 and 1.
    expect(QuantileSketch.quantiles([s], [0, 1])).toEqual([-max, max]);
  });

  it('values up to 1e18 keep the 0.5% relative accuracy', () => {
    for (const v of [1e-6, 0.25, 3, 1e9, 1e15, 9e17]) {
      const s = new QuantileSketch();
      s.add(v / 2);
      s.add(v);
      s.add(v * 0.999);
      const [median] = QuantileSketch.quantiles([s], [0.5]);
      expect(Math.abs(median - v * 0.999) / (v * 0.999)).toBeLessThan(0.005);
    }
  });
});
