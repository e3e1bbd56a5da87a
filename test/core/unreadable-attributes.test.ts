// Attributes that throw when read (a getter, a revoked Proxy) are misuse like any other: the
// span or logger goes on, the misuse is counted (invalid_attribute), nothing is thrown into the app.
import { expect, it } from 'vitest';
import { createTestMonitor } from '../../src/testing/index.js';

const getter = (): Record<string, unknown> =>
  Object.defineProperty({}, 'k', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
const revoked = (): Record<string, unknown> => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};

it('span attributes, span start attributes, event attributes and child logger attributes that throw are dropped and counted', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const calls = [
    () => monitor.tracer.startSpan('set').setAttribute('ok', 1).setAttributes(getter()).end(),
    () => monitor.tracer.startSpan('set-revoked').setAttributes(revoked()).end(),
    () => monitor.tracer.startSpan('start', { attributes: getter() }).end(),
    () => monitor.tracer.startSpan('event').addEvent('e', getter()).end(),
    () => monitor.tracer.startSpan('event-revoked').addEvent('e', revoked()).end(),
    () => monitor.logger.child(getter()).info('from child'),
  ];
  for (const call of calls) expect(call).not.toThrow();
  await monitor.flush();
  expect(memory.spans.map((s) => s.name).sort()).toEqual(['event', 'event-revoked', 'set', 'set-revoked', 'start']);
  expect(memory.spans.find((s) => s.name === 'set')!.attributes).toEqual({ ok: 1 });
  expect(memory.spans.find((s) => s.name === 'event')!.events.map((e) => e.name)).toEqual(['e']);
  expect(memory.logs.map((l) => l.body)).toEqual(['from child']);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points;
  expect(dropped.filter((p) => p.attributes.reason === 'invalid_attribute').map((p) => (p as { value: number }).value)).toEqual([6]);
});

it('an attribute value, a status, a link or an end time that throws when read is dropped and counted, the span going on', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => undefined });
  const throwingLink = Object.defineProperty({}, 'context', {
    get() {
      throw new Error('getter');
    },
  });
  const span = monitor.tracer.startSpan('s');
  const calls = [
    () => span.setAttribute('v', revoked()),
    () => span.setStatus(revoked() as never),
    () => span.addLink(revoked() as never),
    () => span.addLink(throwingLink as never),
  ];
  for (const call of calls) expect(call).not.toThrow();
  span.setAttribute('kept', true);
  expect(() => span.end(revoked() as never)).not.toThrow();
  await monitor.flush();
  const s = memory.spans.find((x) => x.name === 's')!;
  expect(s.attributes).toEqual({ kept: true });
  expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!.points;
  expect(dropped.filter((p) => p.attributes.reason === 'invalid_attribute').map((p) => (p as { value: number }).value)).toEqual([4]);
});
