import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { getActiveSpan } from '../context/active.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import { extractContext, injectContext } from './propagation/propagation.js';
import { SamplingDecision } from './sampling/samplers.js';

const quiet = { onDiagnostic: () => {} };

describe('tracer', () => {
  it('attributes given at start: own keys only, from plain, prototype-free, `hasOwnProperty`-keyed and strict Proxy objects alike', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const inherited = Object.create({ 'from.prototype': 'no' }) as Record<string, unknown>;
    inherited['own.key'] = 'yes';
    const bare = Object.create(null) as Record<string, unknown>;
    bare['bare.key'] = 1;
    monitor.tracer.startSpan('plain', { attributes: { 'a.b': 'x', n: 2 } }).end();
    monitor.tracer.startSpan('inherited', { attributes: inherited }).end();
    monitor.tracer.startSpan('bare', { attributes: bare }).end();
    monitor.tracer.startSpan('shadowed', { attributes: { hasOwnProperty: 'an attribute', other: true } }).end();
    monitor.tracer.startSpan('set later').setAttributes({ hasOwnProperty: 'again' }).end();
    // A Proxy that throws on reading any key it does not hold (a strict config object).
    const strict = new Proxy({ 'strict.key': 'v' } as Record<string, unknown>, {
      get(target, key) {
        if (typeof key === 'string' && !Object.hasOwn(target, key)) throw new Error(`unknown key ${key}`);
        return target[key as string];
      },
    });
    expect(() => monitor.tracer.startSpan('strict', { attributes: strict }).end()).not.toThrow();
    await monitor.flush();
    expect({ ...memory.findSpan('plain')!.attributes }).toEqual({ 'a.b': 'x', n: 2 });
    expect({ ...memory.findSpan('inherited')!.attributes }).toEqual({ 'own.key': 'yes' });
    expect({ ...memory.findSpan('bare')!.attributes }).toEqual({ 'bare.key': 1 });
    expect({ ...memory.findSpan('shadowed')!.attributes }).toEqual({ hasOwnProperty: 'an attribute', other: true });
    expect({ ...memory.findSpan('set later')!.attributes }).toEqual({ hasOwnProperty: 'again' });
    expect({ ...memory.findSpan('strict')!.attributes }).toEqual({ 'strict.key': 'v' });
  });

  it('nests spans under startActiveSpan across awaits, and restores the parent afterwards', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    await monitor.tracer.startActiveSpan('parent', async (parent) => {
      await new Promise((r) => setTimeout(r, 2));
      await monitor.tracer.startActiveSpan('child', async () => {
        await Promise.resolve();
        monitor.tracer.startSpan('grandchild').end();
      });
      expect(getActiveSpan()).toBe(parent);
    });
    expect(getActiveSpan()).toBeUndefined();
    await monitor.flush();
    const [p, c, g] = ['parent', 'child', 'grandchild'].map((n) => memory.findSpan(n)!);
    expect(c.parentSpanId).toBe(p.spanId);
    expect(g.parentSpanId).toBe(c.spanId);
    expect(new Set([p.traceId, c.traceId, g.traceId]).size).toBe(1);
    expect(p.parentSpanId).toBeUndefined();
    expect(BigInt(p.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(c.endTimeUnixNano));
  });

  it('records a thrown error or rejection, sets ERROR and rethrows the same error', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const e1 = new TypeError('sync');
    const e2 = new RangeError('async');
    expect(() =>
      monitor.tracer.startActiveSpan('sync', () => {
        throw e1;
      }),
    ).toThrow(e1);
    await expect(monitor.tracer.startActiveSpan('async', async () => Promise.reject(e2))).rejects.toBe(e2);
    await monitor.flush();
    for (const [name, err] of [['sync', e1], ['async', e2]] as const) {
      const s = memory.findSpan(name)!;
      expect(s.status).toEqual({ code: SpanStatus.ERROR, message: err.message });
      expect(s.events[0].name).toBe('exception');
      expect(s.events[0].attributes['exception.type']).toBe(err.name);
      expect(s.events[0].attributes['exception.message']).toBe(err.message);
    }
  });

  it('an error from another realm (not instanceof Error) still gives its message to the ERROR status', async () => {
    const { runInNewContext } = await import('node:vm');
    const { monitor, memory } = createTestMonitor(quiet);
    const foreign = runInNewContext('new TypeError("from a vm context")') as Error;
    expect(foreign instanceof Error).toBe(false);
    expect(() =>
      monitor.tracer.startActiveSpan('foreign', () => {
        throw foreign;
      }),
    ).toThrow(foreign);
    await monitor.flush();
    expect(memory.findSpan('foreign')!.status).toEqual({ code: SpanStatus.ERROR, message: 'from a vm context' });
  });

  it('returns the value of fn, sync or async', async () => {
    const { monitor } = createTestMonitor(quiet);
    expect(monitor.tracer.startActiveSpan('a', () => 42)).toBe(42);
    expect(await monitor.tracer.startActiveSpan('b', { kind: SpanKind.CLIENT }, async () => 'x')).toBe('x');
  });

  it('a span the callback ends itself (as OpenTelemetry code does: span.end() in finally) keeps that end: startActiveSpan does not end it again, nothing is counted as ended twice', async () => {
    const kinds: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => kinds.push(d.kind) });
    const at = Date.now() + 1000; // an end of its own, later than the one startActiveSpan would give
    monitor.tracer.startActiveSpan('sync', (span) => span.end(at));
    await monitor.tracer.startActiveSpan('async', async (span) => {
      try {
        await Promise.resolve();
      } finally {
        span.end();
      }
    });
    await expect(
      monitor.tracer.startActiveSpan('failed', async (span) => {
        span.end();
        throw new Error('after end');
      }),
    ).rejects.toThrow('after end');
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['sync', 'async', 'failed']);
    expect(memory.findSpan('sync')!.endTime).toBe(at);
    expect(kinds).not.toContain('span_ended_twice');
    expect(kinds).not.toContain('span_ended');
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(dropped?.points ?? []).toEqual([]);
    // A second end() by the caller is still the misuse it was.
    monitor.tracer.startActiveSpan('twice', (span) => {
      span.end();
      span.end();
    });
    expect(kinds).toEqual(['span_ended_twice']);
  });

  it('Span API: attributes, events, links, status, names, dispose, OK is final', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const link = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
    {
      using span = monitor.tracer.startSpan('x', { kind: SpanKind.PRODUCER, attributes: { a: 1 }, links: [{ context: link, attributes: { l: true } }] });
      span.setAttribute('s', 'v').setAttributes({ n: 1.5, b: false, arr: ['x', 'y'] });
      span.addEvent('ev', { k: 'v' });
      span.setStatus(SpanStatus.OK);
      span.setStatus(SpanStatus.ERROR, 'ignored');
      span.updateName('renamed');
    }
    await monitor.flush();
    const s = memory.spans[0];
    expect(s.name).toBe('renamed');
    expect(s.kind).toBe(SpanKind.PRODUCER);
    expect(s.attributes).toEqual({ a: 1, s: 'v', n: 1.5, b: false, arr: ['x', 'y'] });
    expect(s.events[0]).toMatchObject({ name: 'ev', attributes: { k: 'v' } });
    expect(s.links[0]).toMatchObject({ traceId: link.traceId, spanId: link.spanId, attributes: { l: true } });
    expect(s.status).toEqual({ code: SpanStatus.OK });
  });

  it('a span kind that is not one of the five (0, 99, 2.5, NaN, a string) is INTERNAL', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    for (const kind of [0, 99, 2.5, 4.999, NaN, 'server', undefined]) monitor.tracer.startSpan(`k${String(kind)}`, { kind: kind as SpanKind }).end();
    monitor.tracer.startSpan('server', { kind: SpanKind.SERVER }).end();
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.kind])).toEqual([
      ['k0', SpanKind.INTERNAL],
      ['k99', SpanKind.INTERNAL],
      ['k2.5', SpanKind.INTERNAL],
      ['k4.999', SpanKind.INTERNAL],
      ['kNaN', SpanKind.INTERNAL],
      ['kserver', SpanKind.INTERNAL],
      ['kundefined', SpanKind.INTERNAL],
      ['server', SpanKind.SERVER],
    ]);
  });

  it('continues a remote parent from extractContext', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const parent = extractContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'v=1' })!;
    monitor.tracer.startSpan('server', { parent, kind: SpanKind.SERVER }).end();
    await monitor.flush();
    expect(memory.spans[0]).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', traceState: 'v=1' });
  });

  it('TC-06: flag bits W3C does not define are not passed on: the child keeps sampled and random only, in its flags and its outgoing traceparent', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const parent = extractContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff' })!;
    const span = monitor.tracer.startSpan('server', { parent, kind: SpanKind.SERVER });
    expect(span.spanContext().traceFlags).toBe(0x03);
    const unsampled = monitor.tracer.startSpan('unsampled', { parent: { ...parent, traceFlags: 0xfe } });
    expect(unsampled.spanContext().traceFlags).toBe(0x02);
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.traceFlags).toBe(0x03);
  });

  it('TC-07: a continued trace keeps the incoming random-trace-id flag unchanged, set or not, sampled or not, in its flags and its outgoing traceparent', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const T = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent: Record<string, string> = {};
    for (const flags of ['00', '01', '02', '03']) {
      const parent = extractContext({ traceparent: `00-${T}-00f067aa0ba902b7-${flags}` })!;
      const span = monitor.tracer.startSpan(`in-${flags}`, { parent });
      expect([flags, span.spanContext().traceFlags & 0x02]).toEqual([flags, parseInt(flags, 16) & 0x02]);
      sent[flags] = injectContext({} as Record<string, string>, span).traceparent!.slice(-2);
      span.end();
    }
    // Random passes on as received; sampled follows the default sampler (the parent's).
    expect(sent).toEqual({ '00': '00', '01': '01', '02': '02', '03': '03' });
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.traceFlags])).toEqual([
      ['in-01', 0x01],
      ['in-03', 0x03],
    ]);
  });

  it('TS-06: an incoming OpenTelemetry `ot` entry (th threshold, rv) is passed on unchanged: the library never samples by threshold, so never rewrites it', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const tracestate = 'ot=th:c;rv:9b8233f7e3a151,vendor=abc';
    const parent = extractContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate })!;
    const span = monitor.tracer.startSpan('child', { parent });
    expect(injectContext({} as Record<string, string>, span).tracestate).toBe(tracestate);
    span.end();
    await monitor.flush();
    expect(memory.spans[0]!.traceState).toBe(tracestate);
  });

  it('TC-02: a parent with an all-zero or malformed id is no parent: the span starts a new, sampled trace', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const bad = [
      { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 },
      { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '0'.repeat(16), traceFlags: 1 },
      { traceId: '', spanId: '', traceFlags: 1 },
      { traceId: 'not-hex', spanId: 'xyz', traceFlags: 1 },
      // Upper-case hex is joined here (as OpenTelemetry's API accepts it; foreign-input.test.ts);
      // only the traceparent header must be lower-case (TC-02, traceparent tests).
    ];
    for (const parent of bad) monitor.tracer.startSpan('child', { parent }).end();
    // unsampled invalid parent: still a root, so sampled by the default sampler
    monitor.tracer.startSpan('child', { parent: { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 } }).end();
    await monitor.flush();
    expect(memory.spans).toHaveLength(bad.length + 1);
    for (const s of memory.spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.traceId).not.toBe('0'.repeat(32));
      expect(s.parentSpanId).toBeUndefined();
      expect(s.traceFlags & 1).toBe(1);
    }
  });

  it('TC-02: an invalid parent goes to the sampler as no parent', () => {
    const seen: unknown[] = [];
    const sampler = { shouldSample: (_t: string, p: unknown) => (seen.push(p), SamplingDecision.RECORD_AND_SAMPLE), toString: () => 's' };
    const { monitor } = createTestMonitor({ ...quiet, sampler });
    monitor.tracer.startSpan('x', { parent: { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 } }).end();
    expect(seen).toEqual([undefined]);
  });

  it('ids are random hex, never all zero, and unique', () => {
    const { monitor } = createTestMonitor(quiet);
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const c = monitor.tracer.startSpan('x', { parent: null }).spanContext();
      expect(c.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(c.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(c.spanId).not.toBe('0'.repeat(16));
      ids.add(c.spanId);
    }
    expect(ids.size).toBe(5000);
  });

  it('TR-06: enforces OpenTelemetry limits and counts what they drop', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, limits: { attributeCountLimit: 2, eventCountLimit: 1, attributeValueLengthLimit: 5 } });
    const span = monitor.tracer.startSpan('x');
    span.setAttributes({ a: 1, b: 2, c: 3, d: 4 });
    span.setAttribute('a', 'overwrite-is-not-a-new-key');
    span.addEvent('e1');
    span.addEvent('e2');
    span.end();
    await monitor.flush();
    const s = memory.spans[0];
    expect(Object.keys(s.attributes)).toEqual(['a', 'b']);
    expect(s.attributes.a).toBe('overw');
    expect(s.droppedAttributesCount).toBe(2);
    expect(s.droppedEventsCount).toBe(1);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    const reasons = Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]));
    expect(reasons).toMatchObject({ attribute_limit: 2, event_limit: 1, attribute_truncated: 1 });
  });

  it('caps spans per scope', async () => {
    const { monitor, memory } = createTestMonitor({ ...quiet, limits: { spansPerScope: 10 } });
    const scope = monitor.openScope();
    scope.run(() => {
      for (let i = 0; i < 25; i++) monitor.tracer.startSpan(`s${i}`).end();
    });
    await scope.close();
    expect(memory.spans).toHaveLength(10);
  });

  it('a span with an explicit parent (remote context or null) joins the active scope unless given one', async () => {
    const { monitor } = createTestMonitor(quiet);
    const scope = monitor.openScope({ name: 'queue-batch' });
    const other = monitor.openScope({ name: 'other' });
    const remote = extractContext({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })!;
    scope.run(() => {
      monitor.tracer.startSpan('remote', { parent: remote }).end();
      monitor.tracer.startSpan('root', { parent: null }).end();
      monitor.tracer.startActiveSpan('active-remote', { parent: remote }, () => {});
      monitor.tracer.startSpan('given', { parent: null, scope: other }).end();
    });
    expect(scope.spans.map((s) => s.name)).toEqual(['remote', 'root', 'active-remote']);
    expect(other.spans.map((s) => s.name)).toEqual(['given']);
    monitor.tracer.startSpan('outside', { parent: null }).end();
    expect(scope.spans).toHaveLength(3);
  });

  it("a second monitor's spans made inside the first monitor's scope and span join the trace but go to their own monitor", async () => {
    const a = createTestMonitor({ ...quiet, serviceName: 'app' });
    const b = createTestMonitor({ ...quiet, serviceName: 'lib' });
    const scopeA = a.monitor.openScope();
    const scopeB = b.monitor.openScope();
    scopeA.run(() =>
      a.monitor.tracer.startActiveSpan('app-op', () => {
        b.monitor.tracer.startSpan('lib-op').end();
        b.monitor.tracer.startActiveSpan('lib-active', () => a.monitor.tracer.startSpan('app-inner').end());
        b.monitor.tracer.startSpan('lib-given', { scope: scopeA }).end();
        b.monitor.tracer.startSpan('lib-own', { scope: scopeB }).end();
      }),
    );
    expect(scopeA.spans.map((s) => s.name)).toEqual(['app-inner', 'app-op']);
    expect(scopeB.spans.map((s) => s.name)).toEqual(['lib-own']);
    await scopeA.close();
    await scopeB.close();
    await b.monitor.flush();
    expect(a.memory.spans.map((s) => s.name)).toEqual(['app-inner', 'app-op']);
    expect(b.memory.spans.map((s) => s.name).sort()).toEqual(['lib-active', 'lib-given', 'lib-op', 'lib-own']);
    expect(b.memory.resource?.attributes['service.name']).toBe('lib');
    const appOp = a.memory.findSpan('app-op')!;
    const libOp = b.memory.findSpan('lib-op')!;
    expect(libOp.traceId).toBe(appOp.traceId);
    expect(libOp.parentSpanId).toBe(appOp.spanId);
    expect(a.memory.findSpan('app-inner')!.parentSpanId).toBe(b.memory.findSpan('lib-active')!.spanId);
  });

  it('spans that end after their scope closed are exported with the next flush, not lost', async () => {
    const { monitor, memory } = createTestMonitor(quiet);
    const scope = monitor.openScope();
    const late = scope.run(() => monitor.tracer.startSpan('late'));
    await scope.close();
    expect(memory.spans).toHaveLength(0);
    late.end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['late']);
  });
});

describe('ENV-12: disabled (OTEL_SDK_DISABLED=true) leaves propagation as it is', () => {
  const T = '4bf92f3577b34da6a3ce929d0e0e4736';
  const TP = `00-${T}-00f067aa0ba902b7-01`;

  it("passes the caller's traceparent and tracestate on unchanged, so the services after this one keep the trace", async () => {
    const { handleRequest } = await import('../http/handle-request.js');
    const { monitor } = createTestMonitor({ disabled: true });
    const parent = extractContext({ traceparent: TP, tracestate: 'a=1' })!;
    expect(injectContext({} as Record<string, string>, monitor.tracer.startSpan('x', { parent }))).toEqual({ traceparent: TP, tracestate: 'a=1' });
    let sent: Record<string, string> = {};
    await handleRequest(monitor, new Request('https://x.test/', { headers: { traceparent: TP } }), () => {
      sent = monitor.tracer.startActiveSpan('child', () => injectContext({}));
      return new Response('ok');
    }, undefined);
    expect(sent).toEqual({ traceparent: TP });
  });

  it('starts no trace of its own: without a parent nothing is injected, rather than an unsampled traceparent that would make the next service drop its trace', () => {
    const { monitor } = createTestMonitor({ disabled: true });
    const span = monitor.tracer.startSpan('root');
    expect(span.isRecording()).toBe(false);
    expect(injectContext({} as Record<string, string>, span)).toEqual({});
  });

  it('still passes on baggage that came without a traceparent (W3C Baggage stands alone; propagators are not disabled)', async () => {
    const { handleRequest } = await import('../http/handle-request.js');
    const { monitor } = createTestMonitor({ disabled: true });
    let sent: Record<string, string> = {};
    await handleRequest(monitor, new Request('https://x.test/', { headers: { baggage: 'tenant=acme' } }), () => {
      sent = monitor.tracer.startActiveSpan('child', () => injectContext({}));
      return new Response('ok');
    }, undefined);
    expect(sent).toEqual({ baggage: 'tenant=acme' });
  });
});
