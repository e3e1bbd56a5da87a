/**
 * Hostile input on the per-request calls that fuzz-hot-path.test.ts does not cover (fast-check):
 * logger and child(), every instrument's record/bind/remove/reset/startTimer, observable callbacks,
 * startSpan/startActiveSpan options, span methods, scopes, injectContext/extractContext with hostile
 * carriers, the @opentelemetry/api bridge, traced/metered with hostile `this`/args, hook payloads and
 * PerformanceMonitor. Values: revoked Proxies, throwing getters/toString/toPrimitive/toJSON,
 * null-prototype objects, symbols, BigInt, huge strings, lone surrogates, NaN/±Infinity/-0, deep and
 * cyclic objects, frozen objects, sparse arrays, invalid Dates, functions.
 * Properties: no call throws, flush() resolves, and every batch still encodes to OTLP protobuf that
 * protobufjs decodes from the official .proto files.
 */
import fc from 'fast-check';
import { context as otelContext, metrics as otelMetrics, propagation, trace as otelTrace } from '@opentelemetry/api';
import { logs as otelLogs } from '@opentelemetry/api-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor, extractBaggage, extractContext, HookRegistry, injectContext, MemoryBackend, metered, PerformanceMonitor, traced } from '../../src/index.js';
import type { Backend, TelemetryBatch } from '../../src/model/batch.js';
import { encodeLogsProto, encodeMetricsProto, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';
import { FUZZ_SEED, SCALE, record } from './helpers/scale.js';

fc.configureGlobal({ seed: FUZZ_SEED });
const RUNS = Math.max(60, Math.floor(SCALE.fuzzRuns / 2));

const boom = (): never => {
  throw new Error('hostile');
};
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
function cyclic(): object {
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  a.arr = [a];
  return a;
}
function deep(n: number): object {
  let o: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < n; i++) o = { n: o };
  return o;
}
/** Factories: each call makes a fresh hostile value (a revoked Proxy cannot be reused across generators). */
const MAKERS: Record<string, () => unknown> = {
  revokedProxy: revoked,
  throwingProxy: () => new Proxy({}, { get: boom, ownKeys: boom, has: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom }),
  throwingGetter: () => Object.defineProperty({ a: 1 }, 'b', { get: boom, enumerable: true }),
  throwingToString: () => ({ toString: boom, valueOf: boom }),
  throwingToPrimitive: () => ({ [Symbol.toPrimitive]: boom }),
  throwingToJSON: () => ({ toJSON: boom, a: 1 }),
  nullProto: () => Object.assign(Object.create(null), { a: 1, b: 'x' }),
  nullProtoBare: () => Object.create(null),
  symbol: () => Symbol('s'),
  symbolKeyed: () => ({ [Symbol('k')]: 1, a: Symbol('v') }),
  bigint: () => 2n ** 70n,
  hugeString: () => 'x'.repeat(300_000),
  loneSurrogate: () => 'a\ud800b\udfff',
  nan: () => NaN,
  inf: () => Infinity,
  negInf: () => -Infinity,
  negZero: () => -0,
  deep: () => deep(500),
  cyclic,
  frozen: () => Object.freeze({ a: 1, nested: Object.freeze({ b: 2 }) }),
  sparse: () => [1, , 3, , ,], // eslint-disable-line no-sparse-arrays
  invalidDate: () => new Date(NaN),
  fn: () => () => 1,
  throwingFnProps: () => Object.defineProperty(function f() {}, 'name', { get: boom }),
  undef: () => undefined,
  nul: () => null,
  negative: () => -5,
  huge: () => Number.MAX_VALUE,
  arrayOfHostile: () => [revoked(), Symbol('x'), 1n, { toString: boom }],
  mapOfHostile: () => new Map<unknown, unknown>([[revoked(), 1], ['k', { toJSON: boom }]]),
  errorHostile: () => Object.defineProperty(new Error('e'), 'stack', { get: boom }),
  errorCauseCycle: () => {
    const e = new Error('e') as Error & { cause?: unknown };
    e.cause = e;
    return e;
  },
  plain: () => ({ a: 1, b: 'two' }),
  number: () => 3,
  string: () => 'ok',
};
const NAMES = Object.keys(MAKERS);
/** Every hostile object made, so the harness itself never inspects one a call returned. */
const MADE = new WeakSet<object>();
for (const k of Object.keys(MAKERS)) {
  const mk = MAKERS[k];
  MAKERS[k] = () => {
    const v = mk();
    if ((typeof v === 'object' && v !== null) || typeof v === 'function') MADE.add(v as object);
    return v;
  };
}
/**
 * fast-check inspects generated values (it would trip over a revoked Proxy itself), so arbitraries
 * generate recipes and each property makes the values from them.
 */
type Recipe = string | [string, string][];
const hostileName = fc.constantFrom(...NAMES);
const bagRecipe = fc.array(fc.tuple(fc.constantFrom('a', 'b', '__proto__', 'constructor', 'password', 'x.y'), hostileName), { maxLength: 4 });
const recipe: fc.Arbitrary<Recipe> = fc.oneof(hostileName, bagRecipe);
function make(r: Recipe): unknown {
  if (typeof r === 'string') return MAKERS[r]();
  const o: Record<string, unknown> = {};
  for (const [key, name] of r) Object.defineProperty(o, key, { value: MAKERS[name](), enumerable: true, configurable: true, writable: true });
  return o;
}
const hostile = hostileName;
const arg = recipe;

const batches: TelemetryBatch[] = [];
const capture: Backend = { name: 'capture', temporality: 'delta', export: async (b) => (batches.push(b), { ok: true }), forceFlush: async () => undefined, shutdown: async () => undefined };
const monitor = createMonitor({ serviceName: 'fuzz-surface', backends: [capture, new MemoryBackend()], onDiagnostic: () => undefined, logging: { level: 'trace' } });
const m = monitor.metrics;
const counter = m.createCounter('surf_total', 'c', { labelNames: ['a', 'b'] });
const updown = m.createUpDownCounter('surf_updown', 'u');
const gauge = m.createGauge('surf_gauge', 'g', { labelNames: ['a'] });
const hist = m.createHistogram('surf_hist', 'h', { labelNames: ['a'], unit: 'ms' });
const expo = m.createHistogram('surf_expo', 'h', { buckets: (await import('../../src/index.js')).base2ExponentialBuckets() });
const summary = m.createSummary('surf_summary', 's', { labelNames: ['a'] });
const instruments = [counter, updown, gauge, hist, expo, summary] as unknown as Record<string, (...a: unknown[]) => unknown>[];
let callbackArg: unknown;
m.createGauge('surf_observed', 'o', { collect: (g) => (g as unknown as { set(...a: unknown[]): void }).set(callbackArg, callbackArg) });
m.addCollectCallback(() => {
  gauge.set(callbackArg as never, callbackArg as never);
  if (typeof callbackArg === 'symbol') throw callbackArg; // a callback throwing a non-Error
});
const hooks = new HookRegistry();
monitor.subscribeHooks(hooks);
const perf = new PerformanceMonitor(monitor);
const counts: Record<string, number> = {};

registerOpenTelemetry(monitor, { logs: otelLogs });
const otelTracer = otelTrace.getTracer('fuzz');
const meter = otelMetrics.getMeter('fuzz');
const oCounter = meter.createCounter('o.counter');
const oUpDown = meter.createUpDownCounter('o.updown');
const oHist = meter.createHistogram('o.hist');
const oGauge = meter.createGauge('o.gauge');
const oObs = meter.createObservableGauge('o.obs');
const oObsC = meter.createObservableCounter('o.obsc');
let obsArg: unknown;
oObs.addCallback((r) => r.observe(obsArg as never, obsArg as never));
meter.addBatchObservableCallback((r) => r.observe(oObsC, obsArg as never, obsArg as never), [oObsC]);
const otelLogger = otelLogs.getLogger('fuzz');

afterAll(async () => {
  unregisterOpenTelemetry();
  await monitor.shutdown();
  record('fuzz', 'api-surface', { runs: counts });
});

/** Runs each call; a throw fails with the call's label and the value's kind. */
function noThrow(kind: string, calls: Record<string, () => unknown>): void {
  for (const [label, c] of Object.entries(calls)) {
    try {
      const r = c();
      if (typeof r === 'object' && r !== null && !MADE.has(r) && r instanceof Promise) void r.then(undefined, () => undefined);
    } catch (e) {
      throw new Error(`${label} threw on ${kind}: ${String((e as Error)?.message ?? e)}\n${(e as Error)?.stack}`);
    }
  }
}
const kindOf = (v: unknown): string => {
  try {
    return typeof v === 'object' && v !== null ? `object{${Reflect.ownKeys(v).map(String).join(',')}}` : typeof v;
  } catch {
    return 'unreadable';
  }
};

function droppedTotal(): number {
  const d = m.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  let n = 0;
  for (const p of d?.points ?? []) n += (p as { value: number }).value;
  return n;
}

async function exportsStillDecode(): Promise<void> {
  batches.length = 0;
  await expect(monitor.flush()).resolves.not.toThrow();
  for (const b of batches) {
    decodeProto('traces', encodeTracesProto(b));
    decodeProto('metrics', encodeMetricsProto(b));
    decodeProto('logs', encodeLogsProto(b));
  }
}

describe('per-request calls with hostile values never throw and the export stays valid', () => {
  it('logger methods, log(), child() and child loggers', async () => {
    fc.assert(
      fc.property(hostile, arg, arg, (k, ra, rb) => {
        const v = make(k), a = make(ra), b = make(rb);
        const L = monitor.logger as unknown as Record<string, (...x: unknown[]) => unknown>;
        const calls: Record<string, () => unknown> = {};
        for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) {
          calls[`logger.${level}(v, a)`] = () => L[level](v, a);
          calls[`logger.${level}(a, v)`] = () => L[level](a, v);
        }
        calls['logger.log(v, v, a)'] = () => L.log(v, v, a);
        calls['logger.log("info", v, b)'] = () => L.log('info', v, b);
        calls['child(a).info(v, b)'] = () => (monitor.logger.child(a as never) as unknown as Record<string, (...x: unknown[]) => unknown>).info(v, b);
        calls['child(a).child(b).warn(v)'] = () => (monitor.logger.child(a as never).child(b as never) as unknown as Record<string, (...x: unknown[]) => unknown>).warn(v);
        calls['child(v)'] = () => monitor.logger.child(v as never).error('x', v as never);
        noThrow(k, calls);
        // A value with no log representation (a function, a symbol) is left out, and counted.
        const x = make(k);
        if (typeof x === 'function' || typeof x === 'symbol') {
          const before = droppedTotal();
          monitor.logger.info('no value', { x });
          expect(droppedTotal(), `log attribute ${k} dropped uncounted`).toBeGreaterThan(before);
        }
      }),
      { numRuns: RUNS },
    );
    counts.logger = RUNS;
    await exportsStillDecode();
  });

  it('every instrument: record, bind, remove, reset, startTimer, and observable callbacks', { timeout: 120_000 }, async () => {
    fc.assert(
      fc.property(hostile, arg, hostile, (k, rl, kw) => {
        const v = make(k), labels = make(rl), w = make(kw);
        const calls: Record<string, () => unknown> = {};
        instruments.forEach((inst, i) => {
          for (const method of ['increment', 'decrement', 'add', 'set', 'observe']) {
            if (typeof inst[method] !== 'function') continue;
            calls[`${i}.${method}(v, labels)`] = () => inst[method](v, labels);
            calls[`${i}.${method}(labels)`] = () => inst[method](labels);
            calls[`${i}.${method}(1, v)`] = () => inst[method](1, v);
          }
          if (typeof inst.bind === 'function') {
            calls[`${i}.bind(labels)`] = () => {
              const bound = inst.bind(labels) as Record<string, (...x: unknown[]) => unknown>;
              for (const method of ['increment', 'decrement', 'add', 'set', 'observe']) if (typeof bound[method] === 'function') bound[method](v);
              if (typeof bound.startTimer === 'function') (bound.startTimer() as (...x: unknown[]) => unknown)(w);
            };
            calls[`${i}.bind(v)`] = () => inst.bind(v);
          }
          if (typeof inst.startTimer === 'function') {
            calls[`${i}.startTimer(labels)(w)`] = () => (inst.startTimer(labels) as (...x: unknown[]) => unknown)(w);
            calls[`${i}.startTimer(v)()`] = () => (inst.startTimer(v) as (...x: unknown[]) => unknown)();
          }
          calls[`${i}.remove(labels)`] = () => inst.remove(labels);
          calls[`${i}.remove(v)`] = () => inst.remove(v);
          if (i === 2) calls[`${i}.reset()`] = () => inst.reset();
        });
        noThrow(k, calls);
        // Every value not recorded as given is counted: a histogram observation that is not a finite number.
        const x = make(k);
        const before = droppedTotal();
        hist.observe(x as never, { a: 'x' });
        if (!(typeof x === 'number' && Number.isFinite(x))) expect(droppedTotal(), `observe(${k}) dropped uncounted`).toBeGreaterThan(before);
        callbackArg = v;
        noThrow(k, { collect: () => m.collect({ temporality: 'cumulative' }) });
      }),
      { numRuns: RUNS },
    );
    callbackArg = 1;
    counts.instruments = RUNS;
    await exportsStillDecode();
  });

  it('startSpan / startActiveSpan options and every span method, odd end times', async () => {
    fc.assert(
      fc.property(hostile, arg, arg, (k, ra, rb) => {
        const v = make(k), a = make(ra), b = make(rb);
        const T = monitor.tracer;
        const calls: Record<string, () => unknown> = {
          'startSpan(v, a)': () => T.startSpan(v as never, a as never).end(),
          'startSpan(name, {all hostile})': () =>
            T.startSpan('s', { kind: v, attributes: a, links: [v, a, { context: v, attributes: b }], startTime: v, parent: v } as never).end(v as never),
          'startSpan(name, {links: v})': () => T.startSpan('s', { links: v } as never).end(),
          'startActiveSpan(v, a, fn)': () => T.startActiveSpan(v as never, a as never, (s) => s.setAttribute('x', v as never)),
          'startActiveSpan(name, fn) throws hostile': () => {
            try {
              T.startActiveSpan('s', () => {
                throw v;
              });
            } catch (e) {
              if (e !== v && !(typeof v === 'number' && Number.isNaN(v))) throw new Error('rethrew another value');
            }
          },
          'startActiveSpan(name, fn) rejects hostile': () => T.startActiveSpan('s', async () => Promise.reject(v)),
          'span methods': () => {
            const s = T.startSpan('m');
            s.setAttribute(v as never, v as never);
            s.setAttribute('k', v as never);
            s.setAttributes(a as never);
            s.setAttributes(v as never);
            s.addEvent(v as never, a as never, v as never);
            s.addEvent('e', v as never);
            (s as unknown as { addLink?(x: unknown): void }).addLink?.(v);
            (s as unknown as { addLink?(x: unknown): void }).addLink?.({ context: a, attributes: b });
            (s as unknown as { addLinks?(x: unknown): void }).addLinks?.(v);
            s.setStatus(v as never, v as never);
            s.setStatus({ code: v, message: v } as never);
            s.recordException(v as never, v as never);
            s.recordException(a as never);
            s.updateName(v as never);
            s.end(v as never);
            s.end(v as never);
            s.setAttribute('after', 1);
          },
          'end(-1) / end(Infinity) / end(invalid Date)': () => {
            T.startSpan('t1').end(-1 as never);
            T.startSpan('t2').end(Infinity as never);
            T.startSpan('t3').end(new Date(NaN) as never);
            T.startSpan('t4', { startTime: new Date(NaN) } as never).end([1, 2] as never);
          },
        };
        noThrow(k, calls);
      }),
      { numRuns: RUNS },
    );
    counts.spans = RUNS;
    await exportsStillDecode();
  });

  it('scopes opened with hostile options, run and closed; injectContext/extractContext with hostile carriers', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, arg, async (k, ra) => {
        const v = make(k), a = make(ra);
        let scope: ReturnType<typeof monitor.openScope> | undefined;
        const calls: Record<string, () => unknown> = {
          'openScope(v)': () => (scope = monitor.openScope(v as never)),
          'scope.run(fn)': () => scope?.run(() => monitor.logger.info('in scope', a as never)),
          'scope.waitUntil(v)': () => scope?.waitUntil(v as never),
          'extractContext(v)': () => extractContext(v as never),
          'extractContext(a)': () => extractContext(a as never),
          'extractBaggage(v)': () => extractBaggage(v as never),
          'injectContext(v)': () => injectContext(v as never),
          'injectContext(a, v)': () => injectContext(a as never, v as never),
          'injectContext({}, span)': () => injectContext({}, monitor.tracer.startSpan('i')),
          'injectContext(frozen, span)': () => injectContext(Object.freeze({}) as never, monitor.tracer.startSpan('i')),
          'injectContext(Headers-like that throws)': () => injectContext({ set: boom, get: boom, has: boom } as never, monitor.tracer.startSpan('i')),
        };
        noThrow(k, calls);
        await expect(Promise.resolve(scope?.close())).resolves.not.toThrow();
      }),
      { numRuns: RUNS },
    );
    counts.scopes = RUNS;
    await exportsStillDecode();
  });

  it('the @opentelemetry/api bridge: tracer, spans, context, propagation, meters, observables, api-logs', async () => {
    fc.assert(
      fc.property(hostile, arg, arg, (k, ra, rb) => {
        const v = make(k), a = make(ra), b = make(rb);
        const calls: Record<string, () => unknown> = {
          'tracer.startSpan(v, a, v)': () => otelTracer.startSpan(v as never, a as never, v as never).end(v as never),
          'tracer.startSpan(name, {hostile})': () =>
            otelTracer.startSpan('s', { kind: v, attributes: a, links: [v, { context: v, attributes: b }], startTime: v, root: v } as never).end(),
          'tracer.startActiveSpan(v, a, fn)': () => otelTracer.startActiveSpan(v as never, a as never, (s) => s.end()),
          'span methods': () => {
            const s = otelTracer.startSpan('b');
            s.setAttribute(v as never, v as never);
            s.setAttributes(a as never);
            s.setAttributes(v as never);
            s.addEvent(v as never, a as never, v as never);
            s.addEvent('e', v as never);
            s.addLink(v as never);
            s.addLinks(v as never);
            s.addLinks([v, a] as never);
            s.setStatus(v as never);
            s.setStatus({ code: v, message: v } as never);
            s.recordException(v as never, v as never);
            s.updateName(v as never);
            s.spanContext();
            s.isRecording();
            s.end(v as never);
            s.end(v as never);
          },
          'context.with(v)': () => otelContext.with(v as never, () => 1),
          'trace.setSpan(active, v)': () => otelTrace.getSpan(otelTrace.setSpan(otelContext.active(), v as never)),
          'propagation.inject(v)': () => propagation.inject(otelContext.active(), v as never),
          'propagation.inject(a, setter v)': () => propagation.inject(otelTrace.setSpan(otelContext.active(), otelTracer.startSpan('p')), a as never, v as never),
          'propagation.extract(v)': () => propagation.extract(otelContext.active(), v as never),
          'propagation.extract(a, getter v)': () => propagation.extract(otelContext.active(), a as never, v as never),
          'counter.add(v, a)': () => oCounter.add(v as never, a as never),
          'counter.add(1, v)': () => oCounter.add(1, v as never),
          'updown.add(v, a)': () => oUpDown.add(v as never, a as never),
          'hist.record(v, a)': () => oHist.record(v as never, a as never),
          'gauge.record(v, a)': () => oGauge.record(v as never, a as never),
          'meter.createCounter(v)': () => meter.createCounter(v as never, v as never),
          'logger.emit(v)': () => otelLogger.emit(v as never),
          'logger.emit({hostile})': () => otelLogger.emit({ body: v, attributes: a, severityNumber: v, severityText: v, timestamp: v, observedTimestamp: v, context: v, exception: v } as never),
          'logger.emit({body: a})': () => otelLogger.emit({ body: a, attributes: b } as never),
        };
        noThrow(k, calls);
        obsArg = v;
        noThrow(k, { collect: () => monitor.metrics.collect({ temporality: 'cumulative' }) });
      }),
      { numRuns: RUNS },
    );
    obsArg = 1;
    counts.otel = RUNS;
    await exportsStillDecode();
  });

  it('traced/metered wrappers with hostile this/args, hook payloads, PerformanceMonitor.track/measure', async () => {
    const tFn = traced('fuzz.traced', function (this: unknown, ...args: unknown[]) {
      return args.length;
    }, { monitor });
    const mFn = metered('fuzz.metered', function (this: unknown, ...args: unknown[]) {
      return args.length;
    }, { monitor });
    const tThrow = traced('fuzz.traced.throw', (x: unknown) => {
      throw x;
    }, { monitor });
    const mReject = metered('fuzz.metered.reject', async (x: unknown) => Promise.reject(x), { monitor });
    const events = ['cache.hit', 'cache.miss', 'cache.set', 'cache.delete', 'events.publish', 'events.consume', 'sql.query', 'web.request', 'auth.login.success', 'auth.login.failure', 'queue.enqueue', 'queue.process', 'task.start', 'task.end'];
    await fc.assert(
      fc.asyncProperty(hostile, arg, arg, async (k, ra, rb) => {
        const v = make(k), a = make(ra), b = make(rb);
        const H = hooks as unknown as Record<string, (...x: unknown[]) => unknown>;
        const calls: Record<string, () => unknown> = {
          'traced.call(v, v, a)': () => tFn.call(v, v, a),
          'metered.call(a, v, b)': () => mFn.call(a, v, b),
          'traced throws v': () => {
            try {
              tThrow(v);
            } catch {
              /* the user's own throw */
            }
          },
          'metered rejects v': () => mReject(v),
          'hooks.emit(v, a)': () => H.emit(v, a),
          'perf.track(v, a).end(v)': () => (perf.track(v as never, a as never) as unknown as { end(x: unknown): void }).end(v),
          'perf.track(n, v).end()': () => perf.track('p', v as never).end(),
          'perf.measure(v, fn, a)': () => perf.measure(v as never, () => 1, a as never),
          'perf.measure(n, rejects v)': () => perf.measure('p', async () => Promise.reject(v)),
          'perf.measure(n, throws v)': () => {
            try {
              perf.measure('p', () => {
                throw v;
              });
            } catch {
              /* the user's own throw */
            }
          },
          'perf.stats(v)': () => perf.stats(v as never),
        };
        for (const e of events) {
          calls[`hooks.emit(${e}, v)`] = () => H.emit(e, v);
          calls[`hooks.emit(${e}, a)`] = () => H.emit(e, a);
          calls[`hooks.emit(${e}, {duration: v})`] = () => H.emit(e, { duration: v, durationMs: v, cache: v, query: v, queue: v, success: v, status: v, method: v, error: b, attributes: b });
        }
        for (const sugar of ['cacheHit', 'cacheMiss', 'sqlQuery', 'queueProcess', 'webRequest', 'taskEnd']) if (typeof H[sugar] === 'function') calls[`hooks.${sugar}(v)`] = () => H[sugar](v);
        noThrow(k, calls);
        await new Promise((r) => setTimeout(r, 0));
      }),
      { numRuns: RUNS },
    );
    counts.wrappersHooksPerf = RUNS;
    await exportsStillDecode();
  });

  // `new Scope(options)` read `options.name` / `options.attributes` unguarded: openScope() given
  // options that throw when read threw into the request (DESIGN §5). Now left out and counted.
  it('openScope() with options that throw when read does not throw, and counts them', () => {
    const before = droppedTotal();
    expect(() => monitor.openScope(MAKERS.revokedProxy() as never)).not.toThrow();
    expect(() => monitor.openScope(Object.defineProperty({}, 'attributes', { get: boom }) as never)).not.toThrow();
    expect(droppedTotal()).toBeGreaterThan(before);
  });
});
