import { describe, expect, it } from 'vitest';
import { observeTotal } from '../../src/metrics/observe.js';
import type { NumberPoint } from '../../src/model/metric-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

describe('MET-04/MET-05: an observed counter total that goes down (a reset), read cumulatively', () => {
  it('starts a new cumulative series: its start time follows the last reported time, so no cumulative stream ever decreases', () => {
    for (const labels of [{ q: 'a' }, undefined]) {
      const { monitor } = createTestMonitor({ limits: labels ? { cardinalityLimit: 1 } : {}, onDiagnostic: () => undefined });
      const c = monitor.metrics.createCounter('restarts_total', 'Restarts');
      // With a cap of 1 and a second set, the { q: 'b' } set lives in the overflow series (its sum goes down too).
      const observe = (a: number, b: number): NumberPoint[] => {
        observeTotal(c, a, labels);
        if (labels) observeTotal(c, b, { q: 'b' });
        return monitor.metrics.collect().metrics.find((m) => m.name === 'restarts_total')!.points as NumberPoint[];
      };
      const first = observe(10, 10);
      const second = observe(15, 15);
      // Growth: the same series.
      expect(second.map((p) => p.startTime)).toEqual(first.map((p) => p.startTime));
      const third = observe(3, 3);
      expect(third.map((p) => p.value)).toEqual(labels ? [3, 3] : [3]);
      third.forEach((p, i) => {
        expect(p.startTime).toBeGreaterThanOrEqual(second[i]!.time);
        expect(p.startTime).toBeLessThanOrEqual(p.time);
      });
      // After the reset it grows again from the new start.
      const fourth = observe(4, 4);
      expect(fourth.map((p) => p.startTime)).toEqual(third.map((p) => p.startTime));
    }
  });

  it('the delta stream is unchanged: each delta is the growth, the drop read as a restart from zero', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    const c = monitor.metrics.createCounter('restarts_total', 'Restarts');
    const deltas: number[] = [];
    for (const total of [10, 15, 3, 4]) {
      observeTotal(c, total, undefined);
      deltas.push((monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'restarts_total')!.points[0] as NumberPoint).value);
    }
    expect(deltas).toEqual([10, 5, 3, 1]);
  });
});
