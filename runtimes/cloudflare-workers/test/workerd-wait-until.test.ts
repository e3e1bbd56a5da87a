/**
 * Work a handler hands to `ctx.waitUntil` itself, in real workerd (miniflare 4, `nodejs_compat`):
 * the spans and logs it records after the handler returned leave in the same export as the
 * invocation's own span, from a single invocation (no later one to carry them), and the export
 * waits for that work at most `waitUntilTimeoutMs`.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { logsOf, spansOf, waitFor, type DecodedSpan } from './helpers/telemetry.js';
import { bundleWorker, fixture, startWorker } from './helpers/workerd.js';

const SERVER = 2;
const FIXTURE = fixture('worker-wait-until.ts');

/** Each OTLP post of `path` on its own: what left together in one export. */
function posts(srv: TestServer, path: '/v1/traces' | '/v1/logs') {
  return srv.otlp().filter((r) => r.path === path).map((r) => ({ requests: [r] }) as unknown as TestServer);
}

/**
 * The 'late' span of `id` and the invocation span `isRoot` picks, which must have left in the
 * same post: one export for the invocation and the work it handed over.
 */
async function lateBesideRoot(srv: TestServer, id: string, isRoot: (s: DecodedSpan) => boolean): Promise<{ late: DecodedSpan; root: DecodedSpan }> {
  const post = await waitFor(() => posts(srv, '/v1/traces').map(spansOf).find((p) => p.some((s) => s.name === 'late' && s.attributes['test.id'] === id)));
  const late = post.find((s) => s.name === 'late' && s.attributes['test.id'] === id)!;
  const root = post.find(isRoot);
  expect(root, `the invocation's span left in the export that carried 'late' (${id})`).toBeDefined();
  expect(late.traceId).toBe(root!.traceId);
  expect(late.parentSpanId).toBe(root!.spanId);
  return { late, root: root! };
}

const serverOf = (path: string) => (s: DecodedSpan) => s.kind === SERVER && s.attributes['url.path'] === path;
/** The Durable Object's own SERVER span for `path` (the Worker that forwarded the request has one too). */
const roomOf = (path: string) => (s: DecodedSpan) => serverOf(path)(s) && s.attributes['cloudflare.durable_object.class'] === 'Room';

/** The 'late' log of `id` left in the same logs export as the 'early' one, written before the handler returned, with the span of `root`. */
async function lateLogBeside(srv: TestServer, id: string, root: DecodedSpan): Promise<void> {
  const logPost = await waitFor(() => posts(srv, '/v1/logs').map(logsOf).find((p) => p.some((l) => l.body === 'late' && l.attributes['test.id'] === id)));
  const lateLog = logPost.find((l) => l.body === 'late')!;
  expect(logPost.some((l) => l.body === 'early' && l.attributes['test.id'] === id)).toBe(true);
  expect(lateLog.traceId).toBe(root.traceId);
  expect(lateLog.spanId).toBe(root.spanId);
}

async function startWithReceiver(vars: Record<string, string>): Promise<{ srv: TestServer; mf: Miniflare }> {
  const srv = await startTestServer();
  const mf = await startWorker({ flags: ['nodejs_compat'], entry: FIXTURE, vars: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url, ...vars }, extra: { unsafeTriggerHandlers: true, durableObjects: { ROOM: 'RoomDO' } } });
  return { srv, mf };
}

/** The fixture as worker 'main' beside `other` (a caller, a Tail Worker), exporting to a receiver of its own. */
async function startBeside(other: Record<string, unknown>, main: Record<string, unknown> = {}): Promise<{ srv: TestServer; mf: Miniflare }> {
  const srv = await startTestServer();
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    workers: [
      { compatibilityDate: '2026-04-01', modules: true, ...other } as never,
      {
        name: 'main',
        modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker(FIXTURE) }],
        compatibilityDate: '2026-04-01',
        compatibilityFlags: ['nodejs_compat'],
        bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url, BATCH_WINDOW_MS: '0' },
        durableObjects: { ROOM: 'RoomDO' },
        ...main,
      },
    ],
  });
  return { srv, mf };
}

describe('workerd: the handler\'s own ctx.waitUntil work leaves with its invocation', () => {
  let srv: TestServer;
  let mf: Miniflare;
  // Every scope exports when it closes (no batching): the work's span can only share the
  // server span's post if the export waited for it.
  beforeAll(async () => ({ srv, mf } = await startWithReceiver({ BATCH_WINDOW_MS: '0', WAIT_UNTIL_TIMEOUT_MS: '2000' })));
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  test('a span and a log recorded 20 ms after the handler returned leave in the same export, children of the server span', async () => {
    const r = await mf.dispatchFetch('http://worker.test/late?id=a');
    expect(await r.text()).toBe('ok');
    const { root } = await lateBesideRoot(srv, 'a', serverOf('/late'));
    await lateLogBeside(srv, 'a', root);
  });

  test('work that never settles holds the export only until waitUntilTimeoutMs; what ended by then leaves with it', async () => {
    const r = await mf.dispatchFetch('http://worker.test/hang?id=c');
    expect(await r.text()).toBe('ok');
    await lateBesideRoot(srv, 'c', serverOf('/hang'));
  });

  test('a Durable Object likewise: its fetch\'s export goes after waitUntilTimeoutMs with the work that ended', async () => {
    expect(await (await mf.dispatchFetch('http://worker.test/do/hang?id=do-hang')).text()).toBe('ok');
    await lateBesideRoot(srv, 'do-hang', roomOf('/do/hang'));
  });

  test('work that hands over more work itself is waited for too; passThroughOnException, props, exports and getRequestTelemetry(ctx) work on the ctx the handler got', async () => {
    const r = await mf.dispatchFetch('http://worker.test/members?id=d');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ props: 'object', exports: 'object', same: true });
    const { root } = await lateBesideRoot(srv, 'd', serverOf('/members'));
    const { root: again } = await lateBesideRoot(srv, 'd-later', serverOf('/members'));
    expect(again.spanId).toBe(root.spanId);
  });

  test('scheduled and queue: the work handed over leaves with the invocation span', async () => {
    const worker = await mf.getWorker();
    await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
    await lateBesideRoot(srv, 'scheduled', (s) => s.name === 'scheduled * * * * *');
    const result = await worker.queue('q1', [{ id: 'm1', timestamp: new Date(), body: 1, attempts: 1 }]);
    expect(result.outcome).toBe('ok');
    await lateBesideRoot(srv, 'queue', (s) => s.name === 'process q1');
  });
});

describe('workerd, a Durable Object: each invocation\'s export waits for the work it hands to this.ctx.waitUntil, and only its own', () => {
  let srv: TestServer;
  let mf: Miniflare;
  // A timeout far past the tests' waits: an export held for another invocation's work would not come.
  beforeAll(async () => ({ srv, mf } = await startWithReceiver({ BATCH_WINDOW_MS: '0', WAIT_UNTIL_TIMEOUT_MS: '20000' })));
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  test('fetch: a span and a log recorded 50 ms after the handler returned leave in the same export, children of the object\'s span', async () => {
    expect(await (await mf.dispatchFetch('http://worker.test/do/late?id=do')).text()).toBe('ok');
    const { root } = await lateBesideRoot(srv, 'do', roomOf('/do/late'));
    await lateLogBeside(srv, 'do', root);
  });

  test('two requests at once to one object, one handing over work after an await that ends later: the other is not held for it', async () => {
    const gated = mf.dispatchFetch('http://worker.test/do/gated?id=slow');
    expect(await (await mf.dispatchFetch('http://worker.test/do/plain')).text()).toBe('ok');
    expect(await (await gated).text()).toBe('ok');
    await waitFor(() => spansOf(srv).find(roomOf('/do/plain')));
    expect(spansOf(srv).some(roomOf('/do/gated')), 'the gated request\'s export waits for its work').toBe(false);
    expect(await (await mf.dispatchFetch('http://worker.test/do/open')).text()).toBe('ok');
    await lateBesideRoot(srv, 'slow', roomOf('/do/gated'));
  });

  test('an RPC method and alarm: the work handed over leaves with the call\'s span', async () => {
    await (await mf.dispatchFetch('http://worker.test/do/plain')).text(); // the fixture's monitor, for work() and alarm()
    expect(await (await mf.dispatchFetch('http://worker.test/do-rpc?id=do-rpc')).text()).toBe('done');
    await lateBesideRoot(srv, 'do-rpc', (s) => s.name === 'Room.work');
    expect(await (await mf.dispatchFetch('http://worker.test/do/alarm')).text()).toBe('ok');
    await lateBesideRoot(srv, 'alarm', (s) => s.name === 'Room.alarm');
  });
});

test('workerd, batching (batchWindowMs default): a request whose export waits for its work leaves whole, in a later batch; the requests beside it leave too', async () => {
  const { srv, mf } = await startWithReceiver({});
  try {
    // The work ends 150 ms after the response, past the 100 ms window its server span would
    // otherwise have left in.
    const all = await Promise.all([mf.dispatchFetch('http://worker.test/late?id=e&ms=150'), ...Array.from({ length: 5 }, (_, i) => mf.dispatchFetch(`http://worker.test/plain?id=p${i}`))]);
    for (const r of all) await r.text();
    await lateBesideRoot(srv, 'e', serverOf('/late'));
    await waitFor(() => spansOf(srv).filter(serverOf('/plain')).length === 5);
  } finally {
    await mf.dispose();
    await srv.close();
  }
});

test.each([
  ['a Worker', '/reject', 'b', serverOf('/reject')],
  ['a Durable Object', '/do/reject', 'do-reject', roomOf('/do/reject')],
])('workerd, %s: work that rejects is waited for too, and the rejection stays the app\'s (workerd reports it, as without the monitor)', async (_, path, id, isRoot) => {
  // A Tail Worker reads what workerd reports for the request: the waitUntil rejection among its exceptions.
  const { srv, mf } = await startBeside(
    { name: 'tail', script: 'const seen = []; export default { tail(events) { seen.push(...events) }, fetch: () => Response.json(seen) }' },
    { tails: ['tail'] },
  );
  try {
    const main = await mf.getWorker('main');
    expect(await (await main.fetch(`http://worker.test${path}?id=${id}`)).text()).toBe('ok');
    await lateBesideRoot(srv, id, isRoot);
    const tail = await mf.getWorker('tail');
    let messages: string[] = [];
    for (let i = 0; i < 200 && !messages.includes(`user failure ${id}`); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      const events = (await (await tail.fetch('http://tail/')).json()) as { exceptions: { message: string }[] }[];
      messages = events.flatMap((e) => e.exceptions.map((x) => x.message));
    }
    expect(messages).toContain(`user failure ${id}`);
  } finally {
    await mf.dispose();
    await srv.close();
  }
});

test('workerd, instrument(class extends WorkerEntrypoint): this.ctx.waitUntil work leaves with the request, and with an RPC call', async () => {
  const caller = "export default { fetch: async (r, env) => new URL(r.url).pathname === '/rpc' ? new Response(await env.APP.work()) : env.APP.fetch(r) }";
  const { srv, mf } = await startBeside({ name: 'caller', script: caller, serviceBindings: { APP: { name: 'main', entrypoint: 'ClassApp' } } });
  try {
    const r = await mf.dispatchFetch('http://worker.test/class');
    expect(((await r.json()) as { same: boolean }).same).toBe(true);
    await lateBesideRoot(srv, 'class', serverOf('/class'));
    expect(await (await mf.dispatchFetch('http://worker.test/rpc')).text()).toBe('done');
    await lateBesideRoot(srv, 'rpc', (s) => s.name === 'App.work');
  } finally {
    await mf.dispose();
    await srv.close();
  }
});
