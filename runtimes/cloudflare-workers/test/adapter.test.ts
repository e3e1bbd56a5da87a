/**
 * The adapter's logic in-process (Node, AsyncLocalStorage found through getBuiltinModule), with
 * fake bindings: detection, the onBindingCall seam, option switches and handler shapes.
 * The real-runtime behaviour is in workerd.test.ts.
 */
import { describe, expect, test, vi } from 'vitest';
import { createTestMonitor, MemoryBackend } from '../../../src/testing/index.js';
import { createMonitor, extractContext, injectContext, type HeadersInput } from '../../../src/index.js';
import { instrument, instrumentDO, getRequestTelemetry, type BindingCallEvent, type ExecutionContext } from '../index.js';
import { detectBinding } from '../src/detect.js';
import { HookRegistry } from '../../../src/hooks/registry.js';
import { OtlpBackend } from '../../../src/exporters/otlp/index.js';
import { startReceiver } from '../../test-support/receiver.js';

function fakeCtx(): ExecutionContext & { pending: Promise<unknown>[] } {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p) => void pending.push(p), passThroughOnException() {}, props: undefined };
}

class FakeKV {
  store = new Map<string, string>();
  async get(k: string) {
    return this.store.get(k) ?? null;
  }
  async put(k: string, v: string) {
    this.store.set(k, v);
  }
  async delete(k: string) {
    this.store.delete(k);
  }
  async list() {
    return { keys: [] };
  }
  async getWithMetadata(k: string) {
    return { value: this.store.get(k) ?? null, metadata: null };
  }
}

class FakeStatement {
  constructor(readonly sql: string, readonly values: unknown[] = []) {}
  bind(...v: unknown[]) {
    return new FakeStatement(this.sql, v);
  }
  async first() {
    return { sql: this.sql, values: this.values };
  }
  async all() {
    return { results: [] };
  }
  async run() {
    return { success: true };
  }
  async raw() {
    return [];
  }
}
class FakeD1 {
  batches: unknown[][] = [];
  prepare(sql: string) {
    return new FakeStatement(sql);
  }
  async batch(list: unknown[]) {
    this.batches.push(list);
    return list.map(() => ({ success: true }));
  }
  async exec(_sql: string) {
    return { count: 1 };
  }
}

/** workerd's WorkflowImpl and InstanceImpl: classes whose methods reach their engine through `this`. */
class FakeInstance {
  #engine: Map<string, string>;
  constructor(readonly id: string, engine: Map<string, string>) {
    this.#engine = engine;
  }
  async status() {
    return { status: this.#engine.get(this.id) };
  }
  async sendEvent(_e: { type: string; payload: unknown }) {}
}
class FakeWorkflow {
  engine = new Map<string, string>();
  async create(o: { id: string; params?: unknown }) {
    this.engine.set(o.id, 'queued');
    return new FakeInstance(o.id, this.engine);
  }
  async createBatch(list: { id: string; params?: unknown }[]) {
    return Promise.all(list.map((o) => this.create(o)));
  }
  async get(id: string) {
    if (!this.engine.has(id)) throw new Error('instance.not_found');
    return new FakeInstance(id, this.engine);
  }
}

/** A service binding answers every property with a function, like workerd's RPC stubs. */
function fakeFetcher(): object {
  const target = { fetch: async (req: Request) => new Response(req.headers.get('traceparent') ?? 'none'), connect: () => {} };
  return new Proxy(target, { get: (t, p) => (p in t ? (t as Record<PropertyKey, unknown>)[p] : () => 'rpc') });
}

describe('binding detection (duck typing on method names, not on property reads)', () => {
  test('KV, D1 and service bindings are told apart; vars and plain objects are not bindings', () => {
    expect(detectBinding(new FakeKV())).toBe('kv');
    expect(detectBinding(new FakeD1())).toBe('d1');
    expect(detectBinding(fakeFetcher())).toBe('service');
    expect(detectBinding({ send() {}, sendBatch() {} })).toBe('queue');
    expect(detectBinding({ head() {}, get() {}, put() {}, delete() {}, list() {} })).toBe('r2');
    expect(detectBinding({ idFromName() {}, get() {}, newUniqueId() {} })).toBe('durable_object');
    expect(detectBinding(new FakeWorkflow())).toBe('workflow');
    expect(detectBinding('a string')).toBeUndefined();
    expect(detectBinding({ a: 1 })).toBeUndefined();
  });
});

describe('instrument() with hooks (monitor.subscribeHooks)', () => {
  test('binding calls feed the cache and sql hook metrics without a second span', async () => {
    const { monitor, memory } = createTestMonitor();
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    const worker = instrument(
      {
        async fetch(_req: Request, env: { KV: FakeKV; DB: FakeD1 }) {
          await env.KV.put('k', 'v');
          await env.KV.get('k');
          await env.KV.get('missing');
          await env.KV.delete('k');
          await env.DB.prepare('SELECT * FROM t WHERE id = ?').bind(1).first();
          return new Response('ok');
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    const res = await worker.fetch!(new Request('http://x/'), { KV: new FakeKV(), DB: new FakeD1() }, ctx);
    expect(await res.text()).toBe('ok');
    await Promise.all(ctx.pending);
    const metrics = memory.metrics!.metrics;
    const value = (name: string) => (metrics.find((m) => m.name === name)?.points[0] as { value: number } | undefined)?.value;
    expect(value('cache_hits_total')).toBe(1);
    expect(value('cache_misses_total')).toBe(1);
    expect(value('cache_sets_total')).toBe(1);
    expect(value('cache_deletes_total')).toBe(1);
    expect(value('sql_queries_total')).toBe(1);
    expect(metrics.find((m) => m.name === 'sql_queries_total')!.points[0].attributes).toMatchObject({ database: 'DB', operation: 'SELECT' });
    // The D1 span comes from the binding instrumentation only.
    expect(memory.spans.filter((s) => s.kind === 3 && /SELECT/.test(s.name))).toHaveLength(1);
  });
});

describe('instrument() in-process', () => {
  test('onBindingCall gets KV hits and misses and D1 statements without bound values; batch gets native statements', async () => {
    const { monitor, memory } = createTestMonitor();
    const events: BindingCallEvent[] = [];
    const d1 = new FakeD1();
    const kv = new FakeKV();
    const worker = instrument(
      {
        async fetch(_req: Request, env: { KV: FakeKV; DB: FakeD1 }) {
          await env.KV.put('k', 'v');
          await env.KV.get('k');
          await env.KV.get('missing');
          const row = await env.DB.prepare('SELECT * FROM t WHERE id = ?').bind('secret-bound-value').first();
          await env.DB.batch([env.DB.prepare('SELECT 1')]);
          return Response.json(row);
        },
      },
      monitor,
      { onBindingCall: (e) => events.push(e) },
    );
    const ctx = fakeCtx();
    const res = await worker.fetch!(new Request('http://x/'), { KV: kv, DB: d1 }, ctx);
    expect(await res.json()).toEqual({ sql: 'SELECT * FROM t WHERE id = ?', values: ['secret-bound-value'] });
    await Promise.all(ctx.pending);
    expect(events.map((e) => `${e.type} ${e.operation} ${e.hit ?? ''}`)).toEqual(['kv put ', 'kv get true', 'kv get false', 'd1 first ', 'd1 batch ']);
    expect(events[3].query).toBe('SELECT * FROM t WHERE id = ?');
    expect(events[4].query).toBe('SELECT ?');
    expect(d1.batches[0][0]).toBeInstanceOf(FakeStatement);
    const server = memory.spans.find((s) => s.kind === 2)!;
    const select = memory.spans.find((s) => s.name === 'SELECT DB')!;
    expect(select.parentSpanId).toBe(server.spanId);
    expect(JSON.stringify(memory.spans)).not.toContain('secret-bound-value');
  });

  test('KV, R2 and D1 spans follow the stable database conventions: db.system.name, `{operation} {namespace}`, a batch as BATCH with its size', async () => {
    const { monitor, memory } = createTestMonitor();
    const r2 = { get: async () => null, head: async () => null, put: async () => ({}), delete: async () => {}, list: async () => ({ objects: [] }), createMultipartUpload: async () => ({}) };
    const worker = instrument(
      {
        async fetch(_req: Request, env: { KV: FakeKV; DB: FakeD1; R2: typeof r2 }) {
          await env.KV.get('k');
          await env.R2.head();
          await env.DB.prepare('SELECT 1').first();
          const ins = (n: number) => env.DB.prepare('INSERT INTO t VALUES (?)').bind(n);
          await env.DB.batch([ins(1), ins(2)]);
          await env.DB.batch([ins(3), env.DB.prepare('DELETE FROM t')]);
          await env.DB.batch([ins(4)]);
          await env.DB.batch([]);
          return new Response('ok');
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    await worker.fetch!(new Request('http://x/'), { KV: new FakeKV(), DB: new FakeD1(), R2: r2 }, ctx);
    await Promise.all(ctx.pending);
    const db = memory.spans.filter((s) => s.kind === 3).map((s) => [s.name, s.attributes['db.system.name'], s.attributes['db.operation.name'], s.attributes['db.operation.batch.size']]);
    expect(db).toEqual([
      ['get KV', 'cloudflare.kv', 'get', undefined],
      ['head R2', 'cloudflare.r2', 'head', undefined],
      ['SELECT DB', 'cloudflare.d1', 'SELECT', undefined],
      ['BATCH INSERT DB', 'cloudflare.d1', 'BATCH INSERT', 2],
      ['BATCH DB', 'cloudflare.d1', 'BATCH', 2],
      // A batch of one is that one operation; an empty one is a batch of size 0.
      ['INSERT DB', 'cloudflare.d1', 'INSERT', undefined],
      ['BATCH DB', 'cloudflare.d1', 'BATCH', 0],
    ]);
    expect(memory.spans.some((s) => 'db.system' in s.attributes)).toBe(false);
  });

  test('D1 SQL with values written into it is recorded with its literals replaced by ?, in spans and in onBindingCall', async () => {
    const { monitor, memory } = createTestMonitor();
    const events: BindingCallEvent[] = [];
    const worker = instrument(
      {
        async fetch(_req: Request, env: { DB: FakeD1 }) {
          await env.DB.exec("UPDATE users SET email = 'a@secret.example', score = 42.5 WHERE id = 7");
          await env.DB.prepare("SELECT * FROM t1 WHERE token = 'tok''en-secret' AND n > 99 AND k = ?1 AND m = :m").bind(3).all();
          return new Response('ok');
        },
      },
      monitor,
      { onBindingCall: (e) => events.push(e) },
    );
    const ctx = fakeCtx();
    await worker.fetch!(new Request('http://x/'), { DB: new FakeD1() }, ctx);
    await Promise.all(ctx.pending);
    const texts = memory.spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.d1').map((s) => s.attributes['db.query.text']);
    expect(texts).toEqual(['UPDATE users SET email = ?, score = ? WHERE id = ?', 'SELECT * FROM t1 WHERE token = ? AND n > ? AND k = ?1 AND m = :m']);
    expect(events.map((e) => e.query)).toEqual(texts);
    expect(memory.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['exec DB', 'SELECT DB']));
    // Attributes only: the random hex ids may well contain "99".
    expect(JSON.stringify(memory.spans.map((s) => s.attributes))).not.toMatch(/secret|42\.5|99/);
  });

  test('a Workflow binding: create, createBatch, get and the instances\' methods get CLIENT spans and onBindingCall events with the instance id, never the params; an instance keeps its identity', async () => {
    const { monitor, memory } = createTestMonitor();
    const events: BindingCallEvent[] = [];
    const wf = new FakeWorkflow();
    const worker = instrument(
      {
        async fetch(_req: Request, env: { WF: FakeWorkflow }) {
          const i = await env.WF.create({ id: 'a', params: { secret: 'params-secret' } });
          const batch = await env.WF.createBatch([{ id: 'b' }, { id: 'c' }]);
          await batch[1]!.status();
          const got = await env.WF.get('a');
          await got.sendEvent({ type: 'go', payload: 'payload-secret' });
          const err = await env.WF.get('none').catch((e: Error) => e.message);
          return Response.json([i.id, i.status === i.status, (await got.status()).status, err]);
        },
      },
      monitor,
      { onBindingCall: (e) => events.push(e) },
    );
    const ctx = fakeCtx();
    expect(await (await worker.fetch!(new Request('http://x/'), { WF: wf }, ctx)).json()).toEqual(['a', true, 'queued', 'instance.not_found']);
    await Promise.all(ctx.pending);
    expect(events.map((e) => `${e.type} ${e.binding} ${e.operation}${e.error ? ' !' : ''}`)).toEqual([
      'workflow WF create', 'workflow WF createBatch', 'workflow WF status', 'workflow WF get', 'workflow WF sendEvent', 'workflow WF get !', 'workflow WF status',
    ]);
    const spans = memory.spans.filter((s) => s.name.startsWith('workflow '));
    expect(spans.map((s) => `${s.name} ${s.attributes['cloudflare.workflow.instance_id']}`)).toEqual([
      'workflow create a', 'workflow createBatch undefined', 'workflow status c', 'workflow get a', 'workflow sendEvent a', 'workflow get none', 'workflow status a',
    ]);
    expect(spans.every((s) => s.kind === 3 && s.attributes['cloudflare.workflow.name'] === 'WF')).toBe(true);
    expect(JSON.stringify(memory.spans)).not.toMatch(/params-secret|payload-secret/);
    const off = instrument({ fetch: async (_r: Request, env: { WF: FakeWorkflow }) => new Response(String(env.WF === wf)) }, monitor, { instrumentBindings: false });
    expect(await (await off.fetch!(new Request('http://x/'), { WF: wf }, fakeCtx())).text()).toBe('true');
  });

  test('instrumentBindings: false leaves env untouched; a service binding fetch carries traceparent unless denied', async () => {
    const { monitor, memory } = createTestMonitor();
    const kv = new FakeKV();
    const off = instrument({ fetch: async (_r: Request, env: { KV: FakeKV }) => new Response(String(env.KV === kv)) }, monitor, { instrumentBindings: false });
    expect(await (await off.fetch!(new Request('http://x/'), { KV: kv }, fakeCtx())).text()).toBe('true');

    const svc = fakeFetcher() as { fetch(u: string): Promise<Response> };
    const handler = { fetch: async (_r: Request, env: { SVC: { fetch(u: string): Promise<Response> } }) => env.SVC.fetch('http://internal.test/') };
    const allowed = instrument(handler, monitor);
    expect(await (await allowed.fetch!(new Request('http://x/'), { SVC: svc }, fakeCtx())).text()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const denied = instrument(handler, monitor, { propagateTo: { deny: ['internal.test'] } });
    expect(await (await denied.fetch!(new Request('http://x/'), { SVC: svc }, fakeCtx())).text()).toBe('none');
    await monitor.flush();
    expect(memory.spans.filter((s) => s.attributes['peer.service'] === 'SVC')).toHaveLength(2);
  });

  test('the handler gets its telemetry as 4th argument and through getRequestTelemetry(ctx); nothing is built before the first call', async () => {
    const factory = vi.fn(() => createTestMonitor().monitor);
    const ctx = fakeCtx();
    const worker = instrument({ fetch: async (_r: Request, _e: unknown, c: ExecutionContext, t) => new Response(String(getRequestTelemetry(c) === t && t.span.isRecording())) }, factory);
    expect(factory).not.toHaveBeenCalled(); // CF-03: no work at module load
    expect(await (await worker.fetch!(new Request('http://x/'), {}, ctx)).text()).toBe('true');
    await worker.fetch!(new Request('http://x/'), {}, fakeCtx());
    expect(factory).toHaveBeenCalledTimes(1); // once per isolate
    expect(ctx.pending).toHaveLength(1); // one flush handed to waitUntil
  });

  test("the handler's own ctx.waitUntil work leaves with each export; a ctx used for several invocations gets its waitUntil back after each (no chain)", async () => {
    const { monitor, memory } = createTestMonitor();
    const ctx = fakeCtx();
    const original = ctx.waitUntil;
    const worker = instrument({ fetch: async (_r: Request, _e: unknown, c: ExecutionContext, t) => (c.waitUntil(new Promise((r) => setTimeout(r, 5)).then(() => t.monitor.tracer.startSpan('late').end())), new Response('ok')) }, monitor);
    for (let i = 1; i <= 3; i++) {
      await worker.fetch!(new Request('http://x/'), {}, ctx);
      expect(ctx.pending).toHaveLength(2 * i); // the work, as the runtime gets it, and the export
      await Promise.all(ctx.pending);
      expect(memory.spans.filter((s) => s.name === 'late')).toHaveLength(i);
      expect(ctx.waitUntil).toBe(original);
    }
    // A frozen ctx takes no waitUntil of the monitor's: its work is the runtime's alone, as before.
    const frozen = Object.freeze(fakeCtx());
    await worker.fetch!(new Request('http://x/'), {}, frozen);
    expect(frozen.pending).toHaveLength(2);
    // waitUntilTimeoutMs: 0 leaves ctx as it is; the export does not wait (the span leaves later).
    const untouched = fakeCtx();
    const seen: unknown[] = [];
    const off = instrument({ fetch: async (_r: Request, _e: unknown, c: ExecutionContext) => (seen.push(c.waitUntil), c.waitUntil(new Promise((r) => setTimeout(r, 5)).then(() => monitor.tracer.startSpan('late').end())), new Response('ok')) }, monitor, { waitUntilTimeoutMs: 0 });
    await off.fetch!(new Request('http://x/'), {}, untouched);
    await Promise.all(untouched.pending);
    expect(seen).toEqual([untouched.waitUntil]);
    // Neither this span nor the frozen ctx's left with their invocation; the next export takes them.
    expect(memory.spans.filter((s) => s.name === 'late')).toHaveLength(3);
    await monitor.flush();
    expect(memory.spans.filter((s) => s.name === 'late')).toHaveLength(5);
  });

  test('a promise whose constructor getter throws, handed to ctx.waitUntil, does not hold the export until waitUntilTimeoutMs', async () => {
    const { monitor, memory } = createTestMonitor();
    const ctx = fakeCtx();
    const odd = Promise.resolve();
    Object.defineProperty(odd, 'constructor', { get: () => { throw new Error('no constructor'); } });
    const worker = instrument(
      { fetch: async (_r: Request, _e: unknown, c: ExecutionContext, t) => (c.waitUntil(odd), c.waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => t.monitor.tracer.startSpan('late').end())), new Response('ok')) },
      monitor,
      { waitUntilTimeoutMs: 29_999 },
    );
    await worker.fetch!(new Request('http://x/'), {}, ctx);
    const exported = ctx.pending.at(-1)!;
    // Far less than the 30 s bound: the export goes once the work settled (the 20 ms timer's too), not when the bound passes.
    const outcome = await Promise.race([exported.then(() => 'exported'), new Promise((r) => setTimeout(r, 3000, 'still held'))]);
    expect(outcome).toBe('exported');
    expect(memory.spans.map((s) => s.name)).toContain('late');
  });

  test('invocations that overlap on one ctx, the older one done first: ctx gets its own waitUntil back (a forwarder was left on it, one more per overlap)', async () => {
    const { monitor, memory } = createTestMonitor();
    const ctx = fakeCtx();
    const original = ctx.waitUntil;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The second starts while the first still holds, and hands its work over after the first's work is done.
    const worker = instrument({ fetch: async (r: Request, _e: unknown, c: ExecutionContext, t) => {
      const late = r.url.endsWith('late');
      if (late) await sleep(15);
      c.waitUntil(sleep(1).then(() => t.monitor.tracer.startSpan(late ? 'late' : 'early').end()));
      return new Response('ok');
    } }, monitor);
    for (let i = 1; i <= 3; i++) {
      await Promise.all([worker.fetch!(new Request('http://x/early'), {}, ctx), worker.fetch!(new Request('http://x/late'), {}, ctx)]);
      await sleep(10);
      await Promise.all(ctx.pending);
      expect(ctx.waitUntil).toBe(original);
      expect(memory.spans.filter((s) => s.name === 'late')).toHaveLength(i);
    }
    // While the first still holds, the second's end puts the first's back: its work is still held.
    const inner = instrument({ fetch: async (_r: Request, _e: unknown, c: ExecutionContext) => new Response(String(c.waitUntil === original)) }, createTestMonitor().monitor);
    const outer = instrument({ fetch: async (r: Request, e: unknown, c: ExecutionContext, t) => {
      const own = c.waitUntil;
      const res = await inner.fetch!(r, e, c);
      c.waitUntil(sleep(1).then(() => t.monitor.tracer.startSpan('after-inner').end()));
      return new Response(`${await res.text()} ${c.waitUntil === own}`);
    } }, monitor);
    expect(await (await outer.fetch!(new Request('http://x/'), {}, ctx)).text()).toBe('false true');
    await Promise.all(ctx.pending);
    expect(memory.spans.filter((s) => s.name === 'after-inner')).toHaveLength(1);
    expect(ctx.waitUntil).toBe(original);
  });

  test('a handler called without ctx (a test\'s fetch(request, env)) is served, as before waitUntil work was held', async () => {
    const { monitor, memory } = createTestMonitor();
    const worker = instrument({ fetch: async () => new Response('ok'), scheduled: async () => {} }, monitor) as unknown as Record<'fetch' | 'scheduled', (input: unknown, env: unknown) => Promise<unknown>>;
    expect(await ((await worker.fetch(new Request('http://x/'), {})) as Response).text()).toBe('ok');
    await worker.scheduled({ cron: '* * * * *', scheduledTime: 0 }, {});
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['GET', 'scheduled * * * * *']);
  });

  test("a hand-made ctx without waitUntil (a test's {}) is left without one: the handler's own `ctx.waitUntil?.()` is skipped, not thrown", async () => {
    const { monitor, memory } = createTestMonitor();
    const ctx: { waitUntil?: unknown } = {};
    const worker = instrument(
      {
        fetch: async (_r: Request, _e: unknown, c: { waitUntil?(p: Promise<unknown>): void }) => {
          c.waitUntil?.(Promise.resolve());
          return new Response('ok');
        },
        scheduled: (_c: unknown, _e: unknown, c: { waitUntil?(p: Promise<unknown>): void }) => c.waitUntil?.(Promise.resolve()),
      },
      monitor,
    );
    expect(await (await worker.fetch!(new Request('http://x/'), {}, ctx as never)).text()).toBe('ok');
    expect(ctx.waitUntil).toBeUndefined();
    await worker.scheduled!({ cron: '* * * * *', scheduledTime: 0 }, {}, ctx as never);
    expect(ctx.waitUntil).toBeUndefined();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['GET', 'scheduled * * * * *']);
  });

  test('a frozen env (a test\'s Object.freeze({ KV })) answers its bindings as they are: reading one threw a proxy invariant TypeError in the handler', async () => {
    const { monitor } = createTestMonitor();
    const kv = new FakeKV();
    const worker = instrument({ fetch: async (_r: Request, env: { KV: FakeKV }) => new Response(`${env.KV === kv} ${await env.KV.get('k')}`) }, monitor);
    expect(await (await worker.fetch!(new Request('http://x/'), Object.freeze({ KV: kv }), fakeCtx())).text()).toBe('true null');
  });

  test('a cron that runs a Hono route (app.request) keeps its span name; the request gets a SERVER span of its own, its child', async () => {
    const { Hono } = await import('hono');
    const { monitorMiddleware } = await import('../../../src/middleware/hono/index.js');
    const { monitor, memory } = createTestMonitor();
    const app = new Hono();
    app.use(monitorMiddleware(monitor));
    app.post('/tasks/:name', (c) => c.text(`done ${c.req.param('name')}`));
    const worker = instrument(
      {
        async scheduled(_controller: { cron: string }, env: unknown, ctx: ExecutionContext) {
          expect(await (await app.request('/tasks/cleanup', { method: 'POST' }, env, ctx)).text()).toBe('done cleanup');
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    await worker.scheduled!({ cron: '*/5 * * * *', scheduledTime: Date.now() } as never, {}, ctx);
    await Promise.all(ctx.pending);
    await monitor.flush();
    const cron = memory.spans.find((s) => s.attributes['faas.trigger'] === 'timer')!;
    expect(cron.name).toBe('scheduled */5 * * * *');
    expect(cron.attributes['http.route']).toBeUndefined();
    const request = memory.spans.find((s) => s.kind === 2)!;
    expect(request.name).toBe('POST /tasks/:name');
    expect(request.attributes['http.route']).toBe('/tasks/:name');
    expect(request.traceId).toBe(cron.traceId);
    expect(request.parentSpanId).toBe(cron.spanId);
  });

  test('instrument() inside instrument() with one config: one SERVER span and one duration observation per request', async () => {
    const { monitor, memory } = createTestMonitor();
    const config = () => monitor;
    const inner = instrument({ fetch: async (_r: Request, _e: unknown, _c: ExecutionContext, t) => new Response(String(t.span.isRecording())) }, config);
    const outer = instrument({ fetch: (r: Request, e: unknown, c: ExecutionContext) => inner.fetch!(r, e, c) }, config);
    const ctx = fakeCtx();
    expect(await (await outer.fetch!(new Request('http://x/orders'), {}, ctx)).text()).toBe('true');
    await Promise.all(ctx.pending);
    await monitor.flush();
    expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(1);
    const duration = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!;
    expect((duration.points as readonly { count: number }[]).reduce((n, p) => n + p.count, 0)).toBe(1);
  });

  test('instrumentDO keeps synchronous methods synchronous and flushes through state.waitUntil', async () => {
    const { monitor, memory } = createTestMonitor();
    class Room {
      n = 0;
      constructor(readonly state: unknown, readonly env: unknown) {}
      add(k: number): number {
        this.n += k;
        return this.n;
      }
      async alarm(): Promise<void> {}
    }
    const Wrapped = instrumentDO(Room, monitor);
    const state = fakeCtx() as unknown as { waitUntil(p: Promise<unknown>): void; pending: Promise<unknown>[]; id: { toString(): string } };
    const room = new Wrapped(state, {});
    expect(room.add(2)).toBe(2);
    await room.alarm();
    await Promise.all(state.pending);
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['Room.add', 'Room.alarm']);
    expect(state.pending).toHaveLength(2);
  });
});

describe('Workers defaults (BENCHMARKS.md: request overhead in workerd)', () => {
  test('the server span ends when the handler returns: the body is handed back untouched; waitForBody: true watches it', async () => {
    const { monitor, memory } = createTestMonitor();
    const body = new ReadableStream<Uint8Array>({ pull() {} }); // never finishes
    const original = new Response(body);
    const worker = instrument({ fetch: () => original }, monitor);
    const ctx = fakeCtx();
    expect(await worker.fetch!(new Request('http://x/plain'), {}, ctx)).toBe(original);
    expect(body.locked).toBe(false);
    await Promise.all(ctx.pending);
    expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/plain']);

    let close!: () => void;
    const streamed = new ReadableStream<Uint8Array>({
      start(c) {
        close = () => c.close();
      },
    });
    const watching = instrument({ fetch: () => new Response(streamed) }, monitor, { waitForBody: true });
    const ctx2 = fakeCtx();
    const res = await watching.fetch!(new Request('http://x/watched'), {}, ctx2);
    const read = res.text();
    await monitor.flush();
    expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/plain']);
    close();
    expect(await read).toBe('');
    await Promise.all(ctx2.pending);
    expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/plain', '/watched']);
  });

  test('metrics leave with a request at most every 10 s unless metricExportIntervalMs says otherwise', async () => {
    const run = async (options: Record<string, unknown>) => {
      const memory = new MemoryBackend();
      const worker = instrument({ fetch: () => new Response('ok') }, { serviceName: 'interval', backends: [memory], onDiagnostic: () => {}, ...options });
      for (let i = 0; i < 3; i++) {
        const ctx = fakeCtx();
        await (await worker.fetch!(new Request('http://x/'), {}, ctx)).text();
        await Promise.all(ctx.pending);
      }
      return { snapshots: memory.metricSnapshots.length, spans: memory.spans.length };
    };
    expect(await run({})).toEqual({ snapshots: 1, spans: 3 });
    expect(await run({ metricExportIntervalMs: 0 })).toEqual({ snapshots: 3, spans: 3 });
  });
});

describe('Workers platform limits and built-in export (CF-05, CF-10)', () => {
  test('CF-05: an invocation exports with one subrequest per signal, at most 3 at once, and at most 5 attempts each while the collector fails: inside the free plan’s 50 subrequests and 6 connections', async () => {
    let calls = 0;
    let open = 0;
    let most = 0;
    let status = 200;
    const fetch = async () => {
      calls++;
      most = Math.max(most, ++open);
      await new Promise((r) => setTimeout(r, 5));
      open--;
      return new Response(null, { status });
    };
    const monitor = createMonitor({ serviceName: 'limits', backends: [new OtlpBackend({ fetch, retry: { initialBackoffMs: 1, maxBackoffMs: 2 } })], metricExportIntervalMs: 0, onDiagnostic: () => {} });
    const requests = monitor.metrics.createCounter('work_total', 'Work');
    const worker = instrument(
      {
        fetch: () => {
          for (let i = 0; i < 500; i++) {
            monitor.tracer.startSpan(`step ${i}`).end();
            monitor.logger.info('step', { i });
            requests.increment(1, { step: String(i % 50) });
          }
          return new Response('ok');
        },
      },
      monitor,
    );
    const invoke = async () => {
      const ctx = fakeCtx();
      await (await worker.fetch!(new Request('http://x/'), {}, ctx)).text();
      await Promise.all(ctx.pending);
    };
    await invoke();
    expect(calls).toBe(3);
    status = 503;
    calls = 0;
    await invoke();
    expect(calls).toBe(15);
    expect(most).toBeLessThanOrEqual(3);
  });

  test("CF-10: beside Cloudflare's built-in export (traces and logs only), OTEL_TRACES_EXPORTER=none and OTEL_LOGS_EXPORTER=none in env leave a Worker sending only its metrics: no span twice", async () => {
    const rx = await startReceiver();
    try {
      const worker = instrument({ fetch: () => new Response('ok') }, { serviceName: 'cf10', onDiagnostic: () => {} });
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
      const ctx = fakeCtx();
      await (await worker.fetch!(new Request('http://x/orders'), env, ctx)).text();
      await Promise.all(ctx.pending);
      expect(rx.received.map((r) => r.signal)).toEqual(['metrics']);
      const names = rx.received[0]!.body.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics.map((m: any) => m.name));
      expect(names).toContain('http.server.request.duration');
    } finally {
      await rx.close();
    }
  });
});

describe('email and tail handlers (CF-09)', () => {
  const email = (rawSize = 1234) => ({ from: 'alice@example.com', to: 'inbox@example.org', rawSize, headers: new Headers({ subject: 'private subject' }), raw: new ReadableStream(), setReject() {}, forward: async () => {}, reply: async () => {} });
  const tailItem = (outcome: string) => ({ scriptName: 'producer', outcome, eventTimestamp: 1, event: { request: { url: 'https://x/secret?token=1' } }, logs: [], exceptions: [] });

  test('email: a SERVER span (FaaS incoming invocation) with the size only (no address, subject or body), exported through ctx.waitUntil', async () => {
    const { monitor, memory } = createTestMonitor();
    let seen: unknown;
    const worker = instrument(
      {
        async email(message, env: { KV: FakeKV }, _ctx, t) {
          seen = message;
          await env.KV.put('last', 'x'); // a binding call inside the invocation is its child
          t.span.setAttribute('test.handled', true);
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    const msg = email();
    await worker.email!(msg, { KV: new FakeKV() }, ctx);
    expect(seen).toBe(msg); // the handler gets the runtime's message itself
    expect(ctx.pending).toHaveLength(1); // one export, handed to waitUntil
    await Promise.all(ctx.pending);
    const span = memory.spans.find((s) => s.name === 'email')!;
    expect(span.kind).toBe(2); // SERVER
    expect(span.parentSpanId).toBeUndefined();
    expect(span.status.code).not.toBe(2);
    expect(span.attributes).toEqual({ 'faas.trigger': 'other', 'cloudflare.trigger': 'email', 'cloudflare.email.size': 1234, 'test.handled': true });
    expect(memory.spans.find((s) => s.name === 'put KV')!.parentSpanId).toBe(span.spanId);
    const exported = JSON.stringify([memory.spans, memory.logs]);
    for (const personal of ['alice', 'inbox', 'example.com', 'example.org', 'private subject']) expect(exported).not.toContain(personal);
  });

  test('email: an exception (or a non-Error throw) is recorded and rethrown unchanged; the export still goes to waitUntil', async () => {
    const { monitor, memory } = createTestMonitor();
    const boom = new RangeError('rejected');
    const worker = instrument(
      {
        async email(message) {
          if (message.rawSize > 10) throw boom;
          throw 'plain string';
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    await expect(worker.email!(email(), {}, ctx)).rejects.toBe(boom);
    await expect(worker.email!(email(1), {}, ctx)).rejects.toBe('plain string');
    expect(ctx.pending).toHaveLength(2);
    await Promise.all(ctx.pending);
    const [a, b] = memory.spans.filter((s) => s.name === 'email');
    expect(a.status).toEqual({ code: 2, message: 'rejected' });
    expect(a.attributes['error.type']).toBe('RangeError');
    expect(a.events.map((e) => e.name)).toEqual(['exception']);
    expect(b.status.code).toBe(2);
    expect(b.attributes['error.type']).toBe('string');
  });

  test('email: a synchronous handler stays synchronous and a synchronous throw is rethrown as is', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new Error('sync');
    const worker = instrument({ email: (m: { rawSize: number }) => { if (m.rawSize === 1) throw err; } }, monitor);
    const ctx = fakeCtx();
    expect(worker.email!(email(), {}, ctx)).toBeUndefined();
    expect(() => worker.email!(email(1), {}, ctx)).toThrow(err);
    await Promise.all(ctx.pending);
    expect(memory.spans.filter((s) => s.name === 'email').map((s) => s.status.code)).toEqual([0, 2]);
  });

  test('tail: a SERVER span (FaaS incoming invocation) with the event count only (no producer URLs or logs), exported through ctx.waitUntil; exceptions rethrown', async () => {
    const { monitor, memory } = createTestMonitor();
    const boom = new Error('tail failed');
    let seen: unknown;
    const worker = instrument(
      {
        async tail(events, _env, _ctx, t) {
          seen = events;
          t.monitor.logger.info('tail ran', { n: events.length });
          if (events.some((e) => e.outcome === 'crash')) throw boom;
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    const events = [tailItem('ok'), tailItem('exception')];
    await worker.tail!(events, {}, ctx);
    expect(seen).toBe(events);
    await expect(worker.tail!([tailItem('crash')], {}, ctx)).rejects.toBe(boom);
    expect(ctx.pending).toHaveLength(2);
    await Promise.all(ctx.pending);
    const [ok, failed] = memory.spans.filter((s) => s.name === 'tail');
    expect(ok.kind).toBe(2);
    expect(ok.attributes).toEqual({ 'faas.trigger': 'other', 'cloudflare.trigger': 'tail', 'cloudflare.tail.event_count': 2 });
    expect(ok.status.code).not.toBe(2);
    expect(memory.logs.find((l) => l.body === 'tail ran')?.spanId).toBe(ok.spanId);
    expect(failed.attributes['cloudflare.tail.event_count']).toBe(1);
    expect(failed.status).toEqual({ code: 2, message: 'tail failed' });
    expect(JSON.stringify(memory.spans)).not.toContain('secret');
  });

  test('a waitUntil that throws does not change the handler outcome', async () => {
    const { monitor } = createTestMonitor();
    const worker = instrument({ email: async () => {}, tail: async () => {} }, monitor);
    const ctx = { waitUntil: () => { throw new Error('no waitUntil'); } };
    await expect(worker.email!(email(), {}, ctx)).resolves.toBeUndefined();
    await expect(worker.tail!([], {}, ctx)).resolves.toBeUndefined();
  });
});

describe('Durable Object trace context (README: RPC carries no trace context)', () => {
  const fakeState = () => fakeCtx() as unknown as { waitUntil(p: Promise<unknown>): void; pending: Promise<unknown>[]; id: { toString(): string } };

  test('fetch continues the caller traceparent; an RPC method gets its arguments unchanged and a span of its own trace', async () => {
    const { monitor, memory } = createTestMonitor();
    const received: unknown[][] = [];
    class Room {
      constructor(readonly state: unknown, readonly env: unknown) {}
      async fetch(req: Request) {
        return new Response(req.headers.get('traceparent'));
      }
      async join(...args: unknown[]) {
        received.push(args);
        return args.length;
      }
    }
    const state = fakeState();
    const room = new (instrumentDO(Room, monitor))(state, {});
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await (await room.fetch(new Request('http://do/', { headers: { traceparent: tp } }))).text();
    expect(await room.join('a', { b: 1 })).toBe(2);
    expect(received).toEqual([['a', { b: 1 }]]);
    await Promise.all(state.pending);
    const fetchSpan = memory.spans.find((s) => s.kind === 2 && s.name !== 'Room.join')!;
    expect(fetchSpan.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(fetchSpan.parentSpanId).toBe('b7ad6b7169203331');
    expect(fetchSpan.attributes['cloudflare.durable_object.class']).toBe('Room');
    const rpc = memory.spans.find((s) => s.name === 'Room.join')!;
    expect(rpc.parentSpanId).toBeUndefined();
    expect(rpc.traceId).not.toBe(fetchSpan.traceId);
  });

  test('the documented workaround: an explicit carrier argument continues the trace inside the method', async () => {
    const { monitor, memory } = createTestMonitor();
    class Room {
      constructor(readonly state: unknown, readonly env: unknown) {}
      async join(name: string, carrier: HeadersInput) {
        return monitor.tracer.startActiveSpan('join work', { parent: extractContext(carrier) }, async () => name);
      }
    }
    const state = fakeState();
    const room = new (instrumentDO(Room, monitor))(state, {});
    const caller = monitor.tracer.startSpan('caller');
    expect(await room.join('x', injectContext({}, caller))).toBe('x');
    caller.end();
    await Promise.all(state.pending);
    await monitor.flush();
    const work = memory.spans.find((s) => s.name === 'join work')!;
    expect(work.traceId).toBe(caller.spanContext().traceId);
    expect(work.parentSpanId).toBe(caller.spanContext().spanId);
  });
});

describe('instrument(class extends WorkerEntrypoint) in-process', () => {
  /** Stands in for `WorkerEntrypoint` from cloudflare:workers (the name is what the adapter looks for): keeps ctx and env on the instance. */
  class WorkerEntrypoint<Env> {
    constructor(protected ctx: ExecutionContext, protected env: Env) {}
  }

  test('handlers use this.ctx and the instrumented this.env, get the telemetry second; statics are kept (RPC methods: rpc.test.ts)', async () => {
    const { monitor, memory } = createTestMonitor();
    const factory = vi.fn(() => monitor);
    const boom = new SyntaxError('bad mail');
    class App extends WorkerEntrypoint<{ KV: FakeKV }> {
      static version = 3;
      async fetch(req: Request, t: { span: { spanContext(): { spanId: string } } }) {
        await this.env.KV.put('k', 'v');
        return new Response(`${new URL(req.url).pathname} ${getRequestTelemetry(this.ctx) === t} ${t.span.spanContext().spanId}`);
      }
      async email(message: { rawSize: number }) {
        if (message.rawSize > 0) throw boom;
      }
      tail(events: unknown[]) {
        return events.length;
      }
      add(a: number, b: number) {
        return a + b;
      }
    }
    const Instrumented = instrument(App, factory);
    expect(factory).not.toHaveBeenCalled(); // CF-03
    expect(Instrumented.name).toBe('App');
    expect(Instrumented.version).toBe(3);
    expect(Instrumented.prototype.add).not.toBe(App.prototype.add); // an RPC method, wrapped (rpc.test.ts)
    const kv = new FakeKV();
    const env = { KV: kv };
    const ctx = fakeCtx();
    const app = new Instrumented(ctx, env);
    expect(app).toBeInstanceOf(App);
    expect(app.add(1, 2)).toBe(3);
    const text = await (await app.fetch(new Request('http://x/path', { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }), undefined as never)).text();
    await expect(app.email({ from: 'a@example.com', to: 'b@example.com', rawSize: 5, setReject() {} } as never)).rejects.toBe(boom);
    expect(app.tail([1, 2, 3])).toBe(3); // a synchronous handler stays synchronous
    expect(ctx.pending).toHaveLength(4); // add, fetch, email, tail
    await Promise.all(ctx.pending);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(kv.store.get('k')).toBe('v');
    const server = memory.spans.find((s) => s.kind === 2 && s.name !== 'App.add')!;
    expect(text).toBe(`/path true ${server.spanId}`);
    expect(server.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    // The env is instrumented once: one KV span, a child of the server span.
    expect(memory.spans.filter((s) => s.name === 'put KV').map((s) => s.parentSpanId)).toEqual([server.spanId]);
    const mail = memory.spans.find((s) => s.name === 'email')!;
    expect(mail.status).toEqual({ code: 2, message: 'bad mail' });
    expect(memory.spans.find((s) => s.name === 'tail')!.attributes['cloudflare.tail.event_count']).toBe(3);
  });
});

describe('invocation span attributes', () => {
  test("a scheduled event without a cron is not counted as the app's invalid_attribute drop; a queue batch's CONSUMER span has messaging.operation.name", async () => {
    const seen: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => seen.push(d.kind) });
    const worker = instrument({ async scheduled() {}, async queue() {} }, monitor);
    const ctx = fakeCtx();
    await worker.scheduled!({ scheduledTime: Date.UTC(2026, 0, 1) } as never, {}, ctx); // a test's stub controller
    await worker.scheduled!({ cron: '*/5 * * * *', scheduledTime: Date.UTC(2026, 0, 1) }, {}, ctx);
    await worker.queue!({ queue: 'jobs', messages: [] } as never, {}, ctx);
    await Promise.all(ctx.pending);
    await monitor.flush();
    expect(seen).toEqual([]);
    const [bare, cron] = memory.spans.filter((s) => s.attributes['faas.trigger'] === 'timer');
    expect(bare!.attributes).not.toHaveProperty('faas.cron');
    expect(cron!.attributes['faas.cron']).toBe('*/5 * * * *');
    expect(memory.spans.find((s) => s.name === 'process jobs')!.attributes).toMatchObject({ 'messaging.operation.name': 'process', 'messaging.operation.type': 'process' });
  });
});

describe('Queue producer spans (messaging conventions)', () => {
  test('named {messaging.operation.name} {queue}: send Q and sendBatch Q, the count on the batch only', async () => {
    const { monitor, memory } = createTestMonitor();
    const q = { send: async (_body: unknown) => {}, sendBatch: async (_batch: unknown[]) => {} };
    const worker = instrument(
      {
        async fetch(_req: Request, env: { Q: typeof q }) {
          await env.Q.send(1);
          await env.Q.sendBatch([{ body: 1 }, { body: 2 }]);
          return new Response('ok');
        },
      },
      monitor,
    );
    const ctx = fakeCtx();
    await worker.fetch!(new Request('http://x/'), { Q: q }, ctx);
    await Promise.all(ctx.pending);
    const sent = memory.spans.filter((s) => s.kind === 4).map((s) => [s.name, s.attributes['messaging.operation.name'], s.attributes['messaging.batch.message_count']]);
    expect(sent).toEqual([['send Q', 'send', undefined], ['sendBatch Q', 'sendBatch', 2]]);
  });
});
