import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import type { Diagnostic } from '../model/batch.js';
import { SpanKind } from '../model/span-data.js';
import { getActiveSpan } from '../context/active.js';
import type { StartSpanOptions } from './tracer.js';

function monitorWith() {
  const seen: Diagnostic[] = [];
  const t = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
  const dropped = (reason: string) =>
    t.monitor.metrics
      .collect({ temporality: 'cumulative' })
      .metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')
      ?.points.filter((p) => p.attributes.reason === reason)
      .reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;
  return { ...t, seen, dropped };
}

function revoked(): StartSpanOptions {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const boom = (): never => {
  throw new Error('read');
};

/** Options whose `key` getter throws; the other fields as given. */
function throwingAt(key: keyof StartSpanOptions, rest: StartSpanOptions): StartSpanOptions {
  return Object.defineProperty({ ...rest }, key, { get: boom, enumerable: true });
}

describe('startSpan / startActiveSpan options that throw when read', () => {
  const hostile: [string, () => StartSpanOptions][] = [
    ['a revoked Proxy', revoked],
    ['a getter that throws on parent', () => throwingAt('parent', {})],
    ['a parent that is a revoked Proxy', () => ({ parent: revoked() as never })],
  ];
  for (const [what, make] of hostile) {
    it(`${what}: startSpan and startActiveSpan neither throw, the spans start with defaults, each counted as invalid_attribute`, async () => {
      const { monitor, memory, dropped, seen } = monitorWith();
      expect(() => monitor.tracer.startSpan('plain', make()).end()).not.toThrow();
      const r = monitor.tracer.startActiveSpan('active', make(), (span) => {
        expect(getActiveSpan()).toBe(span);
        return 7;
      });
      expect(r).toBe(7);
      await monitor.flush();
      expect(memory.spans.map((s) => s.name).sort()).toEqual(['active', 'plain']);
      expect(memory.spans.every((s) => s.kind === SpanKind.INTERNAL && s.parentSpanId === undefined)).toBe(true);
      expect(dropped('invalid_attribute')).toBe(2);
      expect(seen.some((d) => /throws when read/.test(d.message))).toBe(true);
    });
  }

  it('the fields that can be read are kept: a throwing kind getter leaves the attributes, the parent and the links', async () => {
    const { monitor, memory, dropped } = monitorWith();
    const parent = monitor.tracer.startSpan('parent');
    const link = { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 } };
    const child = monitor.tracer.startSpan('child', throwingAt('kind', { parent, attributes: { 'order.id': 'ord-42' }, links: [link] }));
    child.end();
    monitor.tracer.startActiveSpan('active-child', throwingAt('attributes', { parent, kind: SpanKind.CLIENT }), (s) => s.end());
    parent.end();
    await monitor.flush();
    const c = memory.findSpan('child')!;
    expect(c.parentSpanId).toBe(parent.spanContext().spanId);
    expect({ ...c.attributes }).toEqual({ 'order.id': 'ord-42' });
    expect(c.links.map((l) => l.spanId)).toEqual(['00f067aa0ba902b7']);
    const a = memory.findSpan('active-child')!;
    expect(a.kind).toBe(SpanKind.CLIENT);
    expect(a.parentSpanId).toBe(parent.spanContext().spanId);
    expect(dropped('invalid_attribute')).toBe(2);
  });

  it('a function that throws in startActiveSpan still reaches the caller: only reading the options is guarded', () => {
    const { monitor } = monitorWith();
    expect(() => monitor.tracer.startActiveSpan('f', revoked(), () => boom())).toThrow('read');
  });
});

describe('links that throw when read (a revoked Proxy, a getter at an index)', () => {
  const badLinks: [string, () => unknown][] = [
    ['a revoked Proxy', revoked],
    ['an array with a throwing index', () => Object.defineProperty([], 0, { get: boom, enumerable: true })],
  ];
  for (const [what, make] of badLinks) {
    it(`${what}: only the links are lost; parent: null, the kind and the attributes are kept, the sampler asked once, counted once`, async () => {
      let asked = 0;
      const seen: Diagnostic[] = [];
      const t = createTestMonitor({ onDiagnostic: (d) => seen.push(d), sampler: { shouldSample: () => (asked++, 2) } });
      const { monitor, memory } = t;
      monitor.tracer.startActiveSpan('outer', () => {
        asked = 0;
        monitor.tracer.startSpan('s', { parent: null, kind: SpanKind.CLIENT, attributes: { a: 1 }, links: make() as never }).end();
        expect(asked).toBe(1);
      });
      await monitor.flush();
      const s = memory.findSpan('s')!;
      expect([s.parentSpanId, s.kind, { ...s.attributes }, s.links.length]).toEqual([undefined, SpanKind.CLIENT, { a: 1 }, 0]);
      const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
      expect(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value])).toEqual([['invalid_attribute', 1]]);
    });
  }
});

it('an option getter that throws (kind, startTime, links, attributes) leaves no sampling decision taken for an abandoned span: the sampler is asked once', () => {
  let asked = 0;
  const { monitor } = createTestMonitor({ sampler: { shouldSample: () => (asked++, 2) } });
  for (const k of ['kind', 'startTime', 'links', 'attributes'] as const) {
    asked = 0;
    monitor.tracer.startSpan('s', throwingAt(k, {})).end();
    monitor.tracer.startActiveSpan('a', throwingAt(k, {}), () => undefined);
    expect([k, asked]).toEqual([k, 2]);
  }
});

describe('an exception whose message cannot be read', () => {
  it('still fails the span (status ERROR, no message), and the same error is rethrown', () => {
    const { monitor, memory } = createTestMonitor();
    const err = Object.defineProperty(new Error('x'), 'message', { get: boom });
    let caught: unknown;
    try {
      monitor.tracer.startActiveSpan('op', () => {
        throw err;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(err);
    return monitor.flush().then(() => {
      const span = memory.spans.find((s) => s.name === 'op')!;
      expect(span.status.code).toBe(2);
      expect(span.status.message).toBeUndefined();
    });
  });
});
