import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind as ApiSpanKind,
  SpanStatusCode,
  trace,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  type Span as ApiSpan,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getActiveSpan, setContextStorage, SpanKind, SpanStatus, traced, type Diagnostic, type Monitor } from '../../src/index.js';
import { BridgedSpan, OpenTelemetryBackend, registeredMonitor, registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor, type MemoryBackend } from '../../src/testing/index.js';

let monitor: Monitor;
let memory: MemoryBackend;
let diags: Diagnostic[];

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

beforeEach(() => {
  diags = [];
  ({ monitor, memory } = createTestMonitor({ onDiagnostic: (d) => diags.push(d) }));
  expect(registerOpenTelemetry(monitor)).toBe(true);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('registerOpenTelemetry: spans', () => {
  it('API spans nest under ours and ours under API spans, across awaits, in one scope', async () => {
    const scope = monitor.openScope({ name: 'req' });
    await scope.run(async () => {
      await monitor.tracer.startActiveSpan('ours-root', async () => {
        await tick();
        await trace.getTracer('lib', '1.2.3').startActiveSpan('api-child', async (apiSpan) => {
          await tick();
          // what the API sees as active is what the library sees
          expect(trace.getActiveSpan()).toBe(apiSpan);
          expect((apiSpan as BridgedSpan).inner).toBe(getActiveSpan());
          await monitor.tracer.startActiveSpan('ours-grandchild', async () => {
            await tick();
            expect((trace.getActiveSpan() as BridgedSpan).inner).toBe(getActiveSpan());
            trace.getTracer('lib').startSpan('api-leaf').end();
          });
          apiSpan.end();
        });
      });
    });
    expect(memory.spans).toHaveLength(0); // nothing leaves before the scope closes
    await scope.close();
    const byName = Object.fromEntries(memory.spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['api-child', 'api-leaf', 'ours-grandchild', 'ours-root']);
    expect(memory.spans).toHaveLength(4);
    const traceId = byName['ours-root'].traceId;
    for (const s of memory.spans) expect(s.traceId).toBe(traceId);
    expect(byName['ours-root'].parentSpanId).toBeUndefined();
    expect(byName['api-child'].parentSpanId).toBe(byName['ours-root'].spanId);
    expect(byName['ours-grandchild'].parentSpanId).toBe(byName['api-child'].spanId);
    expect(byName['api-leaf'].parentSpanId).toBe(byName['ours-grandchild'].spanId);
    expect(byName['api-child'].instrumentationScope).toEqual({ name: 'lib', version: '1.2.3' });
    // nothing exported twice
    await monitor.flush();
    expect(memory.spans).toHaveLength(4);
  });

  it('trace.getActiveSpan() is the same object every time, and undefined outside spans', async () => {
    expect(trace.getActiveSpan()).toBeUndefined();
    monitor.tracer.startActiveSpan('s', () => {
      const a = trace.getActiveSpan();
      expect(a).toBeInstanceOf(BridgedSpan);
      expect(trace.getActiveSpan()).toBe(a);
      expect(a!.spanContext().spanId).toBe(getActiveSpan()!.spanContext().spanId);
    });
  });

  it('context.with(ROOT_CONTEXT) clears the span but keeps the request scope; bind carries a context', async () => {
    const scope = monitor.openScope();
    let bound: (() => ApiSpan | undefined) | undefined;
    let outerId = '';
    await scope.run(async () => {
      await monitor.tracer.startActiveSpan('outer', async (outer) => {
        outerId = outer.spanContext().spanId;
        context.with(ROOT_CONTEXT, () => {
          expect(trace.getActiveSpan()).toBeUndefined();
          expect(getActiveSpan()).toBeUndefined();
          trace.getTracer('x').startSpan('detached').end();
        });
        bound = context.bind(context.active(), () => trace.getActiveSpan());
      });
    });
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(bound!()?.spanContext().spanId).toBe(outerId);
    await scope.close();
    const detached = memory.spans.find((s) => s.name === 'detached')!;
    expect(detached.parentSpanId).toBeUndefined();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['detached', 'outer']);
  });

  it('context.with(ctx) makes ctx itself the active context, across awaits; each of our spans gives one API context, the same every time', async () => {
    const key = createContextKey('tenant');
    const ctx = context.active().setValue(key, 'acme');
    await context.with(ctx, async () => {
      expect(context.active()).toBe(ctx);
      await tick();
      expect(context.active()).toBe(ctx);
    });
    monitor.tracer.startActiveSpan('ours', () => {
      const first = context.active();
      expect(context.active()).toBe(first);
      expect(trace.getSpan(first)?.spanContext().spanId).toBe(getActiveSpan()!.spanContext().spanId);
    });
  });

  it('custom context keys survive through our own spans', () => {
    const KEY = createContextKey('user key');
    context.with(context.active().setValue(KEY, 42), () => {
      monitor.tracer.startActiveSpan('ours', () => {
        expect(context.active().getValue(KEY)).toBe(42);
        expect(trace.getActiveSpan()).toBeDefined();
      });
    });
  });

  it('custom context keys survive into a traced() function, as into startActiveSpan', () => {
    const KEY = createContextKey('tenant');
    const read = traced('work', () => [context.active().getValue(KEY), trace.getActiveSpan()], { monitor });
    context.with(context.active().setValue(KEY, 'acme'), () => {
      const [value, span] = read();
      expect(value).toBe('acme');
      expect(span).toBeDefined();
    });
  });

  it('maps kinds, status, events, links, times, names and exceptions', async () => {
    const tracer = trace.getTracer('lib');
    const t0 = 1_700_000_000_000;
    const link = { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b9c7c989f97918e1', traceFlags: 1 }, attributes: { why: 'batch' } };
    const kinds = [ApiSpanKind.INTERNAL, ApiSpanKind.SERVER, ApiSpanKind.CLIENT, ApiSpanKind.PRODUCER, ApiSpanKind.CONSUMER];
    for (const k of kinds) tracer.startSpan(`k${k}`, { kind: k, root: true }).end();
    const s = tracer.startSpan('x', { startTime: [1_700_000_000, 500_000_000], attributes: { a: 1, skip: undefined }, links: [link] });
    s.setAttribute('b', 'two').setAttributes({ c: true, d: undefined as unknown as string });
    s.addEvent('e1', { k: 'v' }, new Date(t0 + 600));
    s.addEvent('e2', [1_700_000_000, 700_000_000]);
    s.addLinks([{ context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 0 } }]);
    s.recordException(new TypeError('bad'));
    s.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    s.updateName('renamed');
    expect(s.isRecording()).toBe(true);
    s.end(new Date(t0 + 900));
    expect(s.isRecording()).toBe(false);
    await monitor.flush();
    const kindsOut = memory.spans.filter((x) => x.name.startsWith('k')).map((x) => [x.name, x.kind]);
    expect(kindsOut).toEqual([
      ['k0', SpanKind.INTERNAL],
      ['k1', SpanKind.SERVER],
      ['k2', SpanKind.CLIENT],
      ['k3', SpanKind.PRODUCER],
      ['k4', SpanKind.CONSUMER],
    ]);
    const x = memory.spans.find((y) => y.name === 'renamed')!;
    expect(x.startTime).toBe(t0 + 500);
    expect(x.endTime).toBe(t0 + 900);
    expect(x.attributes).toEqual({ a: 1, b: 'two', c: true });
    expect(x.events.map((e) => [e.name, e.timeUnixNano])).toEqual([
      ['e1', '1700000000600000000'],
      ['e2', '1700000000700000000'],
      ['exception', expect.any(String)],
    ]);
    expect(x.events[2].attributes['exception.type']).toBe('TypeError');
    expect(x.links.map((l) => l.spanId)).toEqual(['b9c7c989f97918e1', '00f067aa0ba902b7']);
    expect(x.links[0].attributes).toEqual({ why: 'batch' });
    expect(x.status).toEqual({ code: SpanStatus.ERROR, message: 'boom' });
    expect(diags.filter((d) => d.kind === 'invalid_attribute')).toEqual([]); // undefined values are skipped quietly
  });

  it('a number time is a performance.now() reading only up to performance.now(), as in the SDK Span._getTime; earlier epoch ms stay epoch ms', async () => {
    // epoch times from before the process started (a queue message's enqueue time)
    const before = Math.floor(performance.timeOrigin) - 60_000;
    const s = trace.getTracer('lib').startSpan('job', { startTime: before });
    s.addEvent('enqueued', before + 10);
    s.recordException(new Error('late'), before + 20);
    s.end(before + 30);
    const p = performance.now();
    const q = trace.getTracer('lib').startSpan('perf', { startTime: p });
    q.end();
    await monitor.flush();
    const job = memory.spans.find((x) => x.name === 'job')!;
    expect(job.startTime).toBe(before);
    expect(job.events.map((e) => e.timeUnixNano)).toEqual([`${before + 10}000000`, `${before + 20}000000`]);
    expect(job.endTime).toBe(before + 30);
    expect(memory.spans.find((x) => x.name === 'perf')!.startTime).toBeCloseTo(performance.timeOrigin + p, 3);
  });

  it('recordException reads the API Exception as the SDK Span does: type from code, else name; nothing without a type or message', async () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' });
    const inputs: [string, unknown][] = [
      ['string', 'plain'],
      ['error', new TypeError('bad')],
      ['system error', enoent],
      ['name only', { name: 'TimeoutError' }],
      ['code and message', { code: 'E_LIMIT', message: 'too many' }],
      ['numeric code', { code: 42, name: 'X' }],
      ['empty', {}],
    ];
    const exporter = new InMemorySpanExporter();
    const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    for (const [name, e] of inputs) {
      for (const t of [sdk, trace.getTracer('t')]) {
        const s = t.startSpan(name);
        s.recordException(e as Error);
        s.end();
      }
    }
    await monitor.flush();
    const events = (list: readonly { name: string; events: readonly { name: string; attributes?: Record<string, unknown> }[] }[]) =>
      inputs.map(([name]) =>
        list.find((s) => s.name === name)!.events.map((e) => [e.name, Object.fromEntries(Object.entries(e.attributes ?? {}).filter(([k]) => k !== 'exception.stacktrace'))]),
      );
    const expected = events(exporter.getFinishedSpans());
    expect(expected[2]).toEqual([['exception', { 'exception.type': 'ENOENT', 'exception.message': enoent.message }]]);
    expect(expected[6]).toEqual([]);
    expect(events(memory.spans)).toEqual(expected);
    expect(memory.spans.find((s) => s.name === 'error')!.events[0].attributes['exception.stacktrace']).toBe((inputs[1][1] as Error).stack);
  });

  it("recordException through the API writes the error's causes into exception.stacktrace, as the monitor's own spans do", async () => {
    const e = new Error('charge failed', { cause: new RangeError('amount too large') });
    // Short stacks: real ones, under a long checkout path, pass the attribute length limit (4096).
    for (const x of [e, e.cause as Error]) x.stack = `${x.name}: ${x.message}\n    at test`;
    const s = trace.getTracer('t').startSpan('charge');
    s.recordException(e);
    s.end();
    await monitor.flush();
    const attrs = memory.spans.find((x) => x.name === 'charge')!.events[0]!.attributes;
    expect(attrs['exception.stacktrace']).toBe(`${e.stack}\nCaused by: ${(e.cause as Error).stack}`);
    // A cause that is not an Error: its secret keys redacted, as the monitor's own spans do.
    const withToken = trace.getTracer('t').startSpan('token');
    withToken.recordException(new Error('refused', { cause: { token: 'sekrit' } }));
    withToken.end();
    await monitor.flush();
    expect(memory.spans.find((x) => x.name === 'token')!.events[0]!.attributes['exception.stacktrace']).toMatch(/\nCaused by: \{"token":"\[REDACTED\]"\}$/);
  });

  it('a remote parent from propagation.extract becomes the parent (isRemote), with baggage', async () => {
    const headers = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
      baggage: 'user=alice,tier=gold;prop',
    };
    const ctx = propagation.extract(ROOT_CONTEXT, headers);
    const remote = trace.getSpanContext(ctx)!;
    expect(remote).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
    expect(remote.traceState?.get('rojo')).toBe('00f067aa0ba902b7');
    expect(propagation.getBaggage(ctx)?.getEntry('user')?.value).toBe('alice');
    expect(propagation.getBaggage(ctx)?.getEntry('tier')?.metadata?.toString()).toBe('prop');

    const out: Record<string, string> = {};
    await context.with(ctx, async () => {
      await trace.getTracer('lib').startActiveSpan('server', { kind: ApiSpanKind.SERVER }, async (span) => {
        await tick();
        // the library's own injectContext sees the same span and baggage
        propagation.inject(context.active(), out);
        expect(getActiveSpan()?.spanContext().spanId).toBe(span.spanContext().spanId);
        span.end();
      });
    });
    await monitor.flush();
    const server = memory.spans.find((s) => s.name === 'server')!;
    expect(server.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(server.parentSpanId).toBe('00f067aa0ba902b7');
    expect(server.traceState).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(out.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${server.spanId}-01`);
    expect(out.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(out.baggage).toBe('user=alice,tier=gold;prop');
  });

  it('TC-02: a span under INVALID_SPAN_CONTEXT starts a new sampled trace, as in the OpenTelemetry SDK', async () => {
    const span = trace.getTracer('lib').startSpan('x', {}, trace.setSpanContext(ROOT_CONTEXT, INVALID_SPAN_CONTEXT));
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceId).not.toBe(INVALID_SPAN_CONTEXT.traceId);
    expect(span.spanContext().traceFlags & 1).toBe(1);
    span.end();
    await monitor.flush();
    expect(memory.spans).toHaveLength(1);
    expect(memory.spans[0].parentSpanId).toBeUndefined();
    expect(memory.spans[0].traceId).toBe(span.spanContext().traceId);
  });

  it("suppressTracing (@opentelemetry/core): as the SDK tracer, startSpan and startActiveSpan give a non-recording span of the invalid context", async () => {
    const s = trace.getTracer('http').startSpan('POST', {}, suppressTracing(ROOT_CONTEXT));
    expect(s.isRecording()).toBe(false);
    expect(s.spanContext()).toEqual(INVALID_SPAN_CONTEXT);
    s.end();
    await context.with(suppressTracing(context.active()), async () => {
      await tick();
      await trace.getTracer('http').startActiveSpan('GET', async (a) => {
        expect(a.isRecording()).toBe(false);
        expect(a.spanContext().traceId).toBe(INVALID_SPAN_CONTEXT.traceId);
        a.end();
      });
    });
    trace.getTracer('http').startSpan('after').end();
    await monitor.flush();
    expect(memory.spans.map((x) => x.name)).toEqual(['after']);
  });

  it("a BatchSpanProcessor's export runs under suppressTracing, so an instrumented HTTP client in the exporter does not trace it (no export loop)", async () => {
    unregisterOpenTelemetry();
    const exported: string[] = [];
    const exporter = {
      export(spans: ReadableSpan[], cb: (r: { code: number }) => void) {
        for (const x of spans) exported.push(x.name);
        // what instrumentation-http/undici does for the exporter's own POST
        trace.getTracer('@opentelemetry/instrumentation-http').startSpan('POST /v1/traces', { kind: ApiSpanKind.CLIENT }).end();
        cb({ code: 0 });
      },
      shutdown: async () => {},
    };
    const { monitor: m } = createTestMonitor({ backends: [new OpenTelemetryBackend({ spanProcessor: new BatchSpanProcessor(exporter) })] });
    expect(registerOpenTelemetry(m)).toBe(true);
    trace.getTracer('app').startSpan('work').end();
    for (let i = 0; i < 3; i++) {
      await m.flush();
      await m.forceFlush();
    }
    expect(exported).toEqual(['work']);
  });

  it('propagation uses the core parsers: invalid traceparent is ignored, fields() lists the headers', () => {
    expect(propagation.fields().sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
    const bad = propagation.extract(ROOT_CONTEXT, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' });
    expect(trace.getSpanContext(bad)).toBeUndefined();
    const upper = propagation.extract(ROOT_CONTEXT, { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' });
    expect(trace.getSpanContext(upper)).toBeUndefined();
    const onlyBaggage = propagation.extract(ROOT_CONTEXT, { baggage: 'k=v%20w' });
    expect(propagation.getBaggage(onlyBaggage)?.getEntry('k')?.value).toBe('v w');
    const out: Record<string, string> = {};
    propagation.inject(onlyBaggage, out);
    expect(out).toEqual({ baggage: 'k=v%20w' });
  });

  it('extract inside a request keeps the local span when the header is of the same trace (no sibling tree)', async () => {
    const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const remote = propagation.extract(ROOT_CONTEXT, headers);
    await context.with(remote, () =>
      monitor.tracer.startActiveSpan('adapter-server', async (server) => {
        const again = propagation.extract(context.active(), headers);
        expect((trace.getSpan(again) as BridgedSpan).inner).toBe(server);
        const other = propagation.extract(context.active(), { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-01' });
        expect(trace.getSpanContext(other)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      }),
    );
  });

  it('TS-02: a key set through the API on a full tracestate is sent first, the right-most member dropped', () => {
    const full = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`).join(',');
    const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: full });
    const remote = trace.getSpanContext(ctx)!;
    const grown = trace.setSpanContext(ROOT_CONTEXT, { ...remote, traceState: remote.traceState!.set('mine', '1') });
    const out: Record<string, string> = {};
    propagation.inject(grown, out);
    const members = out.tracestate.split(',');
    expect(members).toHaveLength(32);
    expect(members[0]).toBe('mine=1');
    expect(members[31]).toBe('k30=v30');
    // A span started under it keeps the same bounded list.
    const span = trace.getTracer('lib').startSpan('child', {}, grown);
    expect(span.spanContext().traceState?.serialize()).toBe(out.tracestate);
    span.end();
  });

  it('TC-02: inject writes a foreign span context given in upper-case hex (the API accepts it) lower-cased, as the header must be', () => {
    const upper = trace.wrapSpanContext({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7', traceFlags: 1 });
    const out: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), upper), out);
    expect(out.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('inject from a context with our active span writes our ids', () => {
    monitor.tracer.startActiveSpan('s', (s) => {
      const out: Record<string, string> = {};
      propagation.inject(context.active(), out);
      const c = s.spanContext();
      expect(out.traceparent).toBe(`00-${c.traceId}-${c.spanId}-01`);
    });
  });
});

describe('registerOpenTelemetry: registration', () => {
  it('a second registration returns false and reports once', () => {
    expect(registerOpenTelemetry(monitor)).toBe(false);
    expect(registerOpenTelemetry(monitor)).toBe(false);
    const d = diags.filter((x) => x.kind === 'otel');
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(/called twice/);
  });

  it('declines when another provider is registered; override replaces it', () => {
    unregisterOpenTelemetry();
    const sdk = new BasicTracerProvider();
    expect(trace.setGlobalTracerProvider(sdk)).toBe(true);
    expect(registerOpenTelemetry(monitor)).toBe(false);
    expect(diags.find((d) => d.kind === 'otel')?.message).toMatch(/already has a global trace provider/);
    expect((trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate()).toBe(sdk);
    expect(registerOpenTelemetry(monitor, { override: true })).toBe(true);
    const span = trace.getTracer('x').startSpan('y');
    expect(span).toBeInstanceOf(BridgedSpan);
    span.end();
  });

  it('never throws, even with a throwing diagnostics hook', () => {
    const { monitor: m } = createTestMonitor({
      onDiagnostic: () => {
        throw new Error('hook');
      },
    });
    expect(() => registerOpenTelemetry(m)).not.toThrow();
  });

  it('unregister hands the API back to its no-op defaults', () => {
    expect(unregisterOpenTelemetry()).toBe(true);
    expect(unregisterOpenTelemetry()).toBe(false);
    expect(trace.getTracer('x').startSpan('y')).not.toBeInstanceOf(BridgedSpan);
    expect(registerOpenTelemetry(monitor)).toBe(true);
  });

  it("after the API's own trace.disable()/context.disable() the registration is gone: registering again succeeds, with no conflict with what is left of it", () => {
    trace.disable();
    context.disable();
    propagation.disable();
    metrics.disable();
    expect(registeredMonitor()).toBeUndefined();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    expect(registeredMonitor()).toBe(monitor);
    expect(trace.getTracer('x').startSpan('y')).toBeInstanceOf(BridgedSpan);

    // only the tracer provider disabled: the propagator and meter provider left over are ours, replaced
    trace.disable();
    const { monitor: other } = createTestMonitor();
    expect(registerOpenTelemetry(other)).toBe(true);
    expect(registeredMonitor()).toBe(other);
    metrics.getMeter('lib').createCounter('after.disable').add(1);
    expect(other.metrics.getMetric('after.disable')).toBeDefined();
    expect(monitor.metrics.getMetric('after.disable')).toBeUndefined();
    expect(diags.filter((d) => d.kind === 'otel')).toEqual([]);
  });
});

describe('registerOpenTelemetry: metrics', () => {
  it('API instruments record into monitor.metrics', () => {
    const meter = metrics.getMeter('lib', '1.0.0');
    meter.createCounter('lib.calls', { description: 'calls', unit: '{call}' }).add(2, { op: 'get', skip: undefined });
    meter.createUpDownCounter('lib.active').add(-1);
    meter.createHistogram('lib.duration', { unit: 's' }).record(0.2, { op: 'get' });
    meter.createHistogram('lib.size', { advice: { explicitBucketBoundaries: [10, 100] } }).record(50);
    meter.createGauge('lib.temp').record(21.5);
    const snap = monitor.metrics.collect();
    const byName = Object.fromEntries(snap.metrics.map((m) => [m.name, m]));
    expect(byName['lib.calls'].points[0]).toMatchObject({ attributes: { op: 'get' }, value: 2 });
    expect(byName['lib.calls'].unit).toBe('{call}');
    expect(byName['lib.active'].points[0]).toMatchObject({ value: -1 });
    expect(byName['lib.duration'].points[0]).toMatchObject({ count: 1, sum: 0.2 });
    expect(byName['lib.size'].points[0]).toMatchObject({ bounds: [10, 100], bucketCounts: [0, 1, 0] });
    expect(byName['lib.temp'].points[0]).toMatchObject({ value: 21.5 });
  });

  it('attribute keys with "-" or "/" (semantic-convention header keys) keep the measurement, as in the SDK; renamed as the Prometheus renderer would, colliding keys merged (MET-13)', () => {
    const h = metrics.getMeter('http-lib').createHistogram('http.client.request.duration', { unit: 's' });
    h.record(0.1, { 'http.request.method': 'GET', 'http.request.header.content-type': 'application/json' });
    h.record(0.2, { 'user-agent': 'curl', 'a/b': 'x', '0day': 1 });
    h.record(0.3, { 'x-id': 'dash', x_id: 'under' });
    h.record(0.4, { ['k'.repeat(300) + '-']: 'long', ok: true });
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'http.client.request.duration')!;
    const pts = m.points as readonly { attributes: Readonly<Record<string, string | number | boolean>>; count: number }[];
    expect(pts.reduce((n, p) => n + p.count, 0)).toBe(4);
    // Values keep their types (a renamed key's too); merged values are their text joined.
    expect(pts.map((p) => p.attributes)).toEqual([
      { 'http.request.method': 'GET', 'http.request.header.content_type': 'application/json' },
      { user_agent: 'curl', a_b: 'x', key_0day: 1 },
      { x_id: 'dash;under' },
      { ok: true },
    ]);
    // only the attribute that cannot be a label name is dropped, and counted
    const dropped = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points.find((p) => p.attributes.reason === 'invalid_label')).toMatchObject({ value: 1 });
    expect(diags.filter((d) => d.kind === 'invalid_label').map((d) => d.message)).toEqual([expect.stringMatching(/too long.*measurement kept/)]);
  });

  it('MET-13: an array attribute becomes its JSON text, so ["a", "b,c"] and ["a", "b", "c"] stay two series', () => {
    const c = metrics.getMeter('lib').createCounter('tagged');
    c.add(1, { tags: ['a', 'b,c'], codes: [200, 404] });
    c.add(1, { tags: ['a', 'b', 'c'], codes: [200, 404] });
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'tagged')!;
    expect(m.points.map((p) => p.attributes)).toEqual([
      { tags: '["a","b,c"]', codes: '[200,404]' },
      { tags: '["a","b","c"]', codes: '[200,404]' },
    ]);
  });

  it('an array attribute JSON cannot write (a BigInt in it) is recorded as its text, not thrown out of add() into the app', () => {
    const c = metrics.getMeter('lib').createCounter('big.ids');
    expect(() => c.add(1, { ids: [1n, 2n] as unknown as number[] })).not.toThrow();
    expect(monitor.metrics.collect().metrics.find((x) => x.name === 'big.ids')!.points.map((p) => p.attributes)).toEqual([{ ids: '1,2' }]);
  });

  it('histogram advice the SDK accepts (unsorted, ±Infinity, repeats) is sorted and stripped as ExplicitBucketHistogramAggregation does, not a no-op', () => {
    const meter = metrics.getMeter('lib');
    meter.createHistogram('payload.size', { unit: 'By', advice: { explicitBucketBoundaries: [1024, 256, 4096, 256] } }).record(300);
    meter.createHistogram('queue.wait', { unit: 'ms', advice: { explicitBucketBoundaries: [-Infinity, 10, 100, Infinity] } }).record(42);
    meter.createHistogram('one.bucket', { advice: { explicitBucketBoundaries: [Infinity] } }).record(7);
    const byName = Object.fromEntries(monitor.metrics.collect().metrics.map((m) => [m.name, m]));
    expect(byName['payload.size']?.points[0]).toMatchObject({ count: 1, sum: 300, bounds: [256, 1024, 4096], bucketCounts: [0, 1, 0, 0] });
    expect(byName['queue.wait']?.points[0]).toMatchObject({ count: 1, sum: 42, bounds: [10, 100], bucketCounts: [0, 1, 0] });
    expect(byName['one.bucket']?.points[0]).toMatchObject({ count: 1, sum: 7, bounds: [], bucketCounts: [1] });
    expect(diags.filter((d) => d.kind === 'otel')).toEqual([]);
  });

  it('a negative histogram value is dropped and counted, as the SDK HistogramInstrument drops it', () => {
    const h = metrics.getMeter('lib').createHistogram('clock.skew', { unit: 'ms' });
    h.record(-5);
    h.record(3);
    const snap = monitor.metrics.collect();
    expect(snap.metrics.find((m) => m.name === 'clock.skew')!.points[0]).toMatchObject({ count: 1, sum: 3 });
    const dropped = snap.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points.find((p) => p.attributes.reason === 'invalid_value')).toMatchObject({ value: 1 });
    expect(diags.find((d) => d.kind === 'invalid_value')?.message).toMatch(/clock\.skew.*negative/);
  });

  it("an app metric's name is not recorded twice: the API instrument is a no-op and a diagnostic says so", () => {
    const own = monitor.metrics.createHistogram('http.server.request.duration', 'own', { unit: 's' });
    own.observe(0.1);
    metrics.getMeter('@hono/otel').createHistogram('http.server.request.duration', { unit: 's' }).record(5);
    const snap = monitor.metrics.collect();
    expect(snap.metrics.find((m) => m.name === 'http.server.request.duration')!.points[0]).toMatchObject({ count: 1, sum: 0.1 });
    expect(diags.find((d) => d.kind === 'otel')?.message).toMatch(/not recorded twice/);
  });
});
