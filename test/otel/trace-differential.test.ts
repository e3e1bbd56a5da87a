/**
 * Trace differential test: each scenario uses only `@opentelemetry/api`, once with the SDK
 * (sdk-trace-base + SimpleSpanProcessor + InMemorySpanExporter, AsyncLocalStorageContextManager,
 * the W3C trace-context + baggage propagators) as the global providers and once with the bridge
 * (`registerOpenTelemetry(monitor)`). Both outputs are normalised (ids become names, times near
 * now become 'now') and must be equal, apart from the accepted differences listed in ACCEPTED.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  baggageEntryMetadataFromString,
  createContextKey,
  createTraceState,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage, type Backend, type SpanData } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

type Notes = Record<string, unknown>;
type Scenario = (note: (key: string, value: unknown) => void) => void | Promise<void>;

const T0 = 1_700_000_000_000; // an explicit epoch time, far from now
const REMOTE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN = 'b7ad6b7169203331';
const tracer = (): Tracer => trace.getTracer('diff', '1.0.0');
const tick = () => new Promise((r) => setTimeout(r, 1));
const remote = (flags: number): Span =>
  trace.wrapSpanContext({ traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: flags, isRemote: true });
// isRemote: the SDK leaves it out on its own spans, the bridge says false
const state = (s: Span) => ({ recording: s.isRecording(), ctx: { ...s.spanContext(), isRemote: s.spanContext().isRemote === true } });

const scenarios: Record<string, Scenario> = {
  'startSpan with kind and attributes': () => {
    tracer().startSpan('a', { kind: SpanKind.SERVER, attributes: { x: 1, y: 'two', z: [1, 2], b: true } }).end();
    tracer().startSpan('b', { kind: SpanKind.CONSUMER }).end();
  },
  'startActiveSpan (name, fn)': (note) => {
    tracer().startActiveSpan('outer', (s) => {
      note('active is outer', trace.getActiveSpan() === s);
      tracer().startSpan('child').end();
      s.end();
    });
    note('active after', trace.getActiveSpan() === undefined);
  },
  'startActiveSpan (name, opts, fn) returns fn result': (note) => {
    const r = tracer().startActiveSpan('outer', { kind: SpanKind.CLIENT, attributes: { k: 'v' } }, (s) => {
      tracer().startSpan('child').end();
      s.end();
      return 42;
    });
    note('result', r);
  },
  'startActiveSpan (name, opts, ctx, fn) with ROOT_CONTEXT and an explicit parent': () => {
    const other = tracer().startSpan('other');
    tracer().startActiveSpan('outer', (outer) => {
      tracer().startActiveSpan('detached', {}, ROOT_CONTEXT, (s) => {
        tracer().startSpan('under-detached').end();
        s.end();
      });
      tracer().startActiveSpan('under-other', {}, trace.setSpan(context.active(), other), (s) => s.end());
      outer.end();
    });
    other.end();
  },
  'root: true ignores the active span': (note) => {
    tracer().startActiveSpan('outer', (outer) => {
      const r = tracer().startSpan('rooted', { root: true });
      note('new trace', r.spanContext().traceId !== outer.spanContext().traceId);
      r.end();
      outer.end();
    });
  },
  'explicit parent through trace.setSpan': () => {
    const p = tracer().startSpan('p');
    tracer().startSpan('c', {}, trace.setSpan(ROOT_CONTEXT, p)).end();
    // the context argument wins over the active span
    tracer().startActiveSpan('active', (a) => {
      tracer().startSpan('c2', {}, trace.setSpan(context.active(), p)).end();
      a.end();
    });
    p.end();
  },
  'remote sampled parent through trace.setSpanContext, with tracestate': (note) => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: REMOTE_TRACE,
      spanId: REMOTE_SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState('vendor=abc,other=1'),
    });
    const c = tracer().startSpan('c', {}, ctx);
    note('child', state(c));
    c.end();
  },
  'remote unsampled parent': (note) => {
    const c = tracer().startSpan('c', {}, trace.setSpan(ROOT_CONTEXT, remote(TraceFlags.NONE)));
    note('child', state(c));
    c.setAttribute('x', 1);
    c.end();
    const g = tracer().startSpan('g', {}, trace.setSpan(ROOT_CONTEXT, c));
    note('grandchild', state(g));
    g.end();
  },
  'wrapSpanContext is non-recording and parents children': (note) => {
    const w = remote(TraceFlags.SAMPLED);
    note('wrapped', { recording: w.isRecording(), same: w.setAttribute('x', 1) === w });
    w.end();
    context.with(trace.setSpan(context.active(), w), () => {
      note('active is wrapped', trace.getActiveSpan() === w);
      tracer().startSpan('c').end();
    });
  },
  'context.with nesting and async continuation': async (note) => {
    await tracer().startActiveSpan('root', async (root) => {
      await tick();
      note('after await', trace.getActiveSpan() === root);
      await tracer().startActiveSpan('mid', async (mid) => {
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            tracer().startSpan('in-timeout').end();
            resolve();
          }, 1),
        );
        await Promise.resolve().then(() => tracer().startSpan('in-then').end());
        context.with(ROOT_CONTEXT, () => {
          note('root context has no span', trace.getActiveSpan() === undefined);
          tracer().startSpan('in-root-context').end();
        });
        mid.end();
      });
      tracer().startSpan('after-mid').end();
      root.end();
    });
    note('outside', trace.getActiveSpan() === undefined);
  },
  'setAttribute(s) with invalid values': () => {
    const s = tracer().startSpan('s', { attributes: { u: undefined, n: null as never, ok: 1 } });
    s.setAttribute('undef', undefined as never);
    s.setAttribute('null', null as never);
    s.setAttribute('nan', NaN);
    s.setAttribute('inf', Infinity);
    s.setAttribute('obj', { a: 1 } as never);
    s.setAttribute('mixed', [1, 'a'] as never);
    s.setAttribute('holes', [1, null, undefined, 2] as never);
    s.setAttribute('empty', []);
    s.setAttribute('', 'empty key');
    s.setAttribute('str', 'v');
    s.setAttributes({ many1: 1, many2: undefined, many3: [true, false] });
    s.setAttribute('str', 'overwritten');
    s.end();
  },
  'addEvent with time and attributes': () => {
    const s = tracer().startSpan('s', { startTime: T0 });
    s.addEvent('plain');
    s.addEvent('attrs', { a: 1, u: undefined });
    s.addEvent('time-number', T0 + 5);
    s.addEvent('time-date', new Date(T0 + 6));
    s.addEvent('time-hr', [Math.floor((T0 + 7) / 1000), ((T0 + 7) % 1000) * 1e6]);
    s.addEvent('attrs-time', { b: 'x' }, T0 + 8);
    s.end(T0 + 10);
  },
  'links in options, addLink and addLinks': () => {
    const a = tracer().startSpan('a');
    const b = tracer().startSpan('b');
    const s = tracer().startSpan('s', { links: [{ context: a.spanContext(), attributes: { via: 'options' } }] });
    s.addLink({ context: b.spanContext() });
    s.addLinks([
      { context: a.spanContext(), attributes: { n: 2 } },
      { context: remote(TraceFlags.SAMPLED).spanContext(), attributes: { remote: true } },
    ]);
    s.end();
    a.end();
    b.end();
  },
  'recordException with Error, string and object with code': () => {
    const s = tracer().startSpan('s');
    const e = new TypeError('bad');
    e.stack = 'TypeError: bad\n    at here';
    s.recordException(e, T0);
    s.recordException('just text', T0);
    s.recordException({ code: 'ENOENT', message: 'no file' }, T0);
    s.recordException({ code: 42, name: 'N' }, T0);
    s.recordException({ name: 'OnlyName' }, T0);
    s.recordException({} as never, T0);
    s.end();
  },
  'setStatus precedence': () => {
    const a = tracer().startSpan('ok-final');
    a.setStatus({ code: SpanStatusCode.OK, message: 'ignored on OK' });
    a.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
    a.end();
    const b = tracer().startSpan('unset-ignored');
    b.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    b.setStatus({ code: SpanStatusCode.UNSET });
    b.end();
    const c = tracer().startSpan('error-then-ok');
    c.setStatus({ code: SpanStatusCode.ERROR, message: 'first' });
    c.setStatus({ code: SpanStatusCode.OK });
    c.end();
    const d = tracer().startSpan('error-twice');
    d.setStatus({ code: SpanStatusCode.ERROR, message: 'one' });
    d.setStatus({ code: SpanStatusCode.ERROR });
    d.end();
  },
  'after end: updateName, end twice, mutations ignored': (note) => {
    const s = tracer().startSpan('s', { startTime: T0 });
    s.updateName('renamed');
    note('recording before end', s.isRecording());
    s.end(T0 + 20);
    note('recording after end', s.isRecording());
    s.updateName('after-end');
    s.setAttribute('late', 1);
    s.addEvent('late');
    s.setStatus({ code: SpanStatusCode.ERROR });
    s.addLink({ context: remote(TraceFlags.SAMPLED).spanContext() });
    s.addLinks([{ context: remote(TraceFlags.SAMPLED).spanContext() }]);
    s.recordException(new Error('late'));
    s.setAttributes({ later: 2 });
    s.end(T0 + 30);
  },
  'times from performance.now() and Date; exceptions without a time': () => {
    const s = tracer().startSpan('s', { startTime: performance.now() });
    s.addEvent('perf', performance.now());
    // a fixed stack: the two runs are called from different lines
    s.recordException(Object.assign(new Error('now'), { stack: 'Error: now' }));
    s.recordException(Object.assign(new Error('date'), { stack: 'Error: date' }), new Date(T0));
    s.end(performance.now());
  },
  'local parent through trace.setSpanContext (isRemote left out)': (note) => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: TraceFlags.SAMPLED });
    note('active', context.with(ctx, () => state(trace.getActiveSpan()!)));
    tracer().startSpan('c', {}, ctx).end();
  },
  'spans ended after their parent': () => {
    const p = tracer().startSpan('p');
    const c = tracer().startSpan('c', {}, trace.setSpan(ROOT_CONTEXT, p));
    p.end();
    const g = tracer().startSpan('g', {}, trace.setSpan(ROOT_CONTEXT, c));
    c.end();
    g.end();
  },
  'tracer name, version and schemaUrl': () => {
    trace.getTracerProvider().getTracer('lib-a', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }).startSpan('a').end();
    trace.getTracer('lib-b').startSpan('b').end();
    trace.getTracer('lib-c', '3').startSpan('c').end();
  },
  'propagation.inject/extract with baggage': (note) => {
    const bag = propagation.createBaggage({ user: { value: 'alice' }, odd: { value: 'v,;= 2é' }, 'k 2': { value: 'bad key' } });
    tracer().startActiveSpan('out', (s) => {
      const carrier: Record<string, string> = {};
      propagation.inject(propagation.setBaggage(context.active(), bag), carrier);
      note('injected', carrier);
      s.end();
    });
    const incoming = {
      traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`,
      tracestate: 'vendor=x,other=y',
      baggage: 'a=1,b=two%20words;prop',
    };
    const ctx = propagation.extract(ROOT_CONTEXT, incoming);
    const sc = trace.getSpanContext(ctx);
    note('extracted', { ...sc, traceState: sc?.traceState?.serialize() });
    note(
      'baggage',
      propagation
        .getBaggage(ctx)
        ?.getAllEntries()
        .map(([k, v]) => [k, v.value]),
    );
    const c = tracer().startSpan('in', {}, ctx);
    c.end();
    const back: Record<string, string> = {};
    propagation.inject(trace.setSpan(ctx, c), back);
    note('re-injected', back);
    const none: Record<string, string> = {};
    propagation.inject(ROOT_CONTEXT, none);
    note('nothing to inject', none);
    note('unsampled extract', propagation.extract(ROOT_CONTEXT, { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-00` }) !== undefined);
  },
  'limits: many attributes, events, links; long values': () => {
    const s = tracer().startSpan('s');
    for (let i = 0; i < 130; i++) s.setAttribute(`a${i}`, i);
    s.setAttribute('long', 'x'.repeat(5000));
    for (let i = 0; i < 130; i++) s.addEvent(`e${i}`, T0);
    const other = tracer().startSpan('other');
    for (let i = 0; i < 130; i++) s.addLink({ context: other.spanContext() });
    other.end();
    s.end();
  },
  'limits: event and link attributes; overwriting at the attribute limit': () => {
    const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i]));
    const s = tracer().startSpan('s');
    for (let i = 0; i < 128; i++) s.setAttribute(`a${i}`, i);
    s.setAttribute('a0', 'overwritten at the limit');
    s.setAttribute('new', 'past the limit');
    s.addEvent('e', many, T0);
    s.addLink({ context: remote(TraceFlags.SAMPLED).spanContext(), attributes: many });
    s.end();
  },
  'secret-looking keys': () => {
    tracer().startSpan('s', { attributes: { password: 'hunter2', 'http.request.header.authorization': 'Bearer x', user: 'u' } }).end();
  },
  'times: Date, HrTime, end before start': () => {
    tracer().startSpan('date', { startTime: new Date(T0) }).end(new Date(T0 + 1));
    tracer().startSpan('hr', { startTime: [T0 / 1000, 500_000] }).end([T0 / 1000 + 1, 0]);
    tracer().startSpan('backwards', { startTime: T0 + 100 }).end(T0);
  },
  'unusual kinds and status codes': () => {
    tracer().startSpan('kind-7', { kind: 7 as SpanKind }).end();
    tracer().startSpan('kind-producer', { kind: SpanKind.PRODUCER }).end();
    const s = tracer().startSpan('status-9');
    s.setStatus({ code: 9 as SpanStatusCode, message: 'x' });
    s.end();
    const m = tracer().startSpan('error-no-message');
    m.setStatus({ code: SpanStatusCode.ERROR });
    m.end();
  },
  'context.with passes this and arguments; context.bind': (note) => {
    const p = tracer().startSpan('p');
    const ctx = trace.setSpan(ROOT_CONTEXT, p);
    const self = { tag: 'self' };
    note(
      'with',
      context.with(ctx, function (this: typeof self, a: number, b: number) {
        return [this.tag, a + b, trace.getActiveSpan() === p];
      }, self, 1, 2),
    );
    const bound = context.bind(ctx, () => {
      tracer().startSpan('in-bound').end();
      return trace.getActiveSpan() === p;
    });
    note('bound', bound());
    context.with(trace.deleteSpan(ctx), () => note('deleted', trace.getActiveSpan() === undefined));
    p.end();
  },
  'non-recording child of an unsampled parent: methods are no-ops': (note) => {
    const c = tracer().startSpan('c', {}, trace.setSpan(ROOT_CONTEXT, remote(TraceFlags.NONE)));
    note('chain', [c.setAttribute('a', 1) === c, c.addEvent('e') === c, c.setStatus({ code: SpanStatusCode.OK }) === c, c.updateName('n') === c]);
    c.recordException(new Error('x'));
    c.end();
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, c), carrier);
    note('injected', carrier);
  },
  'propagation: fields, metadata, invalid headers': (note) => {
    note('fields', propagation.fields());
    const bag = propagation.createBaggage({ k: { value: 'v', metadata: baggageEntryMetadataFromString('prop=1') } });
    const carrier: Record<string, string> = {};
    propagation.inject(propagation.setBaggage(ROOT_CONTEXT, bag), carrier);
    note('metadata', carrier);
    for (const [i, tp] of [
      `ff-${REMOTE_TRACE}-${REMOTE_SPAN}-01`,
      `00-${REMOTE_TRACE.toUpperCase()}-${REMOTE_SPAN}-01`,
      `01-${REMOTE_TRACE}-${REMOTE_SPAN}-01-extra`,
      `00-${REMOTE_TRACE}-0000000000000000-01`,
      `00-${REMOTE_TRACE}-${REMOTE_SPAN}-1`,
    ].entries()) {
      const sc = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: tp, tracestate: 'a=1' }));
      note(`traceparent ${i}`, sc ? { ...sc, traceState: sc.traceState?.serialize() } : null);
    }
    const sc = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, tracestate: 'bad key=1,ok=2' }));
    note('bad tracestate', sc?.traceState?.serialize() ?? null);
    const arr = propagation.extract(ROOT_CONTEXT, { traceparent: [`00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`], baggage: ['a=1', 'b=2'] });
    note('array headers', [trace.getSpanContext(arr)?.spanId ?? null, propagation.getBaggage(arr)?.getAllEntries().map(([k, v]) => [k, v.value]) ?? null]);
  },
  'invalid and odd parents': (note) => {
    tracer().startSpan('invalid-parent', {}, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT))).end();
    const bad = trace.wrapSpanContext({ traceId: 'xyz', spanId: 'abc', traceFlags: 1 });
    tracer().startSpan('malformed-parent', {}, trace.setSpan(ROOT_CONTEXT, bad)).end();
    const flags3 = trace.setSpanContext(ROOT_CONTEXT, { traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: 3, isRemote: true });
    const c = tracer().startSpan('flags-3-parent', {}, flags3);
    note('flags-3 child', state(c));
    c.end();
  },
  'invalid values in event and link attributes; odd links': () => {
    const s = tracer().startSpan('s', {
      links: [
        { context: INVALID_SPAN_CONTEXT, attributes: { invalid: true } },
        { context: { ...remote(TraceFlags.SAMPLED).spanContext(), traceState: createTraceState('a=1') }, attributes: { obj: {} as never, n: null as never } },
      ],
    });
    s.addEvent('e', { obj: { a: 1 } as never, mixed: [1, 'a'] as never, u: undefined, ok: 'x' }, T0);
    s.addLink({ context: remote(TraceFlags.NONE).spanContext(), attributes: { arr: [1, 2] } });
    s.end();
  },
  'startActiveSpan whose fn throws restores the context': (note) => {
    try {
      tracer().startActiveSpan('boom', (s) => {
        s.end();
        throw new Error('x');
      });
    } catch {
      note('restored', trace.getActiveSpan() === undefined);
    }
  },
  'baggage in the context, not on the span': (note) => {
    const bag = propagation.createBaggage({ tenant: { value: 't1' } });
    context.with(propagation.setBaggage(context.active(), bag), () => {
      tracer().startActiveSpan('s', (s) => {
        note('active baggage', propagation.getActiveBaggage()?.getEntry('tenant')?.value ?? null);
        const fromActive: Record<string, string> = {};
        propagation.inject(context.active(), fromActive);
        note('from the active context', fromActive);
        const fromSpanOnly: Record<string, string> = {};
        propagation.inject(trace.setSpan(ROOT_CONTEXT, s), fromSpanOnly);
        note('from the span alone', fromSpanOnly);
        s.end();
      });
    });
  },
  'inject: unsampled local and wrapped spans': (note) => {
    const w = trace.wrapSpanContext({ traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: 0, traceState: createTraceState('v=1') });
    const a: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, w), a);
    note('wrapped unsampled', a);
    const inv: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), inv);
    note('invalid', inv);
  },
  'extract: whitespace, long tracestate, baggage edge cases': (note) => {
    const tp = `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`;
    const read = (h: Record<string, string>) => {
      const ctx = propagation.extract(ROOT_CONTEXT, h);
      const sc = trace.getSpanContext(ctx);
      return {
        span: sc ? { ...sc, traceState: sc.traceState?.serialize() } : null,
        baggage: propagation.getBaggage(ctx)?.getAllEntries().map(([k, v]) => [k, v.value, v.metadata?.toString() ?? null]) ?? null,
      };
    };
    note('ows', read({ traceparent: ` ${tp} ` }));
    note('33 tracestate members', read({ traceparent: tp, tracestate: Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',') }));
    note('tracestate without traceparent', read({ tracestate: 'a=1' }));
    note('baggage spaces and properties', read({ baggage: ' a = 1 ; p1 ; p2=x , b=%E2%82%AC ' }));
    note('baggage bad escape', read({ baggage: 'a=%zz,b=ok' }));
    note('baggage duplicate keys', read({ baggage: 'a=1,a=2' }));
    note('baggage 70 members', read({ baggage: Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(',') })?.baggage?.length ?? null);
  },
  'context values and identity across async boundaries': async (note) => {
    const key = createContextKey('diff key');
    const p = tracer().startSpan('p');
    const ctx = trace.setSpan(ROOT_CONTEXT, p).setValue(key, 'v');
    note('identity', context.with(ctx, () => context.active() === ctx));
    note(
      'after await',
      await context.with(ctx, async () => {
        await tick();
        return [context.active() === ctx, context.active().getValue(key) ?? null, trace.getActiveSpan() === p];
      }),
    );
    note('then scheduled inside', await context.with(ctx, () => Promise.resolve().then(() => trace.getActiveSpan() === p)));
    note('microtask', await new Promise((r) => context.with(ctx, () => queueMicrotask(() => r(context.active().getValue(key) ?? null)))));
    note('timer', await new Promise((r) => context.with(ctx, () => setTimeout(() => r(trace.getActiveSpan() === p), 1))));
    note('value outside', context.active().getValue(key) ?? null);
    const chained = [p.setAttribute('a', 1) === p, p.setAttributes({ b: 2 }) === p, p.addEvent('e') === p, p.addLink({ context: p.spanContext() }) === p];
    note('chaining', chained);
    p.end();
  },
  // The API spec: an invalid tracer name gives a working tracer whose name SHOULD be empty.
  'tracer with an empty name or none': () => {
    trace.getTracer(undefined as never).startSpan('none').end();
    trace.getTracer('').startSpan('s').end();
  },
  'custom getter and setter (Headers)': (note) => {
    const h = new Headers();
    const bag = propagation.createBaggage({ a: { value: '1' } });
    tracer().startActiveSpan('s', (sp) => {
      propagation.inject(propagation.setBaggage(context.active(), bag), h, { set: (c, k, v) => c.set(k, v) });
      sp.end();
    });
    note('written', [...h.entries()]);
    const getter = {
      keys: (c: Headers) => [...c.keys()],
      get: (c: Headers, k: string) => c.get(k) ?? undefined,
    };
    const ctx = propagation.extract(ROOT_CONTEXT, h, getter);
    note('read back', [trace.getSpanContext(ctx)?.spanId ?? null, propagation.getBaggage(ctx)?.getEntry('a')?.value ?? null]);
    note('capitalised keys, default getter', trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { Traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01` })) ?? null);
  },
  'invalid extract': (note) => {
    const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' });
    note('span context', trace.getSpanContext(ctx) ?? null);
    tracer().startSpan('s', {}, ctx).end();
  },
};

// ---------- normalisation ----------

interface Flat {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  parentIsRemote?: boolean;
  traceFlags: number;
  traceState?: string;
  start: number;
  end: number;
  attributes: Attributes;
  events: { name: string; time: number; attributes: Attributes; dropped: number }[];
  links: { traceId: string; spanId: string; traceFlags: number; traceState?: string; attributes: Attributes; dropped: number }[];
  status: { code: number; message?: string };
  scope: { name: string; version?: string; schemaUrl?: string };
  dropped: [number, number, number];
}

const hrMs = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;

function fromSdk(s: ReadableSpan): Flat {
  const c = s.spanContext();
  return {
    name: s.name,
    kind: s.kind,
    traceId: c.traceId,
    spanId: c.spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    parentIsRemote: s.parentSpanContext?.isRemote,
    traceFlags: c.traceFlags,
    traceState: c.traceState?.serialize(),
    start: hrMs(s.startTime),
    end: hrMs(s.endTime),
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, time: hrMs(e.time), attributes: e.attributes ?? {}, dropped: e.droppedAttributesCount ?? 0 })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, traceFlags: l.context.traceFlags, traceState: l.context.traceState?.serialize(), attributes: l.attributes ?? {}, dropped: l.droppedAttributesCount ?? 0 })),
    status: s.status,
    scope: { ...s.instrumentationScope },
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
  };
}

function fromBridge(s: SpanData): Flat {
  return {
    name: s.name,
    kind: (s.kind - 1) as SpanKind, // OTLP's numbering → the API's
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    parentIsRemote: s.parentIsRemote,
    traceFlags: s.traceFlags,
    traceState: s.traceState,
    start: s.startTime,
    end: s.endTime,
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes, dropped: e.droppedAttributesCount })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags, traceState: l.traceState, attributes: l.attributes, dropped: l.droppedAttributesCount })),
    status: s.status,
    scope: { ...s.instrumentationScope! },
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
  };
}

/** Ids become the names of the spans that carry them (traces: T1, T2… in order of first sight); times near now become 'now'. */
function normalise(flat: Flat[], notes: Notes) {
  const spans = [...flat].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Map<string, string>([
    [REMOTE_TRACE, 'REMOTE_TRACE'],
    [REMOTE_SPAN, 'REMOTE_SPAN'],
  ]);
  for (const s of spans) names.set(s.spanId, `span:${s.name}`);
  let traces = 0;
  let others = 0;
  const id = (x: string) => {
    if (!names.has(x)) names.set(x, x.length === 32 ? `T${++traces}` : `id${++others}`);
    return names.get(x)!;
  };
  for (const s of spans) id(s.traceId);
  const hex = /\b[0-9a-f]{32}\b|\b[0-9a-f]{16}\b/g;
  const now = Date.now();
  const time = (t: number) => (Math.abs(t - now) < 60_000 ? 'now' : Math.round(t * 1000) / 1000);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(hex, (m) => (/^0+$/.test(m) ? m : id(m)));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return {
    spans: spans.map((s) => ({
      name: s.name,
      kind: s.kind,
      trace: id(s.traceId),
      parent: s.parentSpanId === undefined ? null : id(s.parentSpanId),
      parentIsRemote: s.parentSpanId === undefined ? undefined : s.parentIsRemote === true,
      traceFlags: s.traceFlags,
      traceState: s.traceState,
      start: time(s.start),
      end: time(s.end),
      attributes: s.attributes,
      events: s.events.map((e) => ({ ...e, time: time(e.time) })),
      links: s.links.map((l) => ({ to: id(l.spanId), trace: id(l.traceId), flags: l.traceFlags, traceState: l.traceState, attributes: l.attributes, dropped: l.dropped })),
      status: s.status,
      scope: Object.fromEntries(Object.entries(s.scope).filter(([, v]) => v !== undefined)),
      dropped: s.dropped,
    })),
    notes: walk(notes),
  };
}

async function run(scenario: Scenario): Promise<Notes> {
  const notes: Notes = {};
  await scenario((k, v) => (notes[k] = JSON.parse(JSON.stringify(v ?? null))));
  return notes;
}

async function withSdk(scenario: Scenario) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const cm = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(cm);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  try {
    const notes = await run(scenario);
    await provider.forceFlush();
    return normalise(exporter.getFinishedSpans().map(fromSdk), notes);
  } finally {
    trace.disable();
    context.disable();
    propagation.disable();
    cm.disable();
  }
}

async function withBridge(scenario: Scenario) {
  // the spans exactly as exporters get them (MemoryBackend records a reshaped copy)
  const spans: SpanData[] = [];
  const backend: Backend = {
    name: 'raw',
    export: async (b) => (spans.push(...b.spans), { ok: true }),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const { monitor } = createTestMonitor({ backends: [backend] });
  expect(registerOpenTelemetry(monitor, { metrics: false })).toBe(true);
  try {
    const notes = await run(scenario);
    await monitor.flush();
    return normalise(spans.map(fromBridge), notes);
  } finally {
    unregisterOpenTelemetry();
    await monitor.shutdown();
  }
}

/**
 * Differences that are deliberate (README "OpenTelemetry interop" and "Redaction"), applied to
 * the SDK's output before the comparison. Keyed by scenario name.
 */
type Out = ReturnType<typeof normalise>;
const span = (o: Out, name: string) => o.spans.find((s) => s.name === name)!;
const notes = (o: Out) => o.notes as Record<string, any>;
const ACCEPTED: Record<string, (sdk: Out) => void> = {
  'setAttribute(s) with invalid values': (sdk) => {
    const a = span(sdk, 's').attributes as Record<string, unknown>;
    // The SDK keeps `undefined` inside an array; the monitor keeps null (both are an empty AnyValue in OTLP).
    a.holes = [1, null, null, 2];
    // An object, a mixed-type array: the SDK drops them, the monitor keeps JSON text, or a list of
    // strings (README "OpenTelemetry interop", last bullet on OpenTelemetryBackend).
    a.obj = '{"a":1}';
    a.mixed = ['1', 'a'];
  },
  'invalid values in event and link attributes; odd links': (sdk) => {
    const s = span(sdk, 's');
    // Objects and mixed arrays as above; null and undefined values are left out (the SDK does not
    // clean event and link attributes at all).
    s.events[0]!.attributes = { ok: 'x', obj: '{"a":1}', mixed: ['1', 'a'] };
    // The all-zero link is kept, as the SDK keeps it: it has attributes (test/otlp/zero-id-link.test.ts).
    s.links[1]!.attributes = { obj: '{}' };
  },
  'limits: many attributes, events, links; long values': (sdk) => {
    // Past eventCountLimit (128) the monitor keeps the first events and counts the later ones, as it
    // does for attributes and links; the SDK evicts the oldest. The dropped counts are the same.
    span(sdk, 's').events = Array.from({ length: 128 }, (_, i) => ({ name: `e${i}`, time: T0, attributes: {}, dropped: 0 }));
  },
  'secret-looking keys': (sdk) => {
    // README "Redaction": secret-looking keys are redacted on API spans too.
    Object.assign(span(sdk, 's').attributes, { password: '[REDACTED]', 'http.request.header.authorization': '[REDACTED]' });
  },
  'unusual kinds and status codes': (sdk) => {
    // Out-of-range kinds and status codes: the SDK exports them as given, which OTLP cannot
    // carry (TR-01, TR-02); the monitor records INTERNAL and ignores the status.
    span(sdk, 'kind-7').kind = SpanKind.INTERNAL;
    span(sdk, 'status-9').status = { code: SpanStatusCode.UNSET };
  },
  'tracer with an empty name or none': (sdk) => {
    // Without a name the SDK's scope has none at all; the monitor's is '' (the same in OTLP).
    span(sdk, 'none').scope = { name: '' };
  },
  'invalid and odd parents': (sdk) => {
    // TC-07: a continued trace keeps the incoming random-trace-id flag (0x02); the SDK keeps only "sampled".
    span(sdk, 'flags-3-parent').traceFlags = 3;
    notes(sdk)['flags-3 child'].ctx.traceFlags = 3;
  },
  'propagation.inject/extract with baggage': (sdk) => {
    // BG-01: a baggage key is a token; the SDK percent-encodes `k 2`, which no W3C parser reads back.
    // The monitor leaves the member out and counts it (invalid_value).
    notes(sdk).injected.baggage = 'user=alice,odd=v%2C%3B%3D%202%C3%A9';
  },
  'propagation: fields, metadata, invalid headers': (sdk) => {
    // A tracestate with an invalid member is invalid as a whole (TS-03, W3C test suite
    // test_tracestate_key_illegal_characters); the SDK keeps the valid members.
    notes(sdk)['bad tracestate'] = null;
  },
  'extract: whitespace, long tracestate, baggage edge cases': (sdk) => {
    const n = notes(sdk);
    // TS-01: over 32 members the tracestate is invalid; the SDK keeps the first 32.
    n['33 tracestate members'].span.traceState = undefined;
    // BG-02: 64 members are propagated; the SDK takes up to 180.
    n['baggage 70 members'] = 64;
    // BG-01: an escape that is not one stays as it is (WHATWG percent-decoding); the SDK drops the member.
    n['baggage bad escape'].baggage = [['a', '%zz', null], ['b', 'ok', null]];
    // Properties are kept without the OWS around them.
    n['baggage spaces and properties'].baggage[0][2] = 'p1 ; p2=x';
  },
};

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('the bridge behaves as the SDK through @opentelemetry/api', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const sdk = await withSdk(scenario);
      const ours = await withBridge(scenario);
      ACCEPTED[name]?.(sdk);
      expect(ours).toEqual(sdk);
    });
  }
});
