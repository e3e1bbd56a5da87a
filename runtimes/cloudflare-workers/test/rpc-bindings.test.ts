/**
 * Workers RPC through instrumented bindings, in real workerd (miniflare 4): a Worker calls its own
 * `Api` entrypoint through a service binding and a Durable Object through its stub, with
 * `instrument()` on the caller only. Property reads, RpcTarget methods and promise pipelining
 * must give what the raw bindings give, and each RPC call gets a CLIENT span. Spans go to a local
 * OTLP receiver.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { spansOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

const CLIENT = 3;

const modes = [
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
];

describe.each(modes)('workerd, RPC through instrumented service bindings and Durable Object stubs, $name', (mode) => {
  let srv: TestServer;
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  const span = (name: string) => waitFor(() => spansOf(srv).find((s) => s.name === name));

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({
      flags: mode.flags,
      entry: fixture('worker-rpc-client.ts'),
      vars: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url },
      extra: { name: 'rpc-client', serviceBindings: { SVC: { name: 'rpc-client', entrypoint: 'Api' } }, durableObjects: { OBJ: 'Obj' } },
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

  test('a method of an RpcTarget property gets a CLIENT span `BINDING.property.method`', async () => {
    expect((await get('/call?via=svc&method=tools.hello')).value).toBe('hello x');
    expect((await get('/call?via=do&method=tools.hello')).value).toBe('hello x');
    for (const name of ['SVC', 'OBJ']) {
      const s = await span(`${name}.tools.hello`);
      expect(s.kind).toBe(CLIENT);
      expect(s.attributes).toMatchObject({ 'rpc.system': 'cloudflare_rpc', 'rpc.service': name, 'rpc.method': 'tools.hello' });
    }
  });
});
