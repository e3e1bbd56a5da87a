/**
 * The metrics bridge hands most attribute objects to the core as they are (own keys valid as
 * label names, primitive values) and copies only the rest. These are the cases where handing
 * the object over would record something else than the copy did.
 */
import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

let monitor: Monitor;
beforeEach(() => {
  ({ monitor } = createTestMonitor());
  registerOpenTelemetry(monitor);
});
afterEach(() => unregisterOpenTelemetry());

const pointsOf = (name: string) => monitor.metrics.collect().metrics.find((m) => m.name === name)!.points as readonly { attributes: Record<string, unknown>; value?: number; count?: number }[];

it('an attributes object changed after the call leaves the recorded series as they were', () => {
  const c = metrics.getMeter('lib').createCounter('jobs');
  const attrs: Record<string, string | number> = { queue: 'mail', attempt: 1 };
  c.add(1, attrs);
  c.add(1, attrs);
  attrs.queue = 'sms';
  c.add(1, attrs);
  expect(pointsOf('jobs').map((p) => [p.attributes, p.value])).toEqual([
    [{ queue: 'mail', attempt: 1 }, 2],
    [{ queue: 'sms', attempt: 1 }, 1],
  ]);
});

it('keys inherited from a prototype are not attributes (own keys only, as the SDK reads them)', () => {
  const c = metrics.getMeter('lib').createCounter('inherited');
  const base = { tenant: 'acme' };
  const attrs = Object.assign(Object.create(base) as Record<string, string>, { route: '/a' });
  c.add(1, attrs);
  c.add(1, attrs);
  expect(pointsOf('inherited').map((p) => [p.attributes, p.value])).toEqual([[{ route: '/a' }, 2]]);
});

it('null and undefined values, arrays and keys that are not label names still go through the copy', () => {
  const h = metrics.getMeter('lib').createHistogram('mixed');
  h.record(1, { route: '/a', note: undefined, user: null as unknown as string });
  h.record(2, { 'http.route': '/a', 'service-name': 'x', tags: ['a', 'b'] });
  expect(pointsOf('mixed').map((p) => [p.attributes, p.count])).toEqual([
    [{ route: '/a' }, 1],
    [{ 'http.route': '/a', service_name: 'x', tags: '["a","b"]' }, 1],
  ]);
});

it('an observable callback reusing one attributes object for each observation records each set (kept until every callback ran: a copy, not the object as it ends up)', () => {
  const g = metrics.getMeter('lib').createObservableGauge('cpu.load');
  g.addCallback((r) => {
    const attrs: Record<string, string> = { cpu: '' };
    for (let i = 0; i < 3; i++) {
      attrs.cpu = String(i);
      r.observe(i * 10, attrs);
    }
  });
  expect(pointsOf('cpu.load').map((p) => [p.attributes, p.value])).toEqual([
    [{ cpu: '0' }, 0],
    [{ cpu: '1' }, 10],
    [{ cpu: '2' }, 20],
  ]);
});
