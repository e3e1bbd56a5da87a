/**
 * An OpenTelemetry instrument the core cannot create (an invalid name, or a name already taken by
 * another kind of instrument) records nothing: its measurements are dropped, so they are counted
 * (`invalid_instrument`) and reported, never thrown into the app.
 */
import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Diagnostic, Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

let monitor: Monitor;
let diags: Diagnostic[];

beforeEach(() => {
  diags = [];
  ({ monitor } = createTestMonitor({ onDiagnostic: (d) => diags.push(d) }));
  expect(registerOpenTelemetry(monitor)).toBe(true);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

const dropped = () =>
  Object.fromEntries(
    (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]),
  );

it('measurements on instruments with an invalid name are counted as dropped and reported, never thrown', () => {
  const meter = metrics.getMeter('lib');
  expect(() => {
    meter.createCounter('1bad name').add(1, { a: 'x' });
    meter.createUpDownCounter('bad name').add(-2);
    meter.createHistogram('').record(3);
    meter.createGauge('ü').record(4);
  }).not.toThrow();
  expect(dropped()).toEqual({ invalid_instrument: 4 });
  expect(diags.filter((d) => d.kind === 'otel').map((d) => d.message)).toHaveLength(4);
  expect(diags.find((d) => d.kind === 'invalid_instrument')?.message).toMatch(/could not be created: invalid metric name "1bad name": .*\(such as "http_requests_total"\); its measurements are dropped$/);
  expect(monitor.metrics.collect().metrics.map((m) => m.name)).toEqual(['lexigram_monitor_dropped_total']);
});

it('a name already taken by another kind of bridge instrument: its measurements are counted too', () => {
  const meter = metrics.getMeter('lib');
  meter.createHistogram('work.size').record(1);
  meter.createCounter('work.size').add(1);
  meter.createCounter('work.size').add(1);
  expect(dropped()).toEqual({ invalid_instrument: 2 });
});

it('a synchronous and an observable instrument of one name: the message says which kind has it and what to change', () => {
  const meter = metrics.getMeter('lib');
  meter.createObservableCounter('jobs.done').addCallback((r) => r.observe(1));
  meter.createCounter('jobs.done').add(1);
  meter.createUpDownCounter('jobs.open').add(1);
  meter.createObservableUpDownCounter('jobs.open');
  expect(diags.filter((d) => d.kind === 'otel').map((d) => d.message)).toEqual([
    'the counter "jobs.done" from "lib" could not be created: it is already an OpenTelemetry observable counter; use another name',
    'the observable up-down counter "jobs.open" from "lib" could not be created: it is already an OpenTelemetry up-down counter; use another name',
  ]);
});

it("the app's own metric name: the OpenTelemetry instrument records nothing (not counted twice), each measurement counted as dropped", () => {
  monitor.metrics.createCounter('orders', 'orders').increment();
  metrics.getMeter('lib').createCounter('orders').add(1);
  expect(dropped()).toEqual({ invalid_instrument: 1 });
  expect(monitor.metrics.collect().metrics.find((m) => m.name === 'orders')!.points).toMatchObject([{ value: 1 }]);
});

it('observable instruments with an invalid name: their callbacks run at collection and each observation is counted as dropped', () => {
  const meter = metrics.getMeter('lib');
  const gauge = meter.createObservableGauge('bad name');
  gauge.addCallback((r) => {
    r.observe(1, { a: 'x' });
    r.observe(2, { a: 'y' });
  });
  meter.createObservableCounter('1bad').addCallback((r) => r.observe(5));
  const updown = meter.createObservableUpDownCounter('');
  meter.addBatchObservableCallback((r) => r.observe(updown, -1), [updown]);
  // each collection runs the callbacks again: 4 observations lost each time
  expect(dropped()).toEqual({ invalid_instrument: 4 });
  expect(dropped()).toEqual({ invalid_instrument: 8 });
  expect(diags.filter((d) => d.kind === 'otel' && /could not be created/.test(d.message))).toHaveLength(3);
});
