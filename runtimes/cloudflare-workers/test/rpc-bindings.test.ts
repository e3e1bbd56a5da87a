/**
 * Workers RPC through instrumented bindings, in real workerd (miniflare 4): a Worker calls its own
 * `Api` entrypoint through a service binding and a Durable Object through its stub, with
 * `instrument()` on the caller only. Property reads, RpcTarget methods and promise pipelining
 * must give what the raw bindings give; each RPC call gets a CLIENT span lasting as long as the
 * call, with the callee's exception recorded. Spans go to a local OTLP receiver.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { spansOf, waitFor, type DecodedSpan } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

const CLIENT = 3;

const modes = [
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
];

const durationMs = (s: DecodedSpan): number => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;

describe.each(modes)('workerd, RPC through instrumented service bindings and Durable Object stubs, $name', (mode) => {
  let srv: TestServer;
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  const span = (name: string) => waitFor(() => spansOf(srv).find((s) => s.name === name));
  /** The onBindingCall event of that call, as the Worker recorded it (polled: waitFor is synchronous). */
  const event = async (binding: string, operation: string): Promise<any> => {
    for (const end = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 20))) {
      const e = ((await get('/events')) as any[]).find((x) => x.binding === binding && x.operation === operation);
      if (e || Date.now() > end) return e;
    }
  };

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({
      flags: mode.flags,
      entry: fixture('worker-rpc-client.ts'),
      vars: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url },
      extra: {
        name: 'rpc-client',
        serviceBindings: {
          SVC: { name: 'rpc-client', entrypoint: 'Api' },
          RELAY: { name: 'rpc-client', entrypoint: 'Relay' },
          RAW_RELAY: { name: 'rpc-client', entrypoint: 'RawRelay' },
        },
        durableObjects: { OBJ: 'Obj' },
      },
    });
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  test('property reads, RpcTarget methods and pipelined calls give the raw binding values', async () => {
    const raw = await get('/raw/values');
    expect(raw).toEqual({
      'svc.version': 'v1',
      'svc.tools.hello': 'hello x',
      'svc.counter.inc': 101,
      'svc.getCounter.inc': 21,
      'do.version': 'do-v1',
      'do.tools.hello': 'hello y',
      'do.getTarget.hello': 'hello z',
    });
    expect(await get('/values')).toEqual(raw);
  });

  test('a binding passed on over RPC (an argument, or what an instrumented entrypoint returns) gives what the raw binding gives; it was a Proxy the runtime refused to serialize', async () => {
    const raw = await get('/raw/passed');
    expect(Object.keys(raw)).toEqual(['arg.svc', 'arg.do', 'result.svc', 'result.do']);
    expect(await get('/passed')).toEqual(raw);
  });

  test('a method of an RpcTarget property gets a CLIENT span `BINDING.property.method`', async () => {
    expect((await get('/call?via=svc&method=tools.hello')).value).toBe('hello x');
    expect((await get('/call?via=do&method=tools.hello')).value).toBe('hello x');
    for (const name of ['SVC', 'OBJ']) {
      const s = await span(`${name}.tools.hello`);
      expect(s.kind).toBe(CLIENT);
      expect(s.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': name, 'rpc.method': 'tools.hello' });
    }
  });

  test.each(['svc', 'do'])('an RPC call (%s) has a CLIENT span as long as the call, and onBindingCall its duration', async (via) => {
    const binding = via === 'svc' ? 'SVC' : 'OBJ';
    const res = await get(`/call?via=${via}&method=slow`);
    expect(res.value).toBe('slow done');
    expect(res.tookMs).toBeGreaterThanOrEqual(150);
    const s = await span(`${binding}.slow`);
    expect(s.kind).toBe(CLIENT);
    expect(s.status?.code ?? 0).toBe(0);
    expect(durationMs(s)).toBeGreaterThanOrEqual(150);
    const e = await event(binding, 'slow');
    expect(e.type).toBe(via === 'svc' ? 'service' : 'durable_object');
    expect(e.durationMs).toBeGreaterThanOrEqual(150);
    expect(e.error).toBeUndefined();
  });

  test("a stub of a jurisdiction's namespace (OBJ.jurisdiction('eu')) is traced as the binding's own stubs are", async () => {
    expect((await get('/call?via=do-eu&method=region')).value).toBe('in jurisdiction');
    const s = await span('OBJ.region');
    expect(s.kind).toBe(CLIENT);
    expect(s.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': 'OBJ', 'rpc.method': 'region' });
    expect((await event('OBJ', 'region')).type).toBe('durable_object');
  });

  test.each(['svc', 'do'])("a failing RPC method (%s): the app catches the callee's error; the span has ERROR status and error.type", async (via) => {
    const binding = via === 'svc' ? 'SVC' : 'OBJ';
    const message = via === 'svc' ? 'rpc failed' : 'do failed';
    expect((await get(`/call?via=${via}&method=fail`)).caught).toEqual({ name: 'RangeError', message, isRangeError: true });
    const s = await span(`${binding}.fail`);
    expect(s.kind).toBe(CLIENT);
    expect(s.status?.code).toBe(2);
    expect(s.status?.message).toBe(message);
    expect(s.attributes).toMatchObject({ 'rpc.method': 'fail', 'error.type': 'RangeError' });
    expect(s.events?.some((x) => x.name === 'exception')).toBe(true);
    const e = await event(binding, 'fail');
    expect(e.error).toEqual({ name: 'RangeError', message });
    // The monitor watches the call on a branch of its own, which never rejects.
    expect(await get('/unhandled')).toEqual([]);
  });
});
