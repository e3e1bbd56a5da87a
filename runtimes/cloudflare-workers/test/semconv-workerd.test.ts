/**
 * What the Workers adapter's spans say, in real workerd (miniflare 4), against the semantic
 * conventions (fixtures/worker-semconv.ts records into a MemoryBackend shown at /dump): the
 * kind of every handler's span (FaaS: an incoming invocation is SERVER, a queue batch the
 * messaging conventions' CONSUMER), binding span names (database: `{db.operation.name} {target}`)
 * and a request `ctx.passThroughOnException()` sends on to the origin (HTTP: no status this
 * Worker did not send).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

const SERVER = 2, CLIENT = 3, CONSUMER = 5, ERROR = 2;

/** The first value `read` gives that is not undefined, read again every 50 ms for 10 s at most. */
async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

interface Dump {
  spans: { name: string; kind: number; status: { code: number; message?: string }; events: string[]; attributes: Record<string, unknown> }[];
  duration?: Record<string, unknown>[];
}

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd semantic conventions, $name', ({ flags }) => {
  let mf: Miniflare;
  let origin: Server;
  const dump = async (): Promise<Dump> => (await (await mf.dispatchFetch('http://worker.test/dump')).json()) as Dump;
  const span = (name: string) => until(async () => (await dump()).spans.find((s) => s.name === name));
  beforeAll(async () => {
    origin = createServer((_req, res) => res.end('from origin'));
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    mf = await startWorker({
      flags,
      entry: fixture('worker-semconv.ts'),
      vars: {},
      extra: { unsafeTriggerHandlers: true, upstream: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`, durableObjects: { ALARM: 'AlarmDO' } },
    });
  });
  afterAll(async () => {
    await mf?.dispose();
    await new Promise((r) => origin?.close(r));
  });

  test('scheduled, email and a Durable Object alarm get SERVER spans (FaaS incoming invocation, timer included; they were INTERNAL and CONSUMER), a queue batch a CONSUMER one', async () => {
    const worker = await mf.getWorker();
    await worker.scheduled({ cron: '* * * * *' });
    await worker.queue('q1', [{ id: 'm1', timestamp: new Date(), body: 'x', attempts: 1 }]);
    const raw = ['From: a@example.com', 'To: b@example.org', 'Subject: s', 'Message-ID: <s@example.com>', '', 'hi'].join('\r\n');
    await (await mf.dispatchFetch('http://worker.test/cdn-cgi/handler/email?from=a@example.com&to=b@example.org', { method: 'POST', body: raw })).text();
    expect(await (await mf.dispatchFetch('http://worker.test/alarm')).text()).toBe('set');
    const kinds = await Promise.all(['scheduled * * * * *', 'email', 'Alarm.alarm', 'process q1'].map(async (n) => [n, (await span(n)).kind]));
    expect(kinds).toEqual([
      ['scheduled * * * * *', SERVER],
      ['email', SERVER],
      ['Alarm.alarm', SERVER],
      ['process q1', CONSUMER],
    ]);
  });

  test('a queue batch whose messages the handler retried says so on its span (it looked like a success); one it did not retry has no count', async () => {
    const worker = await mf.getWorker();
    const m = (id: string) => ({ id, timestamp: new Date(), body: 'x', attempts: 1 });
    const r = await worker.queue('q2', [m('r1'), m('r2')]);
    expect(r.retryMessages.map((x) => x.msgId)).toEqual(['r1', 'r2']); // the calls still reach workerd
    expect((await span('process q2')).attributes['cloudflare.queue.retried']).toBe(2);
    expect((await span('process q1')).attributes['cloudflare.queue.retried']).toBeUndefined();
  });

  test('KV, R2 and D1 spans are named `{db.operation.name} {db.namespace}`; D1 exec, which runs a statement per line, is `exec DB`, not the first line\'s verb', async () => {
    expect(await (await mf.dispatchFetch('http://worker.test/db')).text()).toBe('ok');
    await span('SELECT DB');
    // The Alarm object's own storage calls (`setAlarm Alarm`) are Durable Object storage spans, not these.
    const db = (await dump()).spans.filter((s) => s.kind === CLIENT && s.attributes['db.system.name'] && s.attributes['db.system.name'] !== 'cloudflare.durable_object');
    expect(db.map((s) => [s.name, s.attributes['db.system.name'], s.attributes['db.operation.name'], s.attributes['db.namespace']])).toEqual([
      ['get KV', 'cloudflare.kv', 'get', 'KV'],
      ['head R2', 'cloudflare.r2', 'head', 'R2'],
      ['exec DB', 'cloudflare.d1', 'exec', 'DB'],
      ['SELECT DB', 'cloudflare.d1', 'SELECT', 'DB'],
    ]);
    expect(db[2]!.attributes['db.query.text']).toBe('CREATE TABLE IF NOT EXISTS t (x)\nINSERT INTO t VALUES (?)');
  });

  test('a handler that throws after ctx.passThroughOnException(): the origin answers; the span records the exception, ERROR, and no 500 the Worker never sent', async () => {
    const res = await mf.dispatchFetch('http://worker.test/pass');
    expect([res.status, await res.text()]).toEqual([200, 'from origin']);
    const thrown = await mf.dispatchFetch('http://worker.test/throw');
    expect(thrown.status).toBe(500);
    await thrown.text();
    const server = (path: string) => until(async () => (await dump()).spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === path));
    const passed = await server('/pass');
    expect([passed.status.code, passed.status.message, passed.attributes['error.type'], passed.events]).toEqual([ERROR, 'passed on', 'TypeError', ['exception']]);
    expect(passed.attributes['http.response.status_code']).toBeUndefined();
    // Without it the runtime answers 500, as before.
    expect((await server('/throw')).attributes['http.response.status_code']).toBe(500);
    const series = (await dump()).duration!.filter((a) => a['error.type'] === 'TypeError');
    expect(series.map((a) => a['http.response.status_code']).sort()).toEqual([500, undefined]);
  });

  test('a handler that calls ctx.passThroughOnException() and returns no Response: the origin answers; the span records the TypeError, ERROR, and no 500', async () => {
    const res = await mf.dispatchFetch('http://worker.test/pass-none');
    expect([res.status, await res.text()]).toEqual([200, 'from origin']);
    const s = await until(async () => (await dump()).spans.find((x) => x.kind === SERVER && x.attributes['url.path'] === '/pass-none'));
    expect([s.status.code, s.status.message, s.attributes['error.type'], s.attributes['http.response.status_code']]).toEqual([ERROR, 'handler did not return a Response', 'TypeError', undefined]);
  });

  test('a ctx behind a Proxy that binds a new copy of each method per read (otel-cf-workers around instrument()): every request passes on to the origin, and the runtime\'s method is wrapped once, not once more per request', async () => {
    for (const path of ['/bound/pass', '/bound/pass', '/pass', '/bound/pass']) {
      const res = await mf.dispatchFetch(`http://worker.test${path}`);
      expect([path, res.status, await res.text()]).toEqual([path, 200, 'from origin']);
    }
    // Wrapped once: the runtime's method and the one wrapper. It was wrapped again around each
    // request's bound copy, every layer keeping that request's ctx (and its telemetry) for good.
    expect(await (await mf.dispatchFetch('http://worker.test/held')).text()).toBe('2');
    const spans = await until(async () => {
      const s = (await dump()).spans.filter((x) => x.kind === SERVER && x.attributes['url.path'] === '/bound/pass');
      return s.length === 3 ? s : undefined;
    });
    for (const s of spans) expect([s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']]).toEqual([ERROR, 'TypeError', undefined]);
  });
});
