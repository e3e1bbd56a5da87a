/**
 * The Cache API instrumentation in-process (Node has no `caches`: a fake one is installed, its
 * methods on class prototypes as in workerd). The real runtime is in cache-workerd.test.ts.
 */
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import type { BindingCallEvent, ExecutionContext } from '../index.js';

const keyOf = (k: Request | string): string => (typeof k === 'string' ? k : k.url);
class FakeCache {
  store = new Map<string, string>();
  async match(k: Request | string): Promise<Response | undefined> {
    const v = this.store.get(keyOf(k));
    return v === undefined ? undefined : new Response(v);
  }
  async put(k: Request | string, r: Response): Promise<void> {
    this.store.set(keyOf(k), await r.text());
  }
  async delete(k: Request | string): Promise<boolean> {
    return this.store.delete(keyOf(k));
  }
}
class FakeCacheStorage {
  readonly default = new FakeCache();
  open(_name: string): Promise<FakeCache> {
    // As workerd: a wrong `this` throws at once (Illegal invocation); a bad argument rejects.
    if (!(this instanceof FakeCacheStorage)) throw new TypeError('Illegal invocation');
    return Promise.resolve(new FakeCache());
  }
}
declare const caches: FakeCacheStorage;

const ctx = (): ExecutionContext => ({ waitUntil() {}, passThroughOnException() {}, props: undefined });
const setCaches = (v: unknown): void => void Object.defineProperty(globalThis, 'caches', { value: v, configurable: true, writable: true });
beforeAll(() => setCaches(new FakeCacheStorage()));
afterAll(() => void delete (globalThis as { caches?: unknown }).caches);

const app = {
  async fetch(): Promise<Response> {
    const miss = await caches.default.match('https://c.test/a?api_key=K');
    await caches.default.put('https://c.test/a?api_key=K', new Response('v'));
    const pages = await caches.open('pages');
    await pages.match(new Request('https://c.test/b'));
    await caches.default.delete('https://c.test/a?api_key=K');
    return new Response(String(miss === undefined));
  },
};

test('the Cache API is traced for an instrumented monitor, under its server span, and left alone for one with instrumentBindings: false', async () => {
  const { instrument } = await import('../index.js');
  const { monitor, memory } = createTestMonitor();
  const events: BindingCallEvent[] = [];
  const res = await instrument(app, monitor, { onBindingCall: (e) => events.push(e) }).fetch!(new Request('http://x/'), {}, ctx());
  expect(await res.text()).toBe('true');
  const server = memory.spans.find((s) => s.kind === 2)!;
  const spans = memory.spans.filter((s) => s.name.startsWith('cache '));
  expect(spans.map((s) => `${s.name} ${s.attributes['cache.name']} ${s.attributes['url.full']} ${s.attributes['cache.hit'] ?? ''}`)).toEqual([
    'cache match default https://c.test/a?api_key=REDACTED false',
    'cache put default https://c.test/a?api_key=REDACTED ',
    'cache match pages https://c.test/b false',
    'cache delete default https://c.test/a?api_key=REDACTED ',
  ]);
  for (const s of spans) expect(s.parentSpanId).toBe(server.spanId);
  expect(events.map((e) => `${e.type} ${e.binding} ${e.operation}`)).toEqual(['cache default match', 'cache default put', 'cache pages match', 'cache default delete']);

  const off = createTestMonitor();
  await instrument(app, off.monitor, { instrumentBindings: false }).fetch!(new Request('http://x/'), {}, ctx());
  expect(off.memory.spans.filter((s) => s.name.startsWith('cache '))).toEqual([]);
});

test("one monitor under two instrument() calls: each invocation's Cache API calls follow its own options (onBindingCall, instrumentBindings: false), not the last built's", async () => {
  const { instrument } = await import('../index.js');
  const { monitor, memory } = createTestMonitor();
  const first: string[] = [];
  const second: string[] = [];
  const a = instrument(app, monitor, { onBindingCall: (e) => void first.push(e.operation) });
  const b = instrument(app, monitor, { onBindingCall: (e) => void second.push(e.operation) });
  const off = instrument(app, monitor, { instrumentBindings: false });
  await b.fetch!(new Request('http://x/'), {}, ctx());
  await a.fetch!(new Request('http://x/'), {}, ctx());
  await b.fetch!(new Request('http://x/'), {}, ctx()); // after a was built: b's events are still b's
  expect([first.length, second.length]).toEqual([4, 8]);
  const before = memory.spans.filter((s) => s.name.startsWith('cache ')).length;
  await off.fetch!(new Request('http://x/'), {}, ctx()); // bindings off for this one: no cache spans, no events
  expect(memory.spans.filter((s) => s.name.startsWith('cache ')).length).toBe(before);
  expect([first.length, second.length]).toEqual([4, 8]);
});

test("a Durable Object's method and a WorkerEntrypoint RPC method trace the Cache API with their own instrument() options", async () => {
  const { instrument, instrumentDO } = await import('../index.js');
  const { monitor, memory } = createTestMonitor();
  const events: string[] = [];
  class WorkerEntrypoint {
    constructor(
      protected ctx: ExecutionContext,
      protected env: unknown,
    ) {}
  }
  class Svc extends WorkerEntrypoint {
    async look(): Promise<boolean> {
      return (await caches.default.match('https://c.test/rpc')) === undefined;
    }
  }
  class Room {
    constructor(
      readonly ctx: { waitUntil(p: Promise<unknown>): void },
      readonly env: unknown,
    ) {}
    async look(): Promise<boolean> {
      return (await caches.default.match('https://c.test/do')) === undefined;
    }
  }
  const svc = new (instrument(Svc, monitor, { onBindingCall: (e) => void events.push(`rpc ${e.operation}`) }))(ctx(), {});
  const room = new (instrumentDO(Room, monitor, { onBindingCall: (e) => void events.push(`do ${e.operation}`) }))({ waitUntil() {} } as never, {});
  expect([await svc.look(), await room.look(), await svc.look()]).toEqual([true, true, true]);
  expect(events).toEqual(['rpc match', 'do match', 'rpc match']);
  const spans = memory.spans.filter((s) => s.name === 'cache match');
  expect(spans.map((s) => s.attributes['url.full'])).toEqual(['https://c.test/rpc', 'https://c.test/do', 'https://c.test/rpc']);
});

test('caches.open keeps the runtime\'s way of failing: a wrong `this` still throws at once, not as a rejection', async () => {
  const { instrument } = await import('../index.js');
  const { monitor } = createTestMonitor();
  let thrown = 'nothing';
  await instrument({ fetch: async () => new Response('ok') }, monitor).fetch!(new Request('http://x/'), {}, ctx()); // patched by now
  try {
    void (caches.open.call({}, 'pages') as Promise<unknown>).catch(() => (thrown = 'rejected'));
  } catch (err) {
    thrown = `threw ${(err as Error).message}`;
  }
  await Promise.resolve();
  expect(thrown).toBe('threw Illegal invocation');
});

test('a Cache prototype that cannot be patched (frozen) leaves the Cache API untraced and working, never an error', async () => {
  vi.resetModules(); // a fresh isolate: the patch is tried once per module instance
  const { instrument } = await import('../index.js');
  const { createTestMonitor } = await import('../../../src/testing/index.js'); // the fresh modules' Monitor
  class Frozen extends FakeCache {}
  Object.freeze(Frozen.prototype);
  setCaches(Object.assign(new FakeCacheStorage(), { default: new Frozen() }));
  const open = FakeCacheStorage.prototype.open;
  const { monitor, memory } = createTestMonitor();
  const res = await instrument({ fetch: async () => new Response(String(await caches.default.match('https://c.test/'))) }, monitor).fetch!(new Request('http://x/'), {}, ctx());
  expect(await res.text()).toBe('undefined');
  expect(memory.spans.filter((s) => s.name.startsWith('cache '))).toEqual([]);
  expect(FakeCacheStorage.prototype.open).not.toBe(open); // the patch was tried: open() was wrapped before the frozen Cache refused
});
