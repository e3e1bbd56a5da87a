// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// Behind a reverse proxy the socket is the proxy's: with `trustProxy` the telemetry reads the
// client, scheme and host from the proxies' headers; the handler keeps Bun's own Request.
import { afterAll, expect, test } from 'bun:test';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { createMonitor, MemoryBackend } from '../../../src/index.js';
import { instrument, serve } from '../index.js';

declare const Bun: any;

afterAll(() => untraceGlobalFetch());

const FORGED = { 'x-forwarded-for': '198.51.100.66, 203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };

async function served(instrumentation: Record<string, unknown>, paths: Array<[string, Record<string, string>]>, onDiagnostic: (d: { message: string }) => void = () => {}) {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'bun-trust-proxy', backends: [memory], onDiagnostic });
  const seen: string[] = [];
  const server = serve(
    function (req) {
      seen.push(`${req.url} ${this.requestIP(req)?.address}`);
      return new Response('ok');
    },
    monitor,
    {
      port: 0,
      hostname: '127.0.0.1',
      instrumentation: { flushOnExit: false, traceFetch: false, ...instrumentation },
      routes: {
        '/users/:id': (req, srv) => {
          seen.push(`${req.url} ${req.params.id} ${srv.requestIP(req)?.address}`);
          return new Response('ok');
        },
      },
    },
  );
  const port = server.port as number;
  try {
    for (const [path, headers] of paths) expect(await (await fetch(`http://127.0.0.1:${port}${path}`, { headers })).text()).toBe('ok');
  } finally {
    server.stop(true);
  }
  await monitor.forceFlush();
  const spans = memory.spans
    .filter((s) => s.kind === 2)
    .map((s) => ({ client: s.attributes['client.address'], ...(s.attributes['network.peer.address'] === undefined ? {} : { peer: s.attributes['network.peer.address'] }), scheme: s.attributes['url.scheme'], host: s.attributes['server.address'], port: s.attributes['server.port'] }));
  const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  const schemes = duration.points.map((p) => (p as { attributes: Record<string, unknown> }).attributes['url.scheme']);
  await monitor.shutdown();
  return { spans, seen, schemes, port };
}

test('bun: without trustProxy, forged forwarding headers are not believed', async () => {
  const { spans, schemes, port } = await served({}, [['/p', FORGED]]);
  expect(spans).toEqual([{ client: '127.0.0.1', scheme: 'http', host: '127.0.0.1', port }]);
  expect(schemes).toEqual(['http']);
});

test('bun: trustProxy: 1 records what the proxy gave, for fetch and routes, on the span and the metric; the handlers get Bun\'s own Request', async () => {
  const { spans, seen, schemes, port } = await served({ trustProxy: 1 }, [
    ['/p?q=1', FORGED],
    ['/users/7', FORGED],
    ['/p', {}],
  ]);
  expect(spans).toEqual([
    { client: '203.0.113.7', peer: '127.0.0.1', scheme: 'https', host: 'shop.example', port: undefined },
    { client: '203.0.113.7', peer: '127.0.0.1', scheme: 'https', host: 'shop.example', port: undefined },
    { client: '127.0.0.1', scheme: 'http', host: '127.0.0.1', port },
  ]);
  // The route's requests have a point of their own (http.route).
  expect(schemes.sort()).toEqual(['http', 'https', 'https']);
  expect(seen).toEqual([`http://127.0.0.1:${port}/p?q=1 127.0.0.1`, `http://127.0.0.1:${port}/users/7 7 127.0.0.1`, `http://127.0.0.1:${port}/p 127.0.0.1`]);
});

test('bun: a trust function is asked about the peer, then the chain; Forwarded is read without X-Forwarded-*', async () => {
  const asked: Array<[string, number]> = [];
  const trust = (address: string, hop: number) => {
    asked.push([address, hop]);
    return address === '127.0.0.1' || address.startsWith('10.');
  };
  const { spans, port } = await served({ trustProxy: trust }, [
    ['/p', { 'x-forwarded-for': '198.51.100.66, 203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https' }],
    ['/p', { forwarded: 'for=198.51.100.66;proto=http, for="[2001:db8::7]:4711";proto=https;host="api.example:8443"' }],
    // Malformed: falls back to the socket and the Host header.
    ['/p', { forwarded: 'for=1.2.3.4;host=a b' }],
  ]);
  expect(asked.slice(0, 3)).toEqual([['127.0.0.1', 0], ['10.0.0.2', 1], ['203.0.113.7', 2]]);
  expect(spans).toEqual([
    { client: '203.0.113.7', peer: '127.0.0.1', scheme: 'https', host: '127.0.0.1', port },
    { client: '2001:db8::7', peer: '127.0.0.1', scheme: 'https', host: 'api.example', port: 8443 },
    { client: '127.0.0.1', scheme: 'http', host: '127.0.0.1', port },
  ]);
});

test('bun: a trust function that throws trusts nothing, is reported, and the request is served', async () => {
  const reported: string[] = [];
  const { spans } = await served(
    {
      trustProxy: () => {
        throw new Error('boom');
      },
    },
    [['/p', FORGED]],
    (d) => void reported.push(d.message),
  );
  expect(spans[0]!.client).toBe('127.0.0.1');
  expect(reported.some((m) => m.includes('trustProxy: the function threw (boom)'))).toBe(true);
});

test('bun: a WebSocket upgrade still works with trustProxy (server.upgrade gets Bun\'s own Request)', async () => {
  const monitor = createMonitor({ serviceName: 'bun-trust-ws', backends: [new MemoryBackend()], onDiagnostic: () => {} });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: instrument((req, srv) => (srv.upgrade(req) ? undefined : new Response('no upgrade', { status: 400 })), monitor, { trustProxy: true, traceFetch: false }),
    websocket: { message: (ws: { send(s: string): void }, m: string) => ws.send(`echo ${m}`) },
  });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: FORGED } as never);
    const got = await new Promise<string>((resolve, reject) => {
      ws.onopen = () => ws.send('hi');
      ws.onmessage = (e) => resolve(String(e.data));
      ws.onerror = () => reject(new Error('websocket failed'));
    });
    ws.close();
    expect(got).toBe('echo hi');
  } finally {
    server.stop(true);
    await monitor.shutdown();
  }
});

test('bun: a wrong trustProxy throws at construction, saying what to change, from instrument() and serve()', () => {
  for (const bad of ['1', -1, 1.5, NaN, {}, null]) {
    expect(() => instrument(() => new Response(''), { serviceName: 'x' }, { trustProxy: bad as never })).toThrow(/instrument: `trustProxy` must be true \(trust every proxy\), the number of proxies/);
    expect(() => serve(() => new Response(''), { serviceName: 'x' }, { port: 0, instrumentation: { trustProxy: bad as never, flushOnExit: false } })).toThrow(/`trustProxy` must be true/);
  }
  expect(() => instrument(() => new Response(''), { serviceName: 'x' }, { trustProxy: '1' as never })).toThrow(/converted first/);
  // Beside the instrumentation options, it is refused as the others are.
  expect(() => serve(() => new Response(''), { serviceName: 'x' }, { port: 0, trustProxy: 1 } as never)).toThrow(/instrumentation/);
});
