/**
 * A Durable Object and a WorkerEntrypoint under instrumentDO()/instrument() in real workerd
 * (miniflare 4), called through their stubs: what the caller gets is what the same class, not
 * instrumented, gives (private fields, statics, `instanceof`, blockConcurrencyWhile in the
 * constructor, RpcTargets returned and pipelined, disposal, functions returned, errors across RPC,
 * calls forwarded without `await`); the alarm's retry info and the hibernatable WebSocket events
 * reach the handlers; each call's SERVER span says how the call went for the caller.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Span {
  id: string;
  name: string;
  kind: number;
  parent: string | null;
  trace: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: string[];
}
interface Dump {
  events: unknown[];
  spans: Span[];
}
/** Polls the worker's /dump until `done` says so (at most 10 s). */
async function dumpUntil(mf: () => Miniflare, done: (d: Dump) => boolean): Promise<Dump> {
  for (let i = 0; ; i++) {
    const d = (await (await mf().dispatchFetch('http://worker.test/dump')).json()) as Dump;
    if (done(d)) return d;
    if (i > 500) throw new Error(`timed out: ${JSON.stringify(d.spans.map((s) => s.name))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, Durable Object and WorkerEntrypoint RPC edges, $name', ({ flags }) => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  let results: Record<string, unknown>;
  beforeAll(async () => {
    mf = await startWorker({
      flags,
      entry: fixture('worker-do-rpc-edges.ts'),
      vars: {},
      extra: {
        name: 'main',
        durableObjects: { BOX: { className: 'BoxDO', useSQLite: true }, RAW: { className: 'Box', useSQLite: true } },
        serviceBindings: { SVC: { name: 'main', entrypoint: 'SvcEntry' } },
      } as never,
    });
    results = await get('/do');
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('every call answers the caller as the class not instrumented does: `this`, #private, statics, instanceof, blockConcurrencyWhile, RpcTargets pipelined and disposed, functions, errors, forwarded calls', async () => {
    const raw = await get('/do?ns=raw&id=raw');
    expect(results).toMatchObject(raw);
    expect(Object.keys(raw)).toHaveLength(12);
    expect(results).toMatchObject({
      secret: 'hidden',
      whoami: [true, 'box', 'box', 'fresh'],
      pipelined: 1,
      pipelinedAsync: 1,
      counterTwice: 2,
      fail: { threw: 'Error', message: 'CustomError: custom' },
      failAsync: { threw: 'TypeError', message: 'bad type' },
      echo: [[1, 2], true, true],
      doubler: 42,
      svcAdd: 3,
      svcPipelined: 1,
      svcFail: { threw: 'Error', message: 'CustomError: svc custom' },
      forwardOk: 42,
      forwardFail: { threw: 'Error', message: 'CustomError: svc custom' },
      svcForwardOk: 1,
      svcForwardFail: { threw: 'TypeError', message: 'bad type' },
      fetch: 'fetched /x',
    });
    await dumpUntil(() => mf, (d) => d.events.filter((e) => e === 'disposed').length >= 3);
  });

  test('a method that forwards a call without awaiting it (returns the runtime\'s RPC promise): its SERVER span ends with that call, ERROR when it failed for the caller (it ended at once, OK)', async () => {
    const { spans } = await dumpUntil(() => mf, (d) => d.spans.filter((s) => s.name === 'Box.forward' || s.name === 'Svc.forward').length >= 4);
    const forwards = spans.filter((s) => s.kind === SERVER && (s.name === 'Box.forward' || s.name === 'Svc.forward'));
    expect(forwards).toHaveLength(4);
    for (const name of ['Box.forward', 'Svc.forward']) {
      const [ok, failed] = forwards.filter((s) => s.name === name);
      expect(ok!.status.code).toBe(0);
      expect(ok!.attributes['error.type']).toBeUndefined();
      expect(failed!.status.code).toBe(ERROR);
      expect(failed!.status.message).toBe(name === 'Box.forward' ? 'CustomError: svc custom' : 'bad type');
      expect(failed!.attributes['error.type']).toBe(name === 'Box.forward' ? 'Error' : 'TypeError');
      expect(failed!.events).toContain('exception');
      // The forwarded call's CLIENT span is a child of the method's (the call is made before any await).
      const client = spans.find((s) => s.kind === CLIENT && s.parent === failed!.id)!;
      expect(client.name).toBe(name === 'Box.forward' ? 'SVC.fail' : 'BOX.failAsync');
      expect(client.status.code).toBe(ERROR);
    }
  });

  test('a method the constructor\'s blockConcurrencyWhile callback calls after an await is no RPC call: no span (with AsyncLocalStorage; without it nothing tells it apart after an await)', async () => {
    const { events, spans } = await dumpUntil(() => mf, (d) => d.spans.some((s) => s.name === 'Box.secret'));
    expect(events.filter((e) => e === 'settled').length).toBeGreaterThanOrEqual(2); // each object constructed ran it
    const settle = spans.filter((s) => s.name === 'Box.settle');
    if (flags.length) expect(settle).toEqual([]);
    else expect(settle.length).toBeGreaterThan(0);
    // The object's RPC methods still get theirs.
    expect(spans.find((s) => s.name === 'Box.secret')!.kind).toBe(SERVER);
  });

  test('errors thrown by RPC methods: the SERVER span has ERROR, the error\'s own type and message', async () => {
    const { spans } = await dumpUntil(() => mf, (d) => d.spans.some((s) => s.name === 'Svc.fail'));
    const fail = spans.find((s) => s.name === 'Box.fail')!;
    expect(fail.kind).toBe(SERVER);
    expect(fail.status).toMatchObject({ code: ERROR, message: 'custom' });
    expect(fail.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': 'Box', 'rpc.method': 'fail', 'error.type': 'CustomError', 'cloudflare.durable_object.class': 'Box' });
    expect(spans.find((s) => s.name === 'Svc.fail')!.attributes).toMatchObject({ 'rpc.service': 'Svc', 'error.type': 'CustomError' });
    expect(spans.find((s) => s.name === 'Box.secret')!.status.code).toBe(0);
  });

  test('an alarm that throws is retried by the runtime with its retry info; each attempt a SERVER span, the failed one ERROR', async () => {
    await get('/alarm');
    const { events, spans } = await dumpUntil(() => mf, (d) => d.spans.filter((s) => s.name === 'Box.alarm').length >= 2);
    const alarms = events.filter((e) => (e as { alarm?: unknown }).alarm).map((e) => (e as { alarm: { retryCount: number; isRetry: boolean } }).alarm);
    expect(alarms.map((a) => [a.retryCount, a.isRetry])).toEqual([
      [0, false],
      [1, true],
    ]);
    const [first, retry] = spans.filter((s) => s.name === 'Box.alarm');
    expect(first!.kind).toBe(SERVER);
    expect(first!.attributes).toMatchObject({ 'faas.trigger': 'timer', 'cloudflare.durable_object.class': 'Box' });
    expect(first!.status).toMatchObject({ code: ERROR, message: 'alarm fails once' });
    expect(retry!.status.code).toBe(0);
  });

  test('hibernatable WebSocket: the upgrade answers 101, messages and the close reach the handlers, each a SERVER span', async () => {
    expect(await get('/ws')).toEqual({ status: 101, answer: 'echo:hi' });
    const { events, spans } = await dumpUntil(() => mf, (d) => d.spans.some((s) => s.name === 'Box.webSocketClose'));
    expect(events).toContainEqual({ close: 1000, reason: 'bye' });
    const message = spans.find((s) => s.name === 'Box.webSocketMessage')!;
    expect(message.kind).toBe(SERVER);
    expect(message.attributes).toMatchObject({ 'faas.trigger': 'other', 'cloudflare.websocket.event': 'message' });
    expect(spans.find((s) => s.name === 'GET' && s.attributes['http.response.status_code'] === 101 && s.kind === SERVER)).toBeDefined();
  });
});
