/**
 * `trustProxy` (instrumentListener, toNodeListener, serve): behind a reverse proxy the client's
 * scheme, host and address come from the headers the proxy sets (HTTP semconv: url.scheme from
 * Forwarded#proto / X-Forwarded-Proto, server.address from Forwarded#host / X-Forwarded-Host,
 * client.address from Forwarded#for / X-Forwarded-For); off by default, since any client of a bare
 * server can send them. Real node:http servers, real requests.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import {
  instrument,
  instrumentListener,
  serve,
  toNodeListener,
  type InstrumentListenerOptions,
  type NodeListenerOptions,
  type NodeRequestInfo,
  type NodeServeOptions,
  type TrustProxy,
} from '../index.js';

type Headers_ = Record<string, string | string[]>;
interface Seen {
  /** The SERVER span's url and client attributes, `server.port` as `'listening port'` when it is the socket's. */
  span: Record<string, unknown>;
  /** `request.url` the fetch handler (or `route(request)`) got. */
  url: string | undefined;
  /** `info.remoteAddress` the fetch handler got. */
  remoteAddress?: string | undefined;
  status: number;
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A GET of `/p?q=1` with `headers` to a server running `listener` on `host`. */
async function get(listener: (req: IncomingMessage, res: ServerResponse) => unknown, headers: Headers_, listen = '127.0.0.1'): Promise<{ port: number; status: number }> {
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((r) => server.listen(0, listen, r));
  closers.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as AddressInfo;
  const status = await new Promise<number>((resolve, reject) =>
    httpRequest({ port, host: '127.0.0.1', path: '/p?q=1', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    })
      .on('error', reject)
      .end(),
  );
  return { port, status };
}

function attributesOf(memory: ReturnType<typeof createTestMonitor>['memory'], port: number): Record<string, unknown> {
  const span = memory.spans.find((s) => s.kind === 2);
  if (!span) throw new Error('no SERVER span');
  const a = span.attributes;
  return {
    'url.scheme': a['url.scheme'],
    'server.address': a['server.address'],
    'server.port': a['server.port'] === port ? 'listening port' : a['server.port'],
    'client.address': a['client.address'],
    'network.peer.address': a['network.peer.address'],
    'url.path': a['url.path'],
  };
}

/** instrumentListener with `trustProxy`; the span, and the Request a `route(request)` option got. */
async function viaListener(trustProxy: TrustProxy | undefined, headers: Headers_, listen?: string): Promise<Seen> {
  const { monitor, memory } = createTestMonitor();
  let url: string | undefined;
  const options: InstrumentListenerOptions = { traceFetch: false, route: (r) => ((url = r.url), '/p') };
  if (trustProxy !== undefined) options.trustProxy = trustProxy;
  const listener = instrumentListener((_req, res) => res.end('ok'), monitor, options);
  closers.push(() => listener.shutdown());
  const { port, status } = await get(listener, headers, listen);
  await listener.flush();
  return { span: attributesOf(memory, port), url: url && url.replace(`:${port}/`, ':PORT/'), status };
}

/** toNodeListener(instrument(handler)) with `trustProxy`; the span, and what the handler got. */
async function viaFetchHandler(trustProxy: TrustProxy | undefined, headers: Headers_, listen?: string): Promise<Seen> {
  const { monitor, memory } = createTestMonitor();
  let url: string | undefined;
  let remoteAddress: string | undefined;
  const handler = instrument(
    (request, info) => {
      url = request.url;
      remoteAddress = info?.remoteAddress;
      return new Response('ok');
    },
    monitor,
    { traceFetch: false },
  );
  closers.push(() => handler.shutdown());
  const options: NodeListenerOptions = trustProxy === undefined ? {} : { trustProxy };
  const { port, status } = await get(toNodeListener(handler, options), headers, listen);
  await handler.flush();
  return { span: attributesOf(memory, port), url: url && url.replace(`:${port}/`, ':PORT/'), remoteAddress, status };
}

const both = [
  ['instrumentListener', viaListener],
  ['toNodeListener', viaFetchHandler],
] as const;

// The connection's peer is not repeated when it is the client.
const SOCKET = { 'url.scheme': 'http', 'server.address': '127.0.0.1', 'server.port': 'listening port', 'client.address': '127.0.0.1', 'network.peer.address': undefined };

describe.each(both)('node: %s', (_name, via) => {
  test('without trustProxy, no forwarding header a client sends is believed (the spoof attempts of any client)', async () => {
    const forged = {
      forwarded: 'for=6.6.6.6;proto=https;host=forged.example',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'other.example',
    };
    for (const off of [undefined, false, 0] as const) {
      const seen = await via(off, forged);
      expect(seen.span).toMatchObject(SOCKET);
      expect(seen.url).toBe('http://127.0.0.1:PORT/p?q=1');
      if (via === viaFetchHandler) expect(seen.remoteAddress).toBe('127.0.0.1');
    }
  });

  test('trustProxy: true takes the client, scheme and host from X-Forwarded-*, for the span and the request the app gets', async () => {
    const seen = await via(true, { 'x-forwarded-for': '203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' });
    // The proxy that connected stays on the span as the connection's peer (HTTP semconv).
    expect(seen.span).toEqual({ 'url.scheme': 'https', 'server.address': 'shop.example', 'server.port': undefined, 'client.address': '203.0.113.7', 'network.peer.address': '127.0.0.1', 'url.path': '/p' });
    expect(seen.url).toBe('https://shop.example/p?q=1');
    if (via === viaFetchHandler) expect(seen.remoteAddress).toBe('203.0.113.7');
  });

  test('a forwarded host with a port gives server.port; a forwarded scheme alone keeps the Host header', async () => {
    expect((await via(true, { 'x-forwarded-host': 'shop.example:8443', 'x-forwarded-proto': 'https' })).span).toMatchObject({ 'server.address': 'shop.example', 'server.port': 8443, 'url.scheme': 'https', 'client.address': '127.0.0.1' });
    const scheme = await via(1, { 'x-forwarded-proto': 'https' });
    expect(scheme.span).toMatchObject({ 'url.scheme': 'https', 'server.address': '127.0.0.1', 'server.port': 'listening port' });
    expect(scheme.url).toBe('https://127.0.0.1:PORT/p?q=1');
  });

  test('a hop count believes only that many proxies from the server: what a client put in front cannot win', async () => {
    // The client sent `6.6.6.6` and `evil.example`; the one proxy (socket 127.0.0.1) appended its own.
    const one = await via(1, { 'x-forwarded-for': '6.6.6.6, 203.0.113.7', 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.example, shop.example' });
    expect(one.span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'https', 'server.address': 'shop.example' });
    expect(one.url).toBe('https://shop.example/p?q=1');
    // Two proxies: the second from the end of the chain; a single (overwritten) proto still applies.
    const two = await via(2, { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https' });
    expect(two.span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'https' });
    // More hops than the chain has: its first entry.
    expect((await via(5, { 'x-forwarded-for': '203.0.113.7, 10.0.0.2' })).span['client.address']).toBe('203.0.113.7');
  });

  test('a function is asked about each hop from the server outward; the first one not trusted is the client', async () => {
    const asked: Array<[string, number]> = [];
    const internal = (address: string, hop: number): boolean => (asked.push([address, hop]), address === '127.0.0.1' || address.startsWith('10.'));
    const seen = await via(internal, { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2', 'x-forwarded-proto': 'https' });
    expect(seen.span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'https' });
    expect(asked).toEqual([['127.0.0.1', 0], ['10.0.0.2', 1], ['203.0.113.7', 2]]);
    // The peer not trusted: nothing the headers say is.
    const direct = await via(() => false, { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' });
    expect(direct.span).toMatchObject(SOCKET);
    expect(direct.url).toBe('http://127.0.0.1:PORT/p?q=1');
    // An async function's promise is not `true`: nothing is trusted.
    expect((await via((async () => true) as unknown as TrustProxy, { 'x-forwarded-for': '203.0.113.7' })).span['client.address']).toBe('127.0.0.1');
  });

  test('on a dual-stack listener the function gets the peer as IPv4, not ::ffff:127.0.0.1', async () => {
    const asked: string[] = [];
    const seen = await via((a) => (asked.push(a), a === '127.0.0.1'), { 'x-forwarded-for': '203.0.113.7' }, '::');
    expect(asked[0]).toBe('127.0.0.1');
    expect(seen.span['client.address']).toBe('203.0.113.7');
  });

  test('Forwarded (RFC 7239) is read when there is no X-Forwarded-*: quoted IPv6 with a port, the element of the outermost trusted proxy', async () => {
    const all = await via(true, { forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https;host=shop.example, for=10.0.0.2' });
    expect(all.span).toMatchObject({ 'client.address': '2001:db8:cafe::17', 'url.scheme': 'https', 'server.address': 'shop.example' });
    expect(all.url).toBe('https://shop.example/p?q=1');
    // One proxy: the client's own element in front is not believed.
    const one = await via(1, { forwarded: 'for=6.6.6.6;proto=http;host=evil.example, for=203.0.113.7;proto=https;host="shop.example:8443"' });
    expect(one.span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'https', 'server.address': 'shop.example', 'server.port': 8443 });
    // A parameter the outermost trusted element lacks comes from the next one inward; an obfuscated node is the client.
    const inner = await via(true, { forwarded: 'for=_hidden, for=10.0.0.2;proto=https;host=shop.example' });
    expect(inner.span).toMatchObject({ 'client.address': '_hidden', 'url.scheme': 'https', 'server.address': 'shop.example' });
    // Two header lines are one list (Node joins them).
    expect((await via(1, { forwarded: ['for=6.6.6.6', 'for=203.0.113.7;proto=https'] })).span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'https' });
  });

  test('with X-Forwarded-* present, a Forwarded header (which a proxy setting only X-Forwarded-* passes on) is not read', async () => {
    const seen = await via(1, { 'x-forwarded-for': '203.0.113.7', forwarded: 'for=6.6.6.6;proto=https;host=evil.example' });
    expect(seen.span).toMatchObject({ 'client.address': '203.0.113.7', 'url.scheme': 'http', 'server.address': '127.0.0.1' });
    expect(seen.url).toBe('http://127.0.0.1:PORT/p?q=1');
  });

  test('malformed values are not thrown into the request: each falls back to the socket and Host', async () => {
    const bad = await via(true, { 'x-forwarded-for': 'not-an-ip', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil.example/path@x' });
    expect(bad.status).toBe(200);
    expect(bad.span).toMatchObject(SOCKET);
    expect(bad.url).toBe('http://127.0.0.1:PORT/p?q=1');
    // Hosts of the right shape that no URL takes: the Host header, not the server's own address.
    for (const host of ['exa<mple.com', '[::1]:99999', '1.2.3.999']) {
      const seen = await via(true, { 'x-forwarded-host': host, host: 'app.internal:8080' });
      expect(seen.span, host).toMatchObject({ 'server.address': 'app.internal', 'server.port': 8080 });
    }
    for (const forwarded of ['for=1.2.3.4;host="unterminated', 'for=1.2.3.4;for=5.6.7.8', 'for = 1.2.3.4', 'host=a b', 'for=unknown;proto=https', '']) {
      const seen = await via(true, { forwarded });
      expect(seen.status, forwarded).toBe(200);
      expect(seen.span['client.address'], forwarded).toBe('127.0.0.1');
      expect(seen.span['server.address'], forwarded).toBe('127.0.0.1');
      // `for=unknown;proto=https` is well formed: its proto applies, its client is unknown.
      expect(seen.span['url.scheme'], forwarded).toBe(forwarded === 'for=unknown;proto=https' ? 'https' : 'http');
    }
  });

  test('a trust function that throws trusts nothing, and the request is served', async () => {
    const seen = await via(
      () => {
        throw new Error('boom');
      },
      { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    );
    expect(seen.status).toBe(200);
    expect(seen.span).toMatchObject(SOCKET);
  });
});

test('node: a trust function that throws is reported once through the monitor', async () => {
  const reported: string[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => void reported.push(`${d.kind}: ${d.message}`) });
  const listener = instrumentListener((_req, res) => res.end('ok'), monitor, {
    traceFetch: false,
    trustProxy: () => {
      throw new Error('boom');
    },
  });
  closers.push(() => listener.shutdown());
  await get(listener, { 'x-forwarded-for': '203.0.113.7' });
  await get(listener, { 'x-forwarded-for': '203.0.113.7' });
  expect(reported.filter((m) => m.includes('trustProxy'))).toEqual(['config: trustProxy: the function threw (boom); the hop it was asked about is not trusted']);
});

test('node: serve() takes trustProxy too, and the duration metric records the forwarded scheme', async () => {
  const { monitor, memory } = createTestMonitor();
  let seen: { url: string; remote: string | undefined } | undefined;
  const s = await serve((request, info) => ((seen = { url: request.url, remote: info?.remoteAddress }), new Response('ok')), monitor, {
    port: 0,
    hostname: '127.0.0.1',
    flushOnExit: false,
    traceFetch: false,
    trustProxy: 1,
  });
  closers.push(() => s.close());
  await new Promise<void>((resolve, reject) =>
    httpRequest({ port: s.port, host: '127.0.0.1', path: '/x', headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end(),
  );
  await s.handler.flush();
  expect(seen).toEqual({ url: 'https://shop.example/x', remote: '203.0.113.7' });
  const span = memory.spans.find((x) => x.kind === 2)!;
  expect(span.attributes).toMatchObject({ 'url.scheme': 'https', 'server.address': 'shop.example', 'client.address': '203.0.113.7' });
  const duration = memory.getMetric('http.server.request.duration')!;
  expect(duration.points.map((p) => p.attributes['url.scheme'])).toEqual(['https']);
});

describe('node: a wrong trustProxy throws at construction, saying what to change', () => {
  const wrong: unknown[] = ['true', '1', -1, 1.5, Number.NaN, Infinity, {}, [], null];
  const make = {
    instrumentListener: (v: unknown) => instrumentListener((_q, s) => s.end(), { serviceName: 't' }, { trustProxy: v as TrustProxy }),
    toNodeListener: (v: unknown) => toNodeListener(() => new Response(), { trustProxy: v as TrustProxy }),
    serve: (v: unknown) => serve(() => new Response(), { serviceName: 't' }, { port: 0, flushOnExit: false, trustProxy: v as TrustProxy }),
  };
  test.each(Object.keys(make) as Array<keyof typeof make>)('%s', async (name) => {
    for (const v of wrong) {
      let error: unknown;
      try {
        await make[name](v);
      } catch (e) {
        error = e;
      }
      expect(error, String(v)).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(new RegExp(`^${name}: \`trustProxy\` must be true \\(trust every proxy\\), the number of proxies`));
    }
    await expect(async () => make[name]('1')).rejects.toThrow(/Number\(env\.TRUST_PROXY\)/);
  });

  test('instrument() has no trustProxy: the error says where it goes', () => {
    expect(() => instrument(() => new Response(), { serviceName: 't' }, { trustProxy: true } as never)).toThrow(/toNodeListener\(handler, \{ trustProxy \}\) and serve/);
  });

  test('toNodeListener refuses a misspelled option', () => {
    expect(() => toNodeListener(() => new Response(), { trustProxies: true } as never)).toThrow(/unknown option `trustProxies`; known options are trustProxy/);
  });
});

test('node: trustProxy is in the exported option types', () => {
  const listener: InstrumentListenerOptions = { trustProxy: 2, captureHeaders: { requestHeaders: ['x-id'] } };
  const fetchSide: NodeListenerOptions = { trustProxy: (address, hop) => hop === 0 && address === '10.0.0.1' };
  const served: NodeServeOptions = { port: 0, trustProxy: true };
  // @ts-expect-error a string (an env var) is not a TrustProxy
  const fromEnv: NodeListenerOptions = { trustProxy: 'true' };
  const info = undefined as NodeRequestInfo | undefined;
  expect([listener.trustProxy, typeof fetchSide.trustProxy, served.trustProxy, fromEnv, info]).toEqual([2, 'function', true, { trustProxy: 'true' }, undefined]);
});

test('node: trustProxy: true reads client.address and server.address as @opentelemetry/instrumentation-http reads every request', async () => {
  const { createRequire } = await import('node:module');
  const utils = createRequire(import.meta.url)('@opentelemetry/instrumentation-http/build/src/utils.js') as {
    getIncomingRequestAttributes(req: IncomingMessage, options: { component: string }, logger: { verbose(): void }): Record<string, unknown>;
  };
  const cases: Headers_[] = [
    { 'x-forwarded-for': '203.0.113.7, 10.0.0.2', 'x-forwarded-host': 'shop.example:8443' },
    { 'x-forwarded-for': '2001:db8::17' },
    { forwarded: 'for="[2001:db8:cafe::17]:4711";host=shop.example, for=10.0.0.2' },
    { forwarded: 'for=198.51.100.17;proto=https;host="shop.example:8443"' },
    { forwarded: 'For="192.0.2.43:47011"' },
  ];
  for (const headers of cases) {
    let reference: Record<string, unknown> = {};
    const { monitor, memory } = createTestMonitor();
    const listener = instrumentListener(
      (req, res) => {
        reference = utils.getIncomingRequestAttributes(req, { component: 'http' }, { verbose() {} });
        res.end('ok');
      },
      monitor,
      { traceFetch: false, trustProxy: true },
    );
    closers.push(() => listener.shutdown());
    const { port } = await get(listener, headers);
    await listener.flush();
    const pick = (a: Record<string, unknown>): Record<string, unknown> => ({
      'client.address': a['client.address'],
      'server.address': a['server.address'],
      'server.port': a['server.port'] === port ? 'listening port' : a['server.port'],
    });
    const ours = memory.spans.find((s) => s.kind === 2)!.attributes;
    // instrumentation-http gives server.port a default (80) where the URL has none: compared where it gives one from the header.
    const expected = pick(reference);
    if (expected['server.port'] === 80) expected['server.port'] = undefined;
    expect(pick(ours), JSON.stringify(headers)).toEqual(expected);
  }
});
