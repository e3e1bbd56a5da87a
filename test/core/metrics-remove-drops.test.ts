/**
 * `remove(labels)` records nothing, so it counts nothing in lexigram_monitor_dropped_total: a
 * label value over the length limit (the series is still found by its truncated value), an
 * undeclared label or a value that is not text makes remove() return false or find the series,
 * never a counted drop. Only recording calls count.
 */
import { expect, it } from 'vitest';
import { createTestMonitor } from '../../src/testing/index.js';

it('remove() with long, undeclared or unusable label values counts no drop', () => {
  const messages: string[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => messages.push(d.message), limits: { labelValueLengthLimit: 8 } });
  const declared = monitor.metrics.createCounter('declared_total', 'Declared', { labelNames: ['queue'] });
  const any = monitor.metrics.createCounter('any_total', 'Any');
  declared.increment(1, { queue: 'q' });
  any.increment(1, { queue: 'a-long-queue-name' }); // one truncation: counted
  // @ts-expect-error an undeclared label (as plain JavaScript may pass one)
  expect(declared.remove({ queue: 'q', other: 'x' })).toBe(false);
  expect(declared.remove({ queue: {} as never })).toBe(false);
  expect(declared.remove({ queue: 'another-long-name' })).toBe(false);
  expect(any.remove({ queue: 'a-long-queue-name' })).toBe(true);
  expect(any.remove({ queue: 'a-long-queue-name' })).toBe(false);
  const drops = monitor.metrics
    .collect()
    .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!
    .points.map((p) => [p.attributes.reason, (p as { value: number }).value]);
  expect(drops).toEqual([['label_too_long', 1]]);
  expect(messages).toHaveLength(1);
  // Recording calls still count.
  // @ts-expect-error an undeclared label (as plain JavaScript may pass one)
  declared.increment(1, { queue: 'q', other: 'x' });
  const after = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points.map((p) => p.attributes.reason);
  expect(after).toEqual(['label_too_long', 'unknown_label']);
});
