/**
 * RPC methods of `instrument(class extends WorkerEntrypoint)`: in real workerd (miniflare 4), one
 * Worker calls another's entrypoint through a service binding and the callee exports OTLP/protobuf
 * to a local receiver, decoded with protobufjs from the official protos; then in-process, the
 * method selection and the guarantees that do not need a runtime (sync stays sync, a failing
 * monitor never breaks the call).
 */
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { contextStorage, setContextStorage } from '../../../src/context/active.js';
import { SynchronousStorage } from '../../../src/context/storage.js';
import { getActiveSpan, getRequestTelemetry, instrument, instrumentDO, type ExecutionContext } from '../index.js';
import { failAfter } from '../../test-support/hold.js';
import { holdAnswers } from '../../../test/otlp/helpers/held-answers.js';
import type { Received } from '../../../test/otlp/helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { logsOf, spansOf, waitFor, type DecodedSpan } from './helpers/telemetry.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

const SERVER = 2;
const CLIENT = 3;

/** The caller: a plain Worker that calls the callee's entrypoint through its service bindings. */
const CALLER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const auth = url.searchParams.get('via') === 'default' ? env.AUTH_DEFAULT : env.AUTH;
    try {
      switch (url.pathname) {
        case '/verify': return Response.json(await auth.verify(url.searchParams.get('token')));
        case '/deny': return Response.json(await auth.deny('nope'));
        case '/ping': return Response.json(await auth.ping());
        case '/version': return Response.json(await auth.version());
        case '/helped': return Response.json(await auth.helped());
      }
      return new Response('not found', { status: 404 });
    } catch (err) {
      return Response.json({ error: { name: err.name, message: err.message, isRangeError: err instanceof RangeError } }, { status: 500 });
    }
  },
};`;

/*
 * "The caller never waits for the export" is proven by the order of events: the receiver answers
 * no export until the caller's answer has been read. A callee that waited for its export could
 * not return while the answer is held: the export has no deadline of its own before
 * HELD_EXPORT_TIMEOUT_MS, and the monitor's flushTimeoutMs (25 s) is the first thing that could
 * end it. LIVENESS_MS only decides how soon such a callee fails the test.
 */
const HELD_EXPORT_TIMEOUT_MS = 60_000;
const LIVENESS_MS = 15_000;

const modes = [
  { name: 'nodejs_compat', flags: ['nodejs_compat'], als: true },
  { name: 'no compatibility flag', flags: [] as string[], als: false },
];

describe.each(modes)('workerd, WorkerEntrypoint RPC through a service binding, $name', (mode) => {
  let srv: TestServer;
  let mf: Miniflare;
  const spans = (): DecodedSpan[] => spansOf(srv);
  const call = async (path: string) => {
    const r = await mf.dispatchFetch(`http://caller.test${path}`);
    return { status: r.status, body: (await r.json()) as any };
  };

  beforeAll(async () => {
    srv = await startTestServer();
    const contents = await bundleWorker(fixture('worker-rpc.ts'));
    mf = new Miniflare({
      workers: [
        {
          name: 'caller',
          modules: true,
          script: CALLER,
          compatibilityDate: '2026-04-01',
          serviceBindings: { AUTH: { name: 'callee', entrypoint: 'Auth' }, AUTH_DEFAULT: 'callee' },
        },
        {
          name: 'callee',
          modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
          compatibilityDate: '2026-04-01',
          compatibilityFlags: mode.flags,
          kvNamespaces: ['KV'],
          bindings: { ECHO_URL: srv.url, OTEL_EXPORTER_OTLP_ENDPOINT: srv.url, OTEL_EXPORTER_OTLP_TIMEOUT: String(HELD_EXPORT_TIMEOUT_MS) },
        },
      ],
    });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  test('a SERVER span `Class.method` with the rpc attributes, a new trace; bindings, fetch, child spans and logs inside belong to it', async () => {
    const { status, body } = await call('/verify?token=good');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    const rpc = await waitFor(() => spans().find((s) => s.spanId === body.rpcSpan));
    expect(rpc.name).toBe('AuthService.verify');
    expect(rpc.kind).toBe(SERVER);
    expect(rpc.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': 'AuthService', 'rpc.method': 'verify' });
    expect(rpc.status?.code ?? 0).toBe(0);
    expect(rpc.events ?? []).toEqual([]);
    expect(rpc.parentSpanId).toBeFalsy(); // Workers RPC carries no trace context
    expect(rpc.resource['service.name']).toBe('cf-rpc');
    expect(BigInt(rpc.endTimeUnixNano)).toBeGreaterThan(BigInt(rpc.startTimeUnixNano));
    const trace = await waitFor(() => {
      const t = spans().filter((s) => s.traceId === rpc.traceId);
      return t.length >= 4 && t;
    });
    const check = trace.find((s) => s.name === 'check token')!;
    expect(check.spanId).toBe(body.checkSpan);
    expect(check.parentSpanId).toBe(rpc.spanId);
    expect(trace.find((s) => s.name === 'put KV')!.parentSpanId).toBe(rpc.spanId);
    const client = trace.find((s) => s.kind === CLIENT && s.attributes['url.full'] !== undefined)!;
    expect(client.parentSpanId).toBe(check.spanId);
    expect(body.traceparent).toBe(`00-${rpc.traceId}-${client.spanId}-01`);
    if (mode.als) expect(body.active).toBe(check.spanId); // AsyncLocalStorage: current across the await
    else expect(body.active).toBeNull();
    const log = await waitFor(() => logsOf(srv).find((l) => l.body === 'verifying'));
    expect(log.traceId).toBe(rpc.traceId);
    expect(log.spanId).toBe(rpc.spanId);
  });

  test('an exception reaches the caller unchanged; the span has ERROR status and an exception event', async () => {
    const { status, body } = await call('/deny');
    expect(status).toBe(500);
    expect(body.error).toEqual({ name: 'RangeError', message: 'denied: nope', isRangeError: true });
    const rpc = await waitFor(() => spans().find((s) => s.name === 'AuthService.deny'));
    expect(rpc.kind).toBe(SERVER);
    expect(rpc.status?.code).toBe(2);
    expect(rpc.status?.message).toBe('denied: nope');
    expect(rpc.attributes).toMatchObject({ 'rpc.method': 'deny', 'error.type': 'RangeError' });
    expect(rpc.events?.some((e) => e.name === 'exception')).toBe(true);
    // The span ended when the promise settled: after the KV write inside the method.
    const kv = await waitFor(() => spans().find((s) => s.name === 'put KV' && s.parentSpanId === rpc.spanId));
    expect(BigInt(rpc.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(kv.endTimeUnixNano));
  });

  test('a method the entrypoint calls on itself after an await gets no RPC span of its own (it made one in a new trace without AsyncLocalStorage)', async () => {
    const { status, body } = await call('/helped');
    expect(status).toBe(200);
    const rpc = await waitFor(() => spans().find((s) => s.name === 'AuthService.helped'));
    await waitFor(() => spans().find((s) => s.name === 'put KV' && s.parentSpanId === rpc.spanId));
    await new Promise((r) => setTimeout(r, 300)); // an export of a stray span would be in by now
    expect(spans().filter((s) => s.name === 'AuthService.helper')).toEqual([]);
    expect(body).toBe(mode.als ? rpc.spanId : null); // without AsyncLocalStorage nothing is current after the await
  });

  test('a method inherited from a base class of the user, a synchronous method, and the default entrypoint are traced', async () => {
    expect((await call('/ping')).body).toBe('pong');
    expect((await call('/version')).body).toBe('v1 traced');
    expect((await call('/verify?token=bad&via=default')).body.ok).toBe(false);
    const ping = await waitFor(() => spans().find((s) => s.name === 'AuthService.ping'));
    expect(ping.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': 'AuthService', 'rpc.method': 'ping' });
    expect((await waitFor(() => spans().find((s) => s.name === 'AuthService.version'))).kind).toBe(SERVER);
    await waitFor(() => spans().filter((s) => s.name === 'AuthService.verify').length >= 2);
  });

  test('the caller does not wait for the export (handed to this.ctx.waitUntil)', async () => {
    const pingSpans = () => spans().filter((s) => s.name === 'AuthService.ping').length;
    const before = pingSpans();
    await call('/ping'); // the isolate and its monitor are built
    await waitFor(() => pingSpans() > before, 8000); // and that call's export is in
    const hold = holdAnswers(srv);
    try {
      const answer = await failAfter(call('/ping'), LIVENESS_MS, "the caller waited for the callee's export (held until the answer was read)");
      expect(answer.body).toBe('pong');
      expect(hold.released).toBe(false); // the answer came while every export was unanswered
      hold.release();
      // The call's span still arrives: in a post answered after the caller had its answer.
      const pings = (q: Received) => spansOf({ requests: [q] } as unknown as TestServer).filter((s) => s.name === 'AuthService.ping').length;
      await waitFor(() => hold.answered.some((a) => pings(a.request) > 0), 8000);
    } finally {
      hold.stop();
    }
  });
});

describe('instrument(class extends WorkerEntrypoint) RPC methods in-process', () => {
  /** Stands in for `WorkerEntrypoint` from cloudflare:workers (the name is what the walk stops at). */
  class WorkerEntrypoint {
    constructor(
      protected ctx: ExecutionContext,
      protected env: unknown,
    ) {}
    /** A base-class method: not an RPC method of the user's class. */
    baseMethod(): string {
      return 'base';
    }
  }
  const fakeCtx = (): ExecutionContext & { pending: Promise<unknown>[] } => {
    const pending: Promise<unknown>[] = [];
    return { pending, waitUntil: (p) => void pending.push(p), passThroughOnException() {}, props: undefined };
  };
  const sym = Symbol('sym');

  class Shared extends WorkerEntrypoint {
    async inherited(): Promise<string> {
      return 'inherited';
    }
  }
  class Svc extends Shared {
    add(a: number, b: number): number {
      return a + b;
    }
    async later(x: number): Promise<number> {
      await new Promise((r) => setTimeout(r, 5));
      return x * 2;
    }
    boom(): never {
      throw new TypeError('sync boom');
    }
    nested(): number {
      return this.add(1, 1); // a call from inside a call: no second span
    }
    telemetry(): boolean {
      return getRequestTelemetry(this.ctx)?.span === getActiveSpan();
    }
    get label(): string {
      return 'svc';
    }
    _private(): string {
      return 'p';
    }
    [sym](): string {
      return 's';
    }
  }

  test('own and inherited user methods are wrapped; getters, constructor, _-prefixed, symbol-keyed and runtime-base methods are not', () => {
    const { monitor } = createTestMonitor();
    const I = instrument(Svc, monitor);
    const own = (n: PropertyKey) => Object.getOwnPropertyDescriptor(I.prototype, n);
    for (const n of ['add', 'later', 'boom', 'nested', 'inherited']) expect(typeof own(n)?.value, n).toBe('function');
    for (const n of ['label', '_private', sym, 'baseMethod']) expect(own(n), String(n)).toBeUndefined();
    expect(own('add')!.value.name).toBe('add');
    const svc = new I(fakeCtx(), {});
    expect(svc.label).toBe('svc');
    expect(svc.baseMethod()).toBe('base');
  });

  test('a span per call, a sync method stays sync, errors are rethrown unchanged, exports go to this.ctx.waitUntil', async () => {
    const { monitor, memory } = createTestMonitor();
    const ctx = fakeCtx();
    const svc = new (instrument(Svc, monitor))(ctx, {});
    expect(svc.add(2, 3)).toBe(5); // not a promise
    const p = svc.later(4);
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(8);
    expect(await svc.inherited()).toBe('inherited');
    let thrown: unknown;
    try {
      svc.boom();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toBe('sync boom');
    expect(svc.nested()).toBe(2);
    expect(svc.telemetry()).toBe(true);
    expect(ctx.pending).toHaveLength(6);
    await Promise.all(ctx.pending);
    const names = memory.spans.map((s) => s.name).sort();
    expect(names).toEqual(['Svc.add', 'Svc.boom', 'Svc.inherited', 'Svc.later', 'Svc.nested', 'Svc.telemetry']);
    const add = memory.spans.find((s) => s.name === 'Svc.add')!;
    expect(add.kind).toBe(2);
    expect(add.parentSpanId).toBeUndefined();
    expect(add.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': 'Svc', 'rpc.method': 'add' });
    const boom = memory.spans.find((s) => s.name === 'Svc.boom')!;
    expect(boom.status).toEqual({ code: 2, message: 'sync boom' });
    expect(boom.events.some((e) => e.name === 'exception')).toBe(true);
  });

  test('without AsyncLocalStorage, a method the instance calls on itself while serving its call (after an await) opens no invocation', async () => {
    // workerd makes one WorkerEntrypoint instance per incoming call: while it serves that call,
    // a call of its methods is the app's own (`this.helper()`), not another RPC call.
    const prev = contextStorage();
    setContextStorage(new SynchronousStorage());
    try {
      const { monitor, memory } = createTestMonitor();
      const tick = () => new Promise((r) => setTimeout(r, 1));
      class Self extends WorkerEntrypoint {
        async fetch(_request: Request): Promise<Response> {
          await tick();
          return new Response(String(this.helper()));
        }
        async rpc(): Promise<number> {
          await tick();
          return this.helper();
        }
        helper(): number {
          return 1;
        }
      }
      const I = instrument(Self, monitor);
      const ctx = fakeCtx();
      expect(await (await new I(ctx, {}).fetch(new Request('http://x/'))).text()).toBe('1');
      expect(await new I(ctx, {}).rpc()).toBe(1);
      const again = new I(ctx, {});
      expect(again.helper()).toBe(1); // called by the runtime: a span of its own
      expect(again.helper()).toBe(1); // and so is the next call once the first has settled
      await Promise.all(ctx.pending);
      await monitor.flush();
      expect(memory.spans.map((s) => s.name).sort()).toEqual(['GET', 'Self.helper', 'Self.helper', 'Self.rpc']);
    } finally {
      setContextStorage(prev);
    }
  });

  test('the monitor never breaks the call: when its telemetry fails, the method runs once and returns its value', async () => {
    const { monitor } = createTestMonitor();
    const calls: string[] = [];
    class Flaky extends WorkerEntrypoint {
      count(n: number): number {
        calls.push(`count ${n}`);
        return n + 1;
      }
      failSync(): never {
        calls.push('failSync');
        throw new RangeError('own error');
      }
      async fail(): Promise<void> {
        calls.push('fail');
        throw new RangeError('own async error');
      }
    }
    const svc = new (instrument(Flaky, monitor))(fakeCtx(), {});
    // The method's own exception is rethrown, and the method ran once.
    expect(() => svc.failSync()).toThrow(new RangeError('own error'));
    await expect(svc.fail()).rejects.toThrow(new RangeError('own async error'));
    expect(calls).toEqual(['failSync', 'fail']);
    monitor.openScope = () => {
      throw new Error('telemetry is broken');
    };
    expect(svc.count(1)).toBe(2);
    expect(() => svc.failSync()).toThrow(new RangeError('own error'));
    await expect(svc.fail()).rejects.toThrow(new RangeError('own async error'));
    expect(calls).toEqual(['failSync', 'fail', 'count 1', 'failSync', 'fail']);
    // A ctx whose waitUntil throws: the value still comes back.
    const { monitor: m2 } = createTestMonitor();
    const broken = new (instrument(Flaky, m2))(
      {
        waitUntil: () => {
          throw new Error('no waitUntil');
        },
        passThroughOnException() {},
        props: undefined,
      },
      {},
    );
    expect(broken.count(5)).toBe(6);
    expect(await broken.fail().catch((e: Error) => e.message)).toBe('own async error');
    expect(calls.slice(5)).toEqual(['count 5', 'fail']);
  });

  test('RPC methods named like handlers (email, queue, scheduled, tail) get their own arguments, and an RPC span; the runtime event still goes to the handler', async () => {
    const { monitor, memory } = createTestMonitor();
    class Mailer extends WorkerEntrypoint {
      email(...args: unknown[]): unknown[] {
        return args;
      }
      queue(...args: unknown[]): unknown[] {
        return args;
      }
      scheduled(...args: unknown[]): unknown[] {
        return args;
      }
      tail(...args: unknown[]): unknown[] {
        return args;
      }
    }
    const ctx = fakeCtx();
    const mailer = new (instrument(Mailer, monitor))(ctx, {}) as unknown as Mailer;
    expect(mailer.email('a@b.c', 'Hello', 'Body')).toEqual(['a@b.c', 'Hello', 'Body']);
    expect(mailer.queue('jobs', 'payload')).toEqual(['jobs', 'payload']);
    expect(mailer.scheduled('now')).toEqual(['now']);
    expect(mailer.tail('x', 'y')).toEqual(['x', 'y']);
    // The runtime's own event: the handler gets it and its telemetry.
    const batch = { queue: 'jobs', messages: [] };
    const [received, telemetry] = (await mailer.queue(batch)) as [unknown, { span?: unknown }];
    expect(received).toBe(batch);
    expect(telemetry.span).toBeDefined();
    // A test's stub controller (no cron) is still the runtime's event, not an RPC call.
    const stub = { scheduledTime: Date.now() };
    const [controller, t2] = (await mailer.scheduled(stub)) as [unknown, { span?: unknown }];
    expect(controller).toBe(stub);
    expect(t2.span).toBeDefined();
    await Promise.all(ctx.pending);
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['Mailer.email', 'Mailer.queue', 'Mailer.scheduled', 'Mailer.tail', 'process jobs', 'scheduled']);
  });

  test('instrument() of a class extending DurableObject is instrumentDO(): alarm gets its timer span, not an RPC one', async () => {
    const { monitor, memory } = createTestMonitor();
    class DurableObject {
      constructor(
        readonly state: unknown,
        readonly env: unknown,
      ) {}
    }
    class Room extends DurableObject {
      async alarm(): Promise<void> {}
    }
    const state = fakeCtx();
    const room = new (instrument(Room, monitor))(state, {}) as unknown as Room;
    await room.alarm();
    await Promise.all(state.pending);
    await monitor.flush();
    expect(memory.spans.map((s) => [s.name, s.attributes['faas.trigger'], s.attributes['rpc.system']])).toEqual([['Room.alarm', 'timer', undefined]]);
  });

  test('without AsyncLocalStorage, a Durable Object\'s export waits for what its fetch hands to this.ctx.waitUntil before its first await, not for what comes after', async () => {
    const prev = contextStorage();
    setContextStorage(new SynchronousStorage());
    try {
      const { monitor } = createTestMonitor();
      let early = false;
      let open!: () => void;
      class Room {
        constructor(readonly ctx: { waitUntil(p: Promise<unknown>): void }, readonly env: unknown) {}
        async fetch(_request: Request): Promise<Response> {
          this.ctx.waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => (early = true)));
          await Promise.resolve();
          // No scope is current here without AsyncLocalStorage: this work is another invocation's as much as this one's.
          this.ctx.waitUntil(new Promise<void>((r) => (open = r)));
          return new Response('ok');
        }
      }
      const state = fakeCtx();
      const room = new (instrumentDO(Room, monitor))(state, {});
      expect(await (await room.fetch(new Request('http://do/'))).text()).toBe('ok');
      expect(state.pending).toHaveLength(3); // the two handed over, then the export
      await state.pending[2];
      expect(early).toBe(true);
      open();
    } finally {
      setContextStorage(prev);
    }
  });

  test("a hand-made state without waitUntil is left without one: the object's own `this.ctx.waitUntil?.()` is skipped, not thrown", async () => {
    const { monitor } = createTestMonitor();
    class Room {
      constructor(readonly ctx: { waitUntil?(p: Promise<unknown>): void }, readonly env: unknown) {}
      ping(): string {
        this.ctx.waitUntil?.(Promise.resolve());
        return 'pong';
      }
    }
    const state: { waitUntil?: unknown } = {};
    const room = new (instrumentDO(Room, monitor))(state as never, {}) as unknown as Room;
    expect(state.waitUntil).toBeUndefined();
    expect(room.ping()).toBe('pong');
  });

  test('instrumentDO shares the code: RPC methods from a user base class are wrapped, the DurableObject base is not walked', async () => {
    const { monitor, memory } = createTestMonitor();
    class DurableObject {
      constructor(
        readonly state: unknown,
        readonly env: unknown,
      ) {}
      baseMethod(): string {
        return 'base';
      }
    }
    class RoomBase extends DurableObject {
      async shared(): Promise<string> {
        return 'shared';
      }
    }
    class Room extends RoomBase {
      own(): number {
        return 1;
      }
    }
    const I = instrumentDO(Room, monitor);
    expect(Object.getOwnPropertyDescriptor(I.prototype, 'baseMethod')).toBeUndefined();
    const state = fakeCtx();
    const room = new I(state, {});
    expect(room.own()).toBe(1);
    expect(await room.shared()).toBe('shared');
    await Promise.all(state.pending);
    expect(memory.spans.map((s) => [s.name, s.attributes['cloudflare.durable_object.class'], s.attributes['rpc.method']]).sort()).toEqual([
      ['Room.own', 'Room', 'own'],
      ['Room.shared', 'Room', 'shared'],
    ]);
  });
});
