/**
 * Bindings passed on over Workers RPC inside a value, in real workerd (miniflare 4): a service
 * binding as an object's property or an array's element, given as an argument through an
 * instrumented binding, or returned by an instrumented entrypoint's or Durable Object's method.
 * The runtime sends its own bindings so, at any depth; what the app gets must be what it gets
 * without the monitor.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

describe.each([
  // This workerd sends a service binding over RPC only under its 'experimental' flag.
  { name: 'nodejs_compat', flags: ['nodejs_compat', 'experimental'] },
  { name: 'no compatibility flag', flags: ['experimental'] as string[] },
])('workerd, bindings nested in RPC values, $name', ({ flags }) => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  beforeAll(async () => {
    mf = await startWorker({
      flags,
      entry: fixture('worker-rpc-nested.ts'),
      vars: {},
      extra: {
        name: 'rpc-nested',
        durableObjects: { BOX: { className: 'Box', useSQLite: true }, RAW_BOX: { className: 'RawBox', useSQLite: true } },
        serviceBindings: {
          SVC: { name: 'rpc-nested', entrypoint: 'Api' },
          RELAY: { name: 'rpc-nested', entrypoint: 'Relay' },
          RAW_RELAY: { name: 'rpc-nested', entrypoint: 'RawRelay' },
        },
      } as never,
    });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('a binding inside an argument or a returned value crosses RPC as the runtime\'s own does', async () => {
    const raw = await get('/raw');
    expect(raw).toEqual({ 'arg.object': 'v1', 'arg.array': 'v1', 'arg.unchanged': 'true', 'result.object': 'v1', 'result.array': 'v1', 'do.result.object': 'v1', 'do.result.array': 'v1' });
    expect(await get('/traced')).toEqual(raw);
  });
});
