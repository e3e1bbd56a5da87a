/**
 * Coverage differential against @microlabs/otel-cf-workers 1.0.0-rc.52 in real workerd
 * (miniflare 4, nodejs_compat): one app (fixtures/diff-app.ts) instrumented by each library,
 * the same requests and events, both sides' spans decoded. Attribute names differ by design
 * (ours follow the stable semantic conventions), so only our structure is asserted; the
 * other side's is printed with DIFF_DUMP=1 and summed up in the table below.
 *
 * | operation                     | ours (span, kind)                                    | otel-cf-workers rc.52                                              |
 * | ----------------------------- | ---------------------------------------------------- | ------------------------------------------------------------------ |
 * | fetch handler                 | `GET` SERVER, traceparent continued                  | `fetchHandler GET` SERVER, traceparent continued                   |
 * | thrown error                  | ERROR + message, `error.type`, `exception` event     | ERROR without message, `exception` event, no status code attribute |
 * | KV get/put/list               | `<op> KV` CLIENT, `cloudflare.kv.hit`; no key        | `KV KV <op>` CLIENT; records the key (`db.cf.kv.key`)              |
 * | D1 prepare().bind().all()     | `SELECT DB` CLIENT, SQL text with placeholders       | `DB all` CLIENT, status OK, rows read/written, duration            |
 * | D1 batch                      | one `BATCH SELECT DB` CLIENT, statements' text       | `DB batch` INTERNAL + one CLIENT child per statement               |
 * | D1 error                      | ERROR, `error.type`, `exception`                     | ERROR, `exception`                                                 |
 * | R2 put/get                    | `<op> R2` CLIENT, `cloudflare.r2.hit`                | none (R2 is not instrumented)                                      |
 * | outgoing fetch                | `GET` CLIENT, traceparent sent                       | `fetch GET host` CLIENT, traceparent sent                          |
 * | service binding fetch         | `GET` CLIENT → callee `GET` SERVER, same trace       | `Service Binding SVC` CLIENT; no wrapper for the callee class      |
 * | service binding RPC           | `SVC.hello` CLIENT; callee `SvcImpl.hello` new trace | none                                                               |
 * | Durable Object stub fetch     | `GET` CLIENT → `GET` SERVER, same trace              | `Durable Object COUNTER` CLIENT → `Durable Object Fetch a` SERVER  |
 * | Durable Object RPC            | `COUNTER.add` CLIENT; `CounterImpl.add` new trace    | none, neither caller nor callee (nor a throwing method)            |
 * | Queue send                    | `send Q` PRODUCER, messaging attributes              | `Queues Q send` INTERNAL                                           |
 * | caches.default put/match      | `cache <op>` CLIENT, `cache.hit`, `url.full`         | `Cache default <op>` CLIENT, `cache.hit`, `http.url`               |
 * | ctx.waitUntil work            | child of the SERVER span, same export                | child of the SERVER span                                           |
 * | scheduled                     | `scheduled <cron>` SERVER root                       | `scheduledHandler <cron>` INTERNAL root                            |
 * | queue consumer                | `process q1` CONSUMER root, batch size               | `queueHandler q1` CONSUMER root, ack/retry counts, ack events      |
 * | email                         | `email` SERVER root, size only                       | `emailHandler <to>` CONSUMER; records From/To/Subject headers      |
 * | queue send → consumer         | no link (neither)                                    | no link                                                            |
 *
 * Status: otel-cf-workers sets OK on some successful spans (D1, DO fetch, handlers); ours leaves
 * them UNSET, as instrumentation should.
 */
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { attrs, spansOf, waitFor, type DecodedSpan } from './helpers/telemetry.js';
import { bundleWorker, fixture } from './helpers/workerd.js';

const shim = fileURLToPath(new URL('../../../bench/size/semconv-incubating-shim.ts', import.meta.url));

async function start(entry: string, srv: TestServer): Promise<Miniflare> {
  const code = await bundleWorker(fixture(entry), { '@opentelemetry/semantic-conventions/incubating': shim });
  const mf = new Miniflare({
    name: 'diff',
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    kvNamespaces: ['KV'],
    d1Databases: ['DB'],
    r2Buckets: ['R2'],
    queueProducers: { Q: { queueName: 'q1' } },
    durableObjects: { COUNTER: 'Counter' },
    serviceBindings: { SVC: { name: 'diff', entrypoint: 'Svc' } },
    unsafeTriggerHandlers: true,
    bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url, OTLP: srv.url, UPSTREAM: srv.url },
  } as MiniflareOptions);
  await mf.ready;
  return mf;
}

/** otel-cf-workers posts OTLP/JSON. */
function jsonSpans(srv: TestServer): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const r of srv.otlp()) {
    if (r.path !== '/v1/traces' || !String(r.headers['content-type']).includes('json')) continue;
    const msg = JSON.parse(r.body.toString()) as any;
    for (const rs of msg.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ ...s, attributes: attrs(s.attributes), resource: attrs(rs.resource?.attributes) });
  }
  return out;
}

/** The /app answer: the traceparent each callee received. */
interface Seen {
  upstream: string | null;
  svc: string;
  obj: string;
}

async function drive(mf: Miniflare): Promise<Seen> {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const seen = (await (await mf.dispatchFetch('http://worker.test/app', { headers: { traceparent: tp } })).json()) as Seen;
  await (await mf.dispatchFetch('http://worker.test/fail')).text();
  expect(await (await mf.dispatchFetch('http://worker.test/bind-fail')).json()).toEqual(['Error', 'TypeError']);
  const worker = await mf.getWorker();
  await worker.scheduled({ cron: '* * * * *', scheduledTime: new Date() });
  await worker.queue('q1', [{ id: 'm1', timestamp: new Date(), body: { a: 1 }, attempts: 1 }]);
  const raw = ['From: a@example.com', 'To: b@example.org', 'Subject: hi', 'Message-ID: <x@example.com>', '', 'hello'].join('\r\n');
  await (await mf.dispatchFetch('http://worker.test/cdn-cgi/handler/email?from=a@example.com&to=b@example.org', { method: 'POST', body: raw })).text();
  return seen;
}

function show(label: string, spans: DecodedSpan[]): void {
  if (!process.env.DIFF_DUMP) return;
  const byId = new Map(spans.map((s) => [s.spanId, s.name]));
  console.log(`--- ${label}`);
  for (const s of spans)
    console.log(JSON.stringify({ name: s.name, kind: s.kind, trace: s.traceId.slice(0, 8), parent: s.parentSpanId ? (byId.get(s.parentSpanId) ?? `?${s.parentSpanId.slice(0, 6)}`) : null, status: s.status, events: s.events?.map((e) => e.name), attrs: Object.keys(s.attributes).sort() }));
}

describe('coverage differential vs otel-cf-workers rc.52 in workerd', () => {
  let srv: TestServer;
  let mf: Miniflare;
  let ocw: DecodedSpan[] = [];
  let ours: DecodedSpan[] = [];
  let seen: Seen;

  beforeAll(async () => {
    srv = await startTestServer();
    const other = await start('diff-otel-cf-workers.ts', srv);
    await drive(other);
    ocw = await waitFor(() => {
      const s = jsonSpans(srv);
      return s.some((x) => x.name.startsWith('emailHandler')) && s;
    });
    await other.dispose();
    srv.requests.length = 0;
    mf = await start('diff-ours.ts', srv);
    seen = await drive(mf);
    // Every invocation exports on its own (callees and handlers too): wait for the last of each.
    const last = ['email', 'process q1', 'scheduled * * * * *', 'SvcImpl.hello', 'CounterImpl.add', 'CounterImpl.fail'];
    ours = await waitFor(() => {
      const s = spansOf(srv);
      return last.every((n) => s.some((x) => x.name === n)) && s.filter((x) => x.name === 'get KV').length >= 5 && s;
    });
    show('otel-cf-workers', ocw);
    show('ours', ours);
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  const SERVER = 2, CLIENT = 3, PRODUCER = 4, CONSUMER = 5, ERROR = 2;
  const one = (p: (s: DecodedSpan) => boolean): DecodedSpan => {
    const found = ours.filter(p);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const childrenOf = (s: DecodedSpan) => ours.filter((c) => c.parentSpanId === s.spanId && c.traceId === s.traceId);

  test('the request continues the incoming traceparent; every binding, cache, fetch and waitUntil call is a child of its SERVER span', () => {
    const server = one((s) => s.kind === SERVER && s.attributes['url.path'] === '/app');
    expect(server.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server.parentSpanId).toBe('b7ad6b7169203331');
    const kids = childrenOf(server).map((s) => `${s.kind} ${s.name}`);
    expect(kids.sort()).toEqual(
      [
        `${CLIENT} put KV`, `${CLIENT} get KV`, `${CLIENT} list KV`, `${CLIENT} get KV`, // the last one in ctx.waitUntil
        `${CLIENT} SELECT DB`, `${CLIENT} BATCH SELECT DB`,
        `${CLIENT} put R2`, `${CLIENT} get R2`,
        `${CLIENT} GET`, `${CLIENT} GET`, `${CLIENT} GET`, // upstream, service binding, Durable Object
        `${CLIENT} SVC.hello`, `${CLIENT} COUNTER.add`,
        `${PRODUCER} send Q`,
        `${CLIENT} cache put`, `${CLIENT} cache match`,
      ].sort(),
    );
    expect(childrenOf(server).every((s) => s.status?.code !== ERROR)).toBe(true);
  });

  test('service binding and Durable Object fetch: the callee SERVER span is a child of the caller CLIENT span; RPC starts a new trace (README limitation)', () => {
    const server = one((s) => s.kind === SERVER && s.attributes['url.path'] === '/app');
    for (const url of ['http://svc/', 'http://do/']) {
      const client = one((s) => s.kind === CLIENT && s.attributes['url.full'] === url && s.traceId === server.traceId);
      const callee = one((s) => s.kind === SERVER && s.parentSpanId === client.spanId);
      expect(callee.traceId).toBe(server.traceId);
      expect(seen[url === 'http://svc/' ? 'svc' : 'obj']).toBe(`00-${server.traceId}-${client.spanId}-01`);
    }
    const upstream = one((s) => s.kind === CLIENT && String(s.attributes['url.full']).endsWith('/echo') && s.traceId === server.traceId);
    expect(upstream.parentSpanId).toBe(server.spanId);
    expect(seen.upstream).toBe(`00-${server.traceId}-${upstream.spanId}-01`);
    for (const name of ['SvcImpl.hello', 'CounterImpl.add']) {
      const rpc = ours.filter((s) => s.name === name && s.kind === SERVER);
      expect(rpc.length).toBeGreaterThan(0);
      for (const s of rpc) expect([s.traceId, s.parentSpanId]).toEqual([expect.not.stringMatching(server.traceId), undefined]);
    }
  });

  test('a thrown handler error: SERVER span ERROR with message, error.type and an exception event', () => {
    const failed = one((s) => s.kind === SERVER && s.attributes['url.path'] === '/fail');
    expect(failed.status).toMatchObject({ code: ERROR, message: 'boom' });
    expect(failed.attributes['error.type']).toBe('RangeError');
    expect(failed.events?.map((e) => e.name)).toContain('exception');
  });

  test('a failed binding call (D1 on a missing table, a Durable Object RPC method that throws): its CLIENT span is ERROR with error.type', () => {
    const server = one((s) => s.kind === SERVER && s.attributes['url.path'] === '/bind-fail');
    const kids = childrenOf(server);
    expect(kids.map((s) => [s.name, s.kind, s.status?.code, s.attributes['error.type']]).sort()).toEqual([
      ['COUNTER.fail', CLIENT, ERROR, 'TypeError'],
      ['SELECT DB', CLIENT, ERROR, 'Error'],
    ]);
    const callee = one((s) => s.name === 'CounterImpl.fail');
    expect([callee.kind, callee.status?.code, callee.attributes['error.type']]).toEqual([SERVER, ERROR, 'TypeError']);
  });

  test('scheduled, queue and email handlers: a root span each, with the handler work as children', () => {
    for (const [name, kind] of [
      ['scheduled * * * * *', SERVER],
      ['process q1', CONSUMER],
      ['email', SERVER],
    ] as const) {
      const root = one((s) => s.name === name);
      expect([root.kind, root.parentSpanId]).toEqual([kind, undefined]);
      expect(childrenOf(root).map((s) => s.name)).toEqual(['get KV']);
    }
  });

  test('otel-cf-workers ran the same app (its side is documented, not asserted)', () => {
    expect(ocw.some((s) => s.name === 'fetchHandler GET')).toBe(true);
  });
});
