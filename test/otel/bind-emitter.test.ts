/**
 * `context.bind(ctx, emitter)`: listeners added after the bind run in `ctx`, whichever context
 * emits, as with the SDK's AsyncHooksContextManager (`_bindEventEmitter`).
 * `@opentelemetry/instrumentation-http` binds the request and response emitters this way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { context, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setContextStorage, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor, type MemoryBackend } from '../../src/testing/index.js';

let monitor: Monitor;
let memory: MemoryBackend;

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

beforeEach(() => {
  ({ monitor, memory } = createTestMonitor());
  expect(registerOpenTelemetry(monitor)).toBe(true);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

/** A context holding a fresh API span, and that span's id. */
function serverContext(name = 'server'): { ctx: Context; spanId: string; end: () => void } {
  const span = trace.getTracer('http').startSpan(name);
  return { ctx: trace.setSpan(ROOT_CONTEXT, span), spanId: span.spanContext().spanId, end: () => span.end() };
}

/** Emits from the root context on a later turn, as a socket parser does. */
function emitLater(ee: { emit(event: string, ...args: unknown[]): unknown }, event: string, ...args: unknown[]): Promise<void> {
  return new Promise((resolve) =>
    context.with(ROOT_CONTEXT, () =>
      setImmediate(() => {
        ee.emit(event, ...args);
        resolve();
      }),
    ),
  );
}

const activeId = () => trace.getActiveSpan()?.spanContext().spanId;

describe('context.bind(ctx, EventEmitter)', () => {
  it("spans started in a bound request's 'data' and 'end' listeners are children of the server span", async () => {
    const scope = monitor.openScope();
    let req!: EventEmitter;
    let server!: ReturnType<typeof serverContext>;
    scope.run(() => {
      server = serverContext();
      req = context.bind(server.ctx, new EventEmitter());
    });
    // listeners added outside the request's context, later
    req.on('data', () => trace.getTracer('app').startSpan('on-data').end());
    req.on('end', () => trace.getTracer('app').startSpan('on-end').end());
    await emitLater(req, 'data', 'chunk');
    await emitLater(req, 'end');
    server.end();
    await scope.close();
    const byName = Object.fromEntries(memory.spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['on-data', 'on-end', 'server']);
    expect(byName['on-data']!.parentSpanId).toBe(server.spanId);
    expect(byName['on-end']!.parentSpanId).toBe(server.spanId);
    expect(byName['on-end']!.traceId).toBe(byName['server']!.traceId);
  });

  it('every add method binds: on, addListener, prependListener, once, prependOnceListener', async () => {
    const server = serverContext();
    const ee = context.bind(server.ctx, new EventEmitter());
    const seen: [string, string | undefined][] = [];
    ee.on('e', () => seen.push(['on', activeId()]));
    ee.addListener('e', () => seen.push(['addListener', activeId()]));
    ee.prependListener('e', () => seen.push(['prependListener', activeId()]));
    ee.once('e', () => seen.push(['once', activeId()]));
    ee.prependOnceListener('e', () => seen.push(['prependOnceListener', activeId()]));
    await emitLater(ee, 'e');
    await emitLater(ee, 'e');
    expect(seen.map(([m]) => m)).toEqual(['prependOnceListener', 'prependListener', 'on', 'addListener', 'once', 'prependListener', 'on', 'addListener']);
    for (const [m, id] of seen) expect([m, id]).toEqual([m, server.spanId]);
    server.end();
  });

  it('arguments and `this` reach the listener', async () => {
    const server = serverContext();
    const ee = context.bind(server.ctx, new EventEmitter());
    let got: unknown[] = [];
    let self: unknown;
    ee.on('e', function (this: unknown, ...args: unknown[]) {
      got = args;
      self = this;
    });
    await emitLater(ee, 'e', 1, 'two');
    expect(got).toEqual([1, 'two']);
    expect(self).toBe(ee);
    server.end();
  });

  it('removeListener and off remove the bound listener given the original; once listeners too', async () => {
    const server = serverContext();
    const ee = context.bind(server.ctx, new EventEmitter());
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    const c = () => calls.push('c');
    ee.on('e', a);
    ee.on('e', b);
    ee.once('e', c);
    expect(ee.listenerCount('e')).toBe(3);
    ee.removeListener('e', a);
    ee.off('e', b);
    ee.removeListener('e', c); // Node finds a once listener through its wrapper's `listener`
    expect(ee.listenerCount('e')).toBe(0);
    await emitLater(ee, 'e');
    expect(calls).toEqual([]);
    server.end();
  });

  it('removeAllListeners(event) and removeAllListeners() forget the bound listeners; adding again binds again', async () => {
    const server = serverContext();
    const ee = context.bind(server.ctx, new EventEmitter());
    ee.on('a', () => {});
    ee.on('b', () => {});
    ee.removeAllListeners('a');
    expect(ee.listenerCount('a')).toBe(0);
    expect(ee.listenerCount('b')).toBe(1);
    ee.removeAllListeners();
    expect(ee.listenerCount('b')).toBe(0);
    let id: string | undefined;
    ee.on('a', () => (id = activeId()));
    await emitLater(ee, 'a');
    expect(id).toBe(server.spanId);
    server.end();
  });

  it('binding the same emitter twice does not wrap twice: the first context holds, each listener runs once', async () => {
    const first = serverContext('first');
    const second = serverContext('second');
    const ee = new EventEmitter();
    expect(context.bind(first.ctx, ee)).toBe(ee);
    const on = ee.on;
    expect(context.bind(second.ctx, ee)).toBe(ee);
    expect(ee.on).toBe(on);
    const ids: (string | undefined)[] = [];
    const l = () => ids.push(activeId());
    ee.on('e', l);
    await emitLater(ee, 'e');
    expect(ids).toEqual([first.spanId]);
    ee.off('e', l);
    expect(ee.listenerCount('e')).toBe(0);
    first.end();
    second.end();
  });

  it('listeners added before the bind keep running in the emitting context', async () => {
    const server = serverContext();
    const ee = new EventEmitter();
    let id: string | undefined = 'unset';
    ee.on('e', () => (id = activeId()));
    context.bind(server.ctx, ee);
    await emitLater(ee, 'e');
    expect(id).toBeUndefined();
    server.end();
  });

  it('any emitter-like object is bound (duck-typed: on/removeListener/emit), not only node:events', async () => {
    class Tiny {
      private readonly map = new Map<string, ((...a: unknown[]) => void)[]>();
      on(e: string, f: (...a: unknown[]) => void): this {
        this.map.set(e, [...(this.map.get(e) ?? []), f]);
        return this;
      }
      removeListener(e: string, f: (...a: unknown[]) => void): this {
        this.map.set(e, (this.map.get(e) ?? []).filter((g) => g !== f));
        return this;
      }
      emit(e: string, ...a: unknown[]): boolean {
        for (const f of this.map.get(e) ?? []) f(...a);
        return true;
      }
      count(e: string): number {
        return this.map.get(e)?.length ?? 0;
      }
    }
    const server = serverContext();
    const ee = context.bind(server.ctx, new Tiny());
    let id: string | undefined;
    const l = () => (id = activeId());
    ee.on('e', l);
    await emitLater(ee, 'e');
    expect(id).toBe(server.spanId);
    ee.removeListener('e', l);
    expect(ee.count('e')).toBe(0);
    server.end();
  });

  it('other objects come back unchanged', () => {
    const plain = { on: 1, x: 2 };
    expect(context.bind(ROOT_CONTEXT, plain)).toBe(plain);
    expect(context.bind(ROOT_CONTEXT, plain)).toEqual({ on: 1, x: 2 });
    expect(context.bind(ROOT_CONTEXT, null)).toBe(null);
    const frozen = Object.freeze(new EventEmitter());
    expect(() => context.bind(ROOT_CONTEXT, frozen)).not.toThrow();
  });
});
