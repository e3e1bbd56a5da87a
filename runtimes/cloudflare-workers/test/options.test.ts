/**
 * A malformed `propagateTo` or `asyncLocalStorage` throws when the monitor is built (the first
 * invocation), saying what to change, instead of failing on the hot path (DESIGN decision 5):
 * `propagateTo: { allow: 'host' }` threw out of every outgoing fetch, `propagateTo: ['host']`
 * sent traceparent everywhere, and an AsyncLocalStorage instance failed every request in workerd
 * with nodejs_als ("contextStorage(...).get is not a function").
 */
import { describe, expect, test } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createTestMonitor } from '../../../src/testing/index.js';
import { contextStorage } from '../../../src/context/active.js';
import { instrument, instrumentDO, pagesMiddleware, type ExecutionContext, type PagesContext, type WorkersConfig, type WorkersAdapterOptions } from '../index.js';

const ctx = (): ExecutionContext => ({ waitUntil() {}, passThroughOnException() {}, props: undefined });
const SHAPE = /propagateTo must be \{ allow\?: string\[\], deny\?: string\[\] \} or a function/;

/** The first request of a Worker instrumented with these options (outgoing fetch inside it fails fast). */
async function firstRequest(config: WorkersConfig, options?: WorkersAdapterOptions): Promise<Response> {
  const w = instrument({ fetch: async () => fetch('http://127.0.0.1:1/').then(() => new Response('up'), () => new Response('down')) }, config, options);
  return Promise.resolve().then(() => w.fetch!(new Request('http://x/'), {}, ctx()));
}

describe('adapter options are checked when the monitor is built', () => {
  test("propagateTo: { allow: 'host' } (it threw out of every outgoing fetch), as an array, with an unknown key", async () => {
    const { monitor } = createTestMonitor();
    await expect(firstRequest(monitor, { propagateTo: { allow: 'api.example.com' } as never })).rejects.toThrow(SHAPE);
    await expect(firstRequest({ backends: [], propagateTo: { deny: 'x' } as never })).rejects.toThrow(SHAPE);
    await expect(firstRequest((() => ({ backends: [], propagateTo: ['api.example.com'] })) as never)).rejects.toThrow(SHAPE);
    await expect(firstRequest(monitor, { propagateTo: { allowed: ['a'] } as never })).rejects.toThrow(SHAPE);
  });

  test('a misspelt option (instrumentBinding) throws listing the monitor and adapter options, not only createMonitor\'s', async () => {
    const KNOWN_LIST = /^instrument: unknown option `instrumentBinding`; known options are serviceName, .*, otlp, route, .*\binstrumentBindings\b.*, asyncLocalStorage\.$/;
    await expect(firstRequest({ backends: [], instrumentBinding: false } as never)).rejects.toThrow(KNOWN_LIST);
    await expect(firstRequest((() => ({ backends: [], instrumentBinding: false })) as never)).rejects.toThrow(KNOWN_LIST);
    // In the adapter options argument, only the adapter's own are known.
    await expect(firstRequest({ backends: [] }, { instrumentBinding: false } as never)).rejects.toThrow(/^instrument: unknown option `instrumentBinding`; known options are route, trustIncomingTrace, .*, asyncLocalStorage\.$/);
    await expect(firstRequest({ backends: [], instrumentBindings: false, serviceName: 'api' })).resolves.toBeInstanceOf(Response);
  });

  test('instrument() given a handler it already wrapped throws at once: wrapped twice, each request had two SERVER spans in unrelated traces and was counted twice', () => {
    const once = instrument({ fetch: async () => new Response('ok') }, { backends: [] });
    expect(() => instrument(once as never, { backends: [] })).toThrow(/^instrument: handler already instrumented; wrap it once$/);
    const Class = instrument(class { fetch() { return new Response('ok'); } }, { backends: [] });
    expect(() => instrument(Class, { backends: [] })).toThrow(/already instrumented/);
    // A Durable Object class, through instrumentDO() or instrument() (which hands it to instrumentDO), likewise.
    class Room extends (class DurableObject {}) {
      fetch() {
        return new Response('ok');
      }
    }
    const viaDO = instrumentDO(Room, { backends: [] });
    expect(() => instrumentDO(viaDO, { backends: [] })).toThrow(/already instrumented/);
    expect(() => instrument(viaDO, { backends: [] })).toThrow(/already instrumented/);
    expect(() => instrumentDO(instrument(Room, { backends: [] }), { backends: [] })).toThrow(/already instrumented/);
    // Each of them once, from the same class, is fine.
    expect(() => [instrument(Room, { backends: [] }), instrumentDO(Room, { backends: [] })]).not.toThrow();
  });

  test('instrumentDO and pagesMiddleware check them too, where they are called', async () => {
    const { monitor } = createTestMonitor();
    expect(() => instrumentDO(class { constructor(_s: unknown, _e: unknown) {} }, monitor, { propagateTo: 'a.com' as never })).toThrow(SHAPE);
    expect(() => pagesMiddleware({ backends: [], propagateTo: ['a.com'] as never })).toThrow(SHAPE);
    // A function of the env is called at the first invocation: its mistakes show there.
    const DO = instrumentDO(class { constructor(_s: unknown, _e: unknown) {} }, () => ({ backends: [], propagateTo: 'a.com' as never }));
    expect(() => new DO({ waitUntil() {}, id: { toString: () => 'id' } }, {})).toThrow(SHAPE);
    const pages = pagesMiddleware(() => ({ backends: [], propagateTo: ['a.com'] as never }));
    await expect(Promise.resolve().then(() => pages({ request: new Request('http://x/'), env: {}, data: {}, waitUntil() {}, next: async () => new Response('') } as unknown as PagesContext))).rejects.toThrow(SHAPE);
  });

  test('what can be checked without the env throws at instrument(), where the module is evaluated (wrangler dev, a deploy), not at every request', () => {
    const handler = { fetch: async () => new Response('ok') };
    // An options object: the monitor's options and the adapter's.
    expect(() => instrument(handler, { backends: [], instrumentBinding: false } as never)).toThrow(/^instrument: unknown option `instrumentBinding`/);
    expect(() => instrument(handler, { serviceName: '' })).toThrow(/`serviceName` must be a non-empty string/);
    expect(() => instrument(handler, { backends: [], waitUntilTimeoutMs: 30_000 })).toThrow(/^waitUntilTimeoutMs must be 0 to 29999/);
    expect(() => instrument(handler, { backends: [], asyncLocalStorage: new AsyncLocalStorage() as never })).toThrow(/^asyncLocalStorage must be the AsyncLocalStorage class of node:async_hooks, not an instance of it$/);
    // The adapter options argument, whatever the configuration.
    expect(() => instrument(handler, createTestMonitor().monitor, { propagateTo: ['a.com'] as never })).toThrow(SHAPE);
    expect(() => instrument(handler, () => ({ backends: [] }), { waitForBdy: true } as never)).toThrow(/^instrument: unknown option `waitForBdy`/);
    // Fine without backends (OTLP or the console is picked from the env at the first invocation).
    expect(() => instrument(handler, { serviceName: 'api', otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } } as never)).not.toThrow();
    expect(() => instrument(handler, () => ({ serviceName: '' }))).not.toThrow();
  });

  test("values of the wrong type throw too: trustIncomingTrace: 'false' (a var is always text) trusted every incoming traceparent", async () => {
    const handler = { fetch: async () => new Response('ok') };
    expect(() => instrument(handler, { backends: [], trustIncomingTrace: 'false' } as never)).toThrow(/^instrument: `trustIncomingTrace` must be true or false, got "false"\.$/);
    expect(() => instrument(handler, { backends: [], instrumentFetch: 'false' } as never)).toThrow(/^instrument: `instrumentFetch` must be true or false, got "false"\.$/);
    expect(() => instrument(handler, createTestMonitor().monitor, { instrumentBindings: 0 } as never)).toThrow(/^instrument: `instrumentBindings` must be true or false, got 0\.$/);
    expect(() => instrument(handler, createTestMonitor().monitor, { onBindingCall: 'log' } as never)).toThrow(/^instrument: `onBindingCall` must be a function \(event\) => void, got "log"\.$/);
    expect(() => instrument(handler, createTestMonitor().monitor, { captureHeaders: { requestHeaders: 'cf-ray' } } as never)).toThrow(/`captureHeaders\.requestHeaders` must be an array of header names/);
    expect(() => instrument(handler, { backends: [], route: '/users/:id' } as never)).toThrow(/^instrument: `route` must be a function/);
    // From a function of the env: at the first invocation.
    await expect(firstRequest((() => ({ backends: [], waitForBody: 'true' })) as never)).rejects.toThrow(/^instrument: `waitForBody` must be true or false, got "true"\.$/);
  });

  test('asyncLocalStorage must be the class; an instance is refused before it replaces the context storage', async () => {
    const kind = contextStorage().kind;
    await expect(firstRequest({ backends: [], asyncLocalStorage: new AsyncLocalStorage() as never })).rejects.toThrow(/asyncLocalStorage must be the AsyncLocalStorage class/);
    await expect(firstRequest(createTestMonitor().monitor, { asyncLocalStorage: new AsyncLocalStorage() as never })).rejects.toThrow(/asyncLocalStorage must be the AsyncLocalStorage class/);
    expect(contextStorage().kind).toBe(kind);
    expect(typeof contextStorage().get).toBe('function');
  });

  test('asyncLocalStorage a class without run() and getStore() (another library\'s) throws at instrument(), not at the first request', () => {
    const handler = { fetch: async () => new Response('ok') };
    const ALS = /^asyncLocalStorage must be the AsyncLocalStorage class of node:async_hooks/;
    for (const bad of [class Store {}, Map, () => {}]) {
      expect(() => instrument(handler, { backends: [], asyncLocalStorage: bad as never })).toThrow(ALS);
      expect(() => instrument(handler, createTestMonitor().monitor, { asyncLocalStorage: bad as never })).toThrow(ALS);
    }
    expect(() => instrument(handler, { backends: [], asyncLocalStorage: class extends AsyncLocalStorage<unknown> {} as typeof AsyncLocalStorage })).not.toThrow();
  });

  test('waitUntilTimeoutMs must be a number of ms below the 30 s Workers give waitUntil work; 0 and a misspelling are told apart', async () => {
    const RANGE = /^waitUntilTimeoutMs must be 0 to 29999 \(ms\), got /;
    for (const bad of [-1, 30_000, Number.NaN, Infinity, '5000']) {
      await expect(firstRequest({ backends: [], waitUntilTimeoutMs: bad as never })).rejects.toThrow(RANGE);
      await expect(firstRequest(createTestMonitor().monitor, { waitUntilTimeoutMs: bad as never })).rejects.toThrow(RANGE);
    }
    await expect(firstRequest({ backends: [], waitUntilTimeout: 5 } as never)).rejects.toThrow(/unknown option `waitUntilTimeout`; known options are .*\bwaitUntilTimeoutMs\b/);
    // A string read from env (a var is always one) shows quoted: "got 5000" read as a valid value. A symbol gets the same RangeError.
    await expect(firstRequest({ backends: [], waitUntilTimeoutMs: '5000' as never })).rejects.toThrow(/, got "5000"$/);
    // Neither a number nor a string: its type (a bigint's `5000n` printed as 5000 read as valid too).
    await expect(firstRequest({ backends: [], waitUntilTimeoutMs: Symbol('ms') as never })).rejects.toThrow(/^waitUntilTimeoutMs must be 0 to 29999 \(ms\), got symbol$/);
    await expect(firstRequest({ backends: [], waitUntilTimeoutMs: 5000n as never })).rejects.toThrow(/^waitUntilTimeoutMs must be 0 to 29999 \(ms\), got bigint$/);
    for (const ok of [0, 500, 29_999]) expect(await (await firstRequest({ backends: [], waitUntilTimeoutMs: ok })).text()).toBe('down');
  });

  test('well-formed options pass', async () => {
    const { monitor } = createTestMonitor();
    expect(await (await firstRequest(monitor, { propagateTo: { allow: ['*.example.com'], deny: [] }, asyncLocalStorage: AsyncLocalStorage })).text()).toBe('down');
    expect(await (await firstRequest({ backends: [], propagateTo: (u: URL) => u.hostname === 'a' })).text()).toBe('down');
    expect(await (await firstRequest({ backends: [], propagateTo: { allow: undefined } })).text()).toBe('down');
  });
});

describe('no export timer on Workers', () => {
  test('OTEL_BSP_SCHEDULE_DELAY / OTEL_BLRP_SCHEDULE_DELAY in env do not arm one: a span ended outside an invocation leaves with the next invocation', async () => {
    const { MemoryBackend } = await import('../../../src/testing/index.js');
    const memory = new MemoryBackend();
    const waits: Promise<unknown>[] = [];
    const c = (): ExecutionContext => ({ waitUntil: (p) => void waits.push(p), passThroughOnException() {}, props: undefined });
    let monitor: { tracer: { startSpan(n: string): { end(): void } } } | undefined;
    const w = instrument({ fetch: (_r, _e, _c, t) => ((monitor = t.monitor), new Response('ok')) }, () => ({ backends: [memory] }));
    const env = { OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_BLRP_SCHEDULE_DELAY: '20' };
    await w.fetch!(new Request('http://x/'), env, c());
    await Promise.all(waits.splice(0));
    monitor!.tracer.startSpan('background').end();
    // Past the delay the env asked for: a timer would have exported it by now.
    await new Promise((r) => setTimeout(r, 120));
    expect(memory.spans.map((s) => s.name)).not.toContain('background');
    await w.fetch!(new Request('http://x/'), env, c());
    await Promise.all(waits.splice(0));
    expect(memory.spans.map((s) => s.name)).toContain('background');
  });
});
