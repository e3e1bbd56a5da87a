/**
 * `@opentelemetry/api` calls given values that throw when read (a revoked Proxy, a throwing
 * getter) or that are not of the API's types: the bridge never throws into the app (DESIGN §5);
 * the value is dropped, counted in lexigram_monitor_dropped_total and the call goes on.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

function revoked(): never {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy as never;
}
const throwingGetter = (key: string): never =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('hostile');
    },
  }) as never;

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

/** Runs `call`, which must not throw, and returns how each drop reason's count changed. */
function counted(monitor: Monitor, call: () => unknown): Record<string, number> {
  const before = dropped(monitor);
  expect(call).not.toThrow();
  const after = dropped(monitor);
  const diff: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) diff[k] = v - (before[k] ?? 0);
  return diff;
}

describe('a bridged span given values that throw when read', () => {
  it('setAttributes, addEvent, addLink, addLinks, setStatus and end do not throw, and each drop is counted', async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const span = trace.getTracer('t').startSpan('s');
    expect(counted(monitor, () => span.setAttributes(revoked()))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.setAttributes({ ok: 1, ...{}, ...Object.create(null), get bad(): never { throw new Error('x'); } } as never))).not.toEqual({});
    expect(counted(monitor, () => span.setAttributes(throwingGetter('k')))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addEvent('e', revoked()))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addEvent('e', throwingGetter('k')))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addLink(revoked()))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addLink(throwingGetter('context')))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addLinks(revoked()))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.addLinks([revoked()]))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.setStatus(revoked()))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.setStatus(throwingGetter('code')))).toEqual({ invalid_attribute: 1 });
    expect(counted(monitor, () => span.end(revoked()))).toEqual({ invalid_value: 1 });
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['s']);
  });

  it('an end time or event time the API cannot read is counted (invalid_value), as on the monitor\'s own spans, and the current time used', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const span = trace.getTracer('t').startSpan('s');
    expect(counted(monitor, () => span.addEvent('e', new Date(NaN)))).toEqual({ invalid_value: 1 });
    expect(counted(monitor, () => span.end('yesterday' as never))).toEqual({ invalid_value: 1 });
    expect(counted(monitor, () => trace.getTracer('t').startSpan('s', { startTime: new Date(NaN) }).end())).toEqual({ invalid_value: 1 });
  });
});

describe('an @opentelemetry/api context argument that is not a context', () => {
  it('startSpan / startActiveSpan use the active context, and count it', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const tracer = trace.getTracer('t');
    for (const bad of [revoked(), 42, Object.create(null), Symbol('c')]) {
      expect(counted(monitor, () => tracer.startSpan('s', {}, bad as never).end())).toEqual({ invalid_attribute: 1 });
      let ran = false;
      expect(counted(monitor, () => tracer.startActiveSpan('s', {}, bad as never, (s) => ((ran = true), s.end())))).toEqual({ invalid_attribute: 1 });
      expect(ran).toBe(true);
    }
  });

  it('context.with(notAContext, fn) runs fn, with the current scope, and counts it', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    for (const bad of [revoked(), 42, Object.create(null), 'ctx']) {
      let ran = false;
      expect(counted(monitor, () => context.with(bad as never, () => (ran = true)))).toEqual({ invalid_attribute: 1 });
      expect(ran).toBe(true);
    }
    // fn's own throw still reaches the caller.
    expect(() =>
      context.with(42 as never, () => {
        throw new Error('mine');
      }),
    ).toThrow('mine');
  });
});

describe('bridged meters given values of the wrong type', () => {
  it('histogram.record with a value that is not a number drops and counts it, as counter.add does', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const h = metrics.getMeter('m').createHistogram('h.ms');
    for (const bad of [Symbol('v'), Object.create(null), { valueOf: () => { throw new Error('x'); } }, revoked()]) {
      expect(counted(monitor, () => h.record(bad as never))).toEqual({ invalid_value: 1 });
    }
  });

  it('an instrument whose name is not a string is a dropping instrument (reported, each measurement counted), not a TypeError', () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    const meter = metrics.getMeter('m');
    for (const bad of [42, Symbol('n'), revoked(), null]) {
      let c: ReturnType<typeof meter.createCounter> | undefined;
      expect(() => (c = meter.createCounter(bad as never))).not.toThrow();
      expect(counted(monitor, () => c!.add(1))).toEqual({ invalid_instrument: 1 });
      expect(() => meter.createHistogram(bad as never).record(1)).not.toThrow();
    }
    // Observables last: their callbacks run at each collection, and each observation is counted.
    for (const bad of [42, Symbol('n'), revoked()]) expect(() => meter.createObservableGauge(bad as never).addCallback((r) => r.observe(1))).not.toThrow();
    // (counted() collects too, so more than the three of this one collection are seen)
    expect(counted(monitor, () => monitor.metrics.collect()).invalid_instrument).toBeGreaterThanOrEqual(3);
  });
});

describe('an api-logs record with a timestamp that is not a time', () => {
  it('is kept with the emit time, and the replaced time counted (invalid_value)', async () => {
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor, { logs });
    const logger = logs.getLogger('l');
    expect(counted(monitor, () => logger.emit({ body: 'a', timestamp: 'yesterday' as never }))).toEqual({ invalid_value: 1 });
    expect(counted(monitor, () => logger.emit({ body: 'b', observedTimestamp: new Date(NaN) }))).toEqual({ invalid_value: 1 });
    expect(counted(monitor, () => logger.emit({ body: 'c', timestamp: revoked() }))).toEqual({ invalid_value: 1 });
    expect(counted(monitor, () => logger.emit({ body: 'd', timestamp: Date.now() }))).toEqual({});
    await monitor.flush();
    expect(memory.logs.map((r) => r.body)).toEqual(['a', 'b', 'c', 'd']);
    for (const r of memory.logs) expect(r.time).toBeGreaterThan(Date.now() - 60_000);
  });
});

