/**
 * Work a Vercel function hands to `waitUntil` from `@vercel/functions` is waited for by the
 * invocation's export, as Netlify's `context.waitUntil` work is: what it records leaves with the
 * invocation. The platform is stood in for as Vercel's runtime installs it: one reader under
 * `Symbol.for('@vercel/request-context')` whose `get()` is an AsyncLocalStorage's store, each
 * invocation run with a context of its own holding the platform's `waitUntil`; `@vercel/functions`'
 * `waitUntil(p)` reads that context per call (`getContext().waitUntil?.(p)`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

const SYMBOL = Symbol.for('@vercel/request-context');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Data {
  waitUntil: (promise: Promise<unknown>) => void;
  /** When the invocation ends (ISO 8601), as `@vercel/functions`' getDeadline reads it. */
  deadline?: string;
}

/** Vercel's runtime: the reader it installs, and an invocation run under a context of its own. */
function vercelRuntime() {
  const store = new AsyncLocalStorage<Data>();
  (globalThis as Record<symbol, unknown>)[SYMBOL] = { get: () => store.getStore() };
  const handed: Promise<unknown>[] = [];
  const run = <T>(fn: () => T, deadline?: Date): { result: T; context: Data; original: Data['waitUntil']; settled: () => Promise<void> } => {
    const context: Data = { waitUntil: (p) => void handed.push(p) };
    if (deadline) context.deadline = deadline.toISOString();
    const original = context.waitUntil;
    const result = store.run(context, fn);
    // The instance lives until every promise handed over has settled, those handed meanwhile included.
    const settled = async () => {
      for (let seen = 0; seen < handed.length; ) await Promise.allSettled(handed.slice(seen, (seen = handed.length)));
    };
    return { result, context, original, settled };
  };
  return { run, handed };
}

/** `waitUntil` of `@vercel/functions`, as it is written there. */
function waitUntil(promise: Promise<unknown>): void {
  const ctx = (globalThis as Record<symbol, { get?: () => Data | undefined } | undefined>)[SYMBOL]?.get?.() ?? ({} as Partial<Data>);
  ctx.waitUntil?.(promise);
}

let server: Server | undefined;
afterEach(async () => {
  delete (globalThis as Record<symbol, unknown>)[SYMBOL];
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

function background(monitor: ReturnType<typeof createTestMonitor>['monitor'], label: string): Promise<void> {
  return (async () => {
    await sleep(30);
    await monitor.tracer.startActiveSpan(`${label}-span`, async () => monitor.logger.info(`${label}-log`));
  })();
}

test("Vercel Web function: work given to @vercel/functions' waitUntil is waited for by the export, and still reaches the platform", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const vercel = vercelRuntime();
  const work: Promise<unknown>[] = [];
  const handler = wrapFunction(async (_req: Request) => {
    const p = background(monitor, 'email');
    work.push(p);
    waitUntil(p);
    return new Response('accepted', { status: 202 });
  }, monitor);
  const { result, context, original, settled } = vercel.run(() => handler(new Request('https://x.vercel.app/api/signup', { method: 'POST' })));
  expect((await result).status).toBe(202);
  await settled();
  // The platform got the app's own promise, as it is, and the export.
  expect(vercel.handed).toContain(work[0]);
  expect(memory.spans.map((s) => s.name)).toContain('email-span');
  expect(memory.logs.map((l) => l.body)).toEqual(['email-log']);
  // Its own waitUntil is put back on the request's context once the invocation's hold ends.
  await sleep(0);
  expect(context.waitUntil).toBe(original);
});

test("Vercel's Node.js runtime calling a Web handler (request, event): @vercel/functions' waitUntil work is waited for too", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const vercel = vercelRuntime();
  const handler = wrapFunction(async (_req: Request, _event: unknown) => {
    waitUntil(background(monitor, 'global'));
    return new Response('ok');
  }, monitor);
  // The event the runtime passes forwards to the same platform waitUntil as the request context's.
  const { result, settled } = vercel.run(() => {
    const store = (globalThis as Record<symbol, { get: () => Data }>)[SYMBOL]!.get();
    const event = { waitUntil: (p: Promise<unknown>) => store.waitUntil(p) };
    return handler(new Request('https://x.vercel.app/api'), event);
  });
  expect((await result).status).toBe(200);
  // The export is not among the work it waits for (it would wait for itself until the hold's 10 s bound).
  expect(await Promise.race([settled().then(() => 'settled'), sleep(3000).then(() => 'held by its own export')])).toBe('settled');
  expect(memory.logs.map((l) => l.body)).toEqual(['global-log']);
});

test("Vercel Node.js function (req, res): work given to @vercel/functions' waitUntil is waited for by the export", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const vercel = vercelRuntime();
  const handler = wrapFunction((_req: IncomingMessage, res: ServerResponse) => {
    waitUntil(background(monitor, 'audit'));
    res.end('ok');
  }, monitor);
  let settled!: () => Promise<void>;
  const done = new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      const run = vercel.run(() => handler(req, res));
      settled = run.settled;
      void Promise.resolve(run.result).then(() => resolve());
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`);
  expect(await res.text()).toBe('ok');
  await done;
  await settled();
  expect(memory.spans.map((s) => s.name)).toContain('audit-span');
  expect(memory.logs.map((l) => l.body)).toEqual(['audit-log']);
});

test('Vercel: a request context that takes no property (frozen) is left as it is; the export still goes to its waitUntil', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const handed: Promise<unknown>[] = [];
  const context = Object.freeze({ waitUntil: (p: Promise<unknown>) => void handed.push(p) });
  (globalThis as Record<symbol, unknown>)[SYMBOL] = { get: () => context };
  const handler = wrapFunction(async (_req: Request) => new Response('ok'), monitor);
  expect((await handler(new Request('https://x.vercel.app/'))).status).toBe(200);
  expect(handed).toHaveLength(1);
  await Promise.all(handed);
  expect(memory.spans).toHaveLength(1);
});

test("Vercel: work that never settles does not hold the export past the invocation's deadline", async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const vercel = vercelRuntime();
  const handler = wrapFunction(
    async (_req: Request) => {
      waitUntil(new Promise(() => {})); // a call that hangs
      return new Response('ok');
    },
    monitor,
    { flushTimeoutMs: 1000 },
  );
  // Less time left than the export's margin: the export is not held at all.
  const deadline = new Date(Date.now() + 500);
  const { result } = vercel.run(() => handler(new Request('https://x.vercel.app/')), deadline);
  expect((await result).status).toBe(200);
  // Handed to the platform after the app's own promise, it settles before the platform stops the
  // function at its deadline, though that promise never does.
  const exported = vercel.handed[vercel.handed.length - 1]!.then(() => 'exported');
  expect(await Promise.race([exported, sleep(deadline.getTime() - Date.now()).then(() => 'stopped at the deadline')])).toBe('exported');
  expect(memory.spans).toHaveLength(1);
});

test('Vercel: with time left before the deadline, the export waits for the work, then leaves', async () => {
  const { monitor, memory } = createTestMonitor({ onDiagnostic: () => {} });
  const vercel = vercelRuntime();
  const handler = wrapFunction(async (_req: Request) => {
    waitUntil(background(monitor, 'late'));
    return new Response('ok');
  }, monitor);
  const { result, settled } = vercel.run(() => handler(new Request('https://x.vercel.app/')), new Date(Date.now() + 60_000));
  await result;
  await settled();
  expect(memory.logs.map((l) => l.body)).toEqual(['late-log']);
});
