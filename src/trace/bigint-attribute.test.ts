/**
 * A BigInt attribute value: a safe integer is the same number (an OTLP int), nothing lost and
 * nothing reported; past 2^53 it is written as its digits, counted and reported as written as
 * text (the report said "a non-primitive value was converted to text" for both).
 */
import { expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { Diagnostic } from '../model/batch.js';

function setup() {
  const seen: Diagnostic[] = [];
  const t = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
  const dropped = (): number => {
    const c = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    return c?.points.filter((p) => p.attributes.reason === 'invalid_attribute').reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;
  };
  return { ...t, seen, dropped };
}

it('a safe BigInt is kept as the number it is, with no drop counted or reported', async () => {
  const { monitor, memory, seen, dropped } = setup();
  monitor.tracer.startSpan('a').setAttribute('bytes', 9_007_199_254_740_991n).setAttribute('neg', -42n).end();
  await monitor.flush();
  expect(memory.spans[0]!.attributes).toMatchObject({ bytes: Number.MAX_SAFE_INTEGER, neg: -42 });
  expect([dropped(), seen.filter((d) => d.kind === 'invalid_attribute')]).toEqual([0, []]);
});

it('a BigInt past 2^53 is written as its digits, counted and reported as written as text', async () => {
  const { monitor, memory, seen, dropped } = setup();
  monitor.tracer.startSpan('a').setAttribute('big', 2n ** 60n).end();
  await monitor.flush();
  expect(memory.spans[0]!.attributes.big).toBe('1152921504606846976');
  expect(dropped()).toBe(1);
  expect(seen.find((d) => d.kind === 'invalid_attribute')?.message).toMatch(/BigInt past 2\^53\) was written as text/);
});

it('an array of safe BigInts is an array of numbers, alone or among numbers, with no drop; one past 2^53 makes it text, reported', async () => {
  const { monitor, memory, seen, dropped } = setup();
  monitor.tracer.startSpan('a').setAttribute('ids', [1n, -2n, null]).setAttribute('mixed', [3, 4n]).end();
  await monitor.flush();
  expect(memory.spans[0]!.attributes).toMatchObject({ ids: [1, -2, null], mixed: [3, 4] });
  expect([dropped(), seen.filter((d) => d.kind === 'invalid_attribute')]).toEqual([0, []]);

  monitor.tracer.startSpan('b').setAttribute('big', [1n, 2n ** 60n]).end();
  await monitor.flush();
  expect(memory.spans[1]!.attributes.big).toEqual(['1', '1152921504606846976']);
  expect(dropped()).toBe(1);
});
