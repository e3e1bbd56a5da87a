// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// Behind a reverse proxy the socket is the proxy's: with `trustProxy` the telemetry reads the
// client, scheme and host from the proxies' headers; the handler keeps Deno's own Request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spansOf, startReceiver, waitFor } from '../../test-support/receiver.ts';
import { readyPort } from '../../test-support/sigterm.ts';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { createMonitor, MemoryBackend } from '../../../src/index.ts';
import { instrument, serve } from '../index.ts';

declare const Deno: any;

const FORGED = { 'x-forwarded-for': '198.51.100.66, 203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };

async function served(instrumentation: Record<string, unknown>, requests: Array<Record<string, string>>, onDiagnostic: (d: { message: string }) => void = () => {}) {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'deno-trust-proxy', backends: [memory], onDiagnostic });
  const urls: string[] = [];
  const server = serve(
    (req) => {
      urls.push(req.url);
      return new Response('ok');
    },
    monitor,
    { port: 0, hostname: '127.0.0.1', onListen() {}, instrumentation: { flushOnExit: false, denoOtel: 'separate', traceFetch: false, ...instrumentation } },
  );
  try {
    for (const headers of requests) assert.equal(await (await fetch(`http://127.0.0.1:${server.addr!.port}/p?q=1`, { headers })).text(), 'ok');
  } finally {
    await server.shutdown();
  }
  await monitor.forceFlush();
  const spans = memory.spans.filter((s) => s.kind === 2).map((s) => ({
    client: s.attributes['client.address'],
    // The proxy that connected, kept when trusted headers named another client.
    ...(s.attributes['network.peer.address'] === undefined ? {} : { peer: s.attributes['network.peer.address'] }),
    scheme: s.attributes['url.scheme'],
    host: s.attributes['server.address'],
    port: s.attributes['server.port'],
  }));
  const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  const schemes = duration.points.map((p) => (p as { attributes: Record<string, unknown> }).attributes['url.scheme']);
  await monitor.shutdown();
  return { spans, urls, schemes, port: server.addr!.port };
}

Deno.test('deno: without trustProxy, forged forwarding headers are not believed', async () => {
  const { spans, schemes, port } = await served({}, [FORGED]);
  assert.deepEqual(spans, [{ client: '127.0.0.1', scheme: 'http', host: '127.0.0.1', port }]);
  assert.deepEqual(schemes, ['http']);
});

Deno.test('deno: trustProxy: 1 records the client, scheme and host the proxy gave, on the span and the metric; the handler gets Deno\'s own URL', async () => {
  const { spans, urls, schemes, port } = await served({ trustProxy: 1 }, [FORGED, {}]);
  assert.deepEqual(spans, [
    { client: '203.0.113.7', peer: '127.0.0.1', scheme: 'https', host: 'shop.example', port: undefined },
    { client: '127.0.0.1', scheme: 'http', host: '127.0.0.1', port },
  ]);
  assert.deepEqual(schemes.sort(), ['http', 'https']);
  assert.deepEqual(urls, [`http://127.0.0.1:${port}/p?q=1`, `http://127.0.0.1:${port}/p?q=1`]);
});

Deno.test('deno: a trust function is asked about the peer, then the chain; Forwarded is read without X-Forwarded-*', async () => {
  const asked: Array<[string, number]> = [];
  const trust = (address: string, hop: number) => {
    asked.push([address, hop]);
    return address === '127.0.0.1' || address.startsWith('10.');
  };
  const { spans } = await served({ trustProxy: trust }, [
    { 'x-forwarded-for': '198.51.100.66, 203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https' },
    { forwarded: 'for=198.51.100.66;proto=http, for="[2001:db8::7]:4711";proto=https;host=\"api.example:8443\"' },
    // Malformed: falls back to the socket and the Host header.
    { forwarded: 'for=1.2.3.4;host=a b' },
  ]);
  assert.deepEqual(asked.slice(0, 3), [['127.0.0.1', 0], ['10.0.0.2', 1], ['203.0.113.7', 2]]);
  assert.deepEqual(spans.slice(0, 2), [
    { client: '203.0.113.7', peer: '127.0.0.1', scheme: 'https', host: '127.0.0.1', port: spans[2]!.port },
    { client: '2001:db8::7', peer: '127.0.0.1', scheme: 'https', host: 'api.example', port: 8443 },
  ]);
  assert.equal(spans[2]!.client, '127.0.0.1');
  assert.equal(spans[2]!.scheme, 'http');
});

Deno.test('deno: a trust function that throws trusts nothing, is reported, and the request is served', async () => {
  const reported: string[] = [];
  const { spans } = await served(
    {
      trustProxy: () => {
        throw new Error('boom');
      },
    },
    [FORGED],
    (d) => void reported.push(d.message),
  );
  assert.equal(spans[0]!.client, '127.0.0.1');
  assert.ok(reported.some((m) => m.includes('trustProxy: the function threw (boom)')), reported.join('\n'));
});

Deno.test('deno: a WebSocket upgrade still works with trustProxy (the handler has Deno\'s own Request)', async () => {
  const monitor = createMonitor({ serviceName: 'deno-trust-ws', backends: [new MemoryBackend()], onDiagnostic: () => {} });
  const server = serve(
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onmessage = (e: MessageEvent) => socket.send(`echo ${e.data}`);
      return response;
    },
    monitor,
    { port: 0, hostname: '127.0.0.1', onListen() {}, instrumentation: { flushOnExit: false, denoOtel: 'separate', traceFetch: false, trustProxy: true } },
  );
  try {
    // A browser cannot set X-Forwarded-*, but a proxy does on the upgrade request: forged here by a Deno client.
    const ws = new WebSocket(`ws://127.0.0.1:${server.addr!.port}/ws`, { headers: FORGED });
    const got = await new Promise<string>((resolve, reject) => {
      ws.onopen = () => ws.send('hi');
      ws.onmessage = (e) => resolve(String(e.data));
      ws.onerror = () => reject(new Error('websocket failed'));
    });
    ws.close();
    assert.equal(got, 'echo hi');
  } finally {
    await server.shutdown();
    await monitor.shutdown();
  }
});

Deno.test('deno: a wrong trustProxy throws at construction, saying what to change, from instrument() and serve()', () => {
  for (const bad of ['1', -1, 1.5, NaN, {}, null]) {
    assert.throws(() => instrument(() => new Response(''), { serviceName: 'x' }, { trustProxy: bad as never }), /instrument: `trustProxy` must be true \(trust every proxy\), the number of proxies/);
    assert.throws(
      () => serve(() => new Response(''), { serviceName: 'x' }, { port: 0, instrumentation: { trustProxy: bad as never, flushOnExit: false } }),
      /`trustProxy` must be true/,
    );
  }
  assert.throws(() => instrument(() => new Response(''), { serviceName: 'x' }, { trustProxy: '1' as never }), /converted first/);
  // Beside the instrumentation options, it is refused as the others are (a compile error too).
  // @ts-expect-error trustProxy goes under `instrumentation`
  assert.throws(() => serve(() => new Response(''), { serviceName: 'x' }, { port: 0, trustProxy: 1 }), /instrumentation/);
  untraceGlobalFetch();
});

Deno.test("deno: joined to Deno's SERVER span (OTEL_DENO=true), trustProxy sets the forwarded client, scheme, host and port on it", async () => {
  const r = await startReceiver();
  const child = spawn(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/trust-proxy-join.ts', import.meta.url).pathname], {
    env: { ...Deno.env.toObject(), OTEL_DENO: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_DENO_CONSOLE: 'ignore' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await readyPort(child);
    const url = await (await fetch(`http://127.0.0.1:${port}/p`, { headers: FORGED })).text();
    assert.equal(url, `http://127.0.0.1:${port}/p`);
    const servers = () => spansOf(r).filter((s) => s.kind === 2);
    await waitFor(() => servers().length >= 1, 10_000);
    child.kill('SIGTERM');
    await exited;
    const a = servers()[0]!.attributes;
    assert.deepEqual([a['client.address'], a['url.scheme'], a['server.address'], a['server.port']], ['203.0.113.7', 'https', 'shop.example', 443]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
});
