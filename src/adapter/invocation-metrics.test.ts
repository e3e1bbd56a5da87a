import { expect, test } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { recordInvocation } from './invocation-metrics.js';

const points = (monitor: ReturnType<typeof createTestMonitor>['monitor']) =>
  monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'faas.invoke_duration')?.points ?? [];

test('faas.invoke_duration: seconds between the given start and end, faas.trigger (`other` when the span has none) and error.type only', () => {
  const { monitor } = createTestMonitor();
  const span = monitor.tracer.startSpan('x');
  recordInvocation(monitor, span, 'timer', 1000, 1250, undefined);
  recordInvocation(monitor, span, undefined, 0, 1, 'TypeError');
  const ps = points(monitor) as unknown as { attributes: Record<string, unknown>; sum: number }[];
  expect(ps.map((p) => [p.attributes, p.sum])).toEqual([
    [{ 'faas.trigger': 'timer' }, 0.25],
    [{ 'faas.trigger': 'other', 'error.type': 'TypeError' }, 0.001],
  ]);
  expect(monitor.metrics.getMetric('faas.invoke_duration')?.unit).toBe('s');
});

test('a disabled monitor records nothing; a name another instrument took records nothing and throws nothing into the invocation', () => {
  const disabled = createTestMonitor({ disabled: true });
  recordInvocation(disabled.monitor, disabled.monitor.tracer.startSpan('x'), 'timer', 0, 1, undefined);
  expect(points(disabled.monitor)).toEqual([]);
  const clash = createTestMonitor();
  clash.monitor.metrics.createCounter('faas.invoke_duration', 'taken');
  expect(() => recordInvocation(clash.monitor, clash.monitor.tracer.startSpan('x'), 'timer', 0, 1, undefined)).not.toThrow();
});
