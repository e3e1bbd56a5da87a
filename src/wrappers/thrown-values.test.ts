import { describe, expect, it } from 'vitest';
import { errorType as adapterErrorType } from '../http/handle-request.js';
import type { CounterMetric, HistogramMetric } from '../model/metric-data.js';
import { PerformanceMonitor } from '../perf/performance-monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { traced } from './traced.js';

type TestMonitor = ReturnType<typeof createTestMonitor>['monitor'];

function errorTypes(monitor: TestMonitor, base: string): unknown[] {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === `${base}_errors_total`) as CounterMetric | undefined;
  return (m?.points ?? []).map((p) => p.attributes['error.type']);
}

function durations(monitor: TestMonitor, base: string): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === `${base}_duration_seconds`) as HistogramMetric | undefined;
  return (m?.points ?? []).reduce((n, p) => n + p.count, 0);
}

describe('error.type of a thrown null or undefined', () => {
  // The Workers invocation, binding and serverless spans record a thrown non-Error by its type
  // (handle-request's errorType): a traced or metered function throwing the same value inside
  // them was recorded as "Error", so one failure had two types in one trace.
  it('is what the runtime adapters record for it, on the span and the error counter', async () => {
    const { monitor, memory } = createTestMonitor();
    const values = [null, undefined] as const;
    for (const [i, v] of values.entries()) {
      const f = traced(`t${i}`, metered(`m${i}`, () => {
        throw v;
      }, { monitor }), { monitor });
      expect(() => f()).toThrow();
      const g = traced(`a${i}`, async () => Promise.reject(v), { monitor });
      await expect(g()).rejects.toBe(v);
      expect(() => new PerformanceMonitor(monitor).measure(`p${i}`, () => {
        throw v;
      })).toThrow();
    }
    await monitor.flush();
    for (const [i, v] of values.entries()) {
      const expected = adapterErrorType(v);
      expect(expected).not.toBe('Error');
      expect([`t${i}`, `a${i}`, `p${i}`].map((n) => memory.findSpan(n)!.attributes['error.type'])).toEqual([expected, expected, expected]);
      expect(errorTypes(monitor, `m${i}`)).toEqual([expected]);
    }
  });
});

describe('an error whose name cannot be read', () => {
  // A `name` getter that throws (a Proxy, a hostile error class) made metered lose the failure
  // and the call's duration without a count; the adapters' errorType reads it as "Error".
  class Unnamed extends Error {
    override get name(): string {
      throw new Error('no name');
    }
  }

  it('metered still counts the error (as Error) and records the duration; traced ends the span with error.type', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new Unnamed('x');
    const f = traced('unnamed', metered('unnamed', () => {
      throw err;
    }, { monitor }), { monitor });
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    expect(errorTypes(monitor, 'unnamed')).toEqual(['Error']);
    expect(durations(monitor, 'unnamed')).toBe(1);
    await monitor.flush();
    expect(memory.findSpan('unnamed')!.attributes['error.type']).toBe('Error');
  });

  it('a name that is not a string is not the type (the class name is)', async () => {
    const { monitor } = createTestMonitor();
    class Coded extends Error {}
    const err = Object.assign(new Coded('x'), { name: 42 });
    const f = metered('coded', () => {
      throw err;
    }, { monitor });
    expect(() => f()).toThrow();
    expect(errorTypes(monitor, 'coded')).toEqual(['Coded']);
  });
});
