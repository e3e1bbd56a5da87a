/**
 * `trustProxy` with `Forwarded` (RFC 7239) behind a proxy that appends its element: what comes
 * before the trusted proxies' elements is the client's (or a sloppy proxy further out's), and a
 * malformed element there (an unquoted port or IPv6, an unterminated quote, a parameter given
 * twice) must not void what the trusted proxies wrote after it. It did: the whole header was
 * dropped, so any client could have itself recorded as the proxy's address, over plain http.
 * Real node:http servers, real requests.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentListener, toNodeListener, type TrustProxy } from '../index.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** The SERVER span's client and URL attributes for one GET through `how` with `forwarded` lines. */
async function seen(how: 'instrumentListener' | 'toNodeListener', trustProxy: TrustProxy, forwarded: string | string[]): Promise<Record<string, unknown>> {
  const { monitor, memory } = createTestMonitor();
  const handler =
    how === 'instrumentListener'
      ? instrumentListener((_req, res) => res.end('ok'), monitor, { traceFetch: false, trustProxy })
      : instrument(() => new Response('ok'), monitor, { traceFetch: false });
  closers.push(() => handler.shutdown());
  const server = createServer(how === 'instrumentListener' ? (handler as ReturnType<typeof instrumentListener>) : toNodeListener(handler as ReturnType<typeof instrument>, { trustProxy }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as AddressInfo;
  const status = await new Promise<number>((resolve, reject) =>
    httpRequest({ port, host: '127.0.0.1', path: '/p', headers: { forwarded } as Record<string, string | string[]> }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    })
      .on('error', reject)
      .end(),
  );
  expect(status).toBe(200);
  await handler.flush();
  const a = memory.spans.find((s) => s.kind === 2)!.attributes;
  return { 'client.address': a['client.address'], 'url.scheme': a['url.scheme'], 'server.address': a['server.address'] };
}

const TRUSTED = 'for=203.0.113.7;proto=https;host=shop.example';
const PUBLIC = { 'client.address': '203.0.113.7', 'url.scheme': 'https', 'server.address': 'shop.example' };
const SOCKET = { 'client.address': '127.0.0.1', 'url.scheme': 'http', 'server.address': '127.0.0.1' };

describe.each(['instrumentListener', 'toNodeListener'] as const)('node %s: a malformed Forwarded element before the trusted ones', (how) => {
  test("voids only itself: the trusted proxy's element after it is still read", async () => {
    for (const front of ['for=192.0.2.60:8080', 'for=2001:db8::1', 'for="[2001:db8::1]', 'for=[', 'for=1.1.1.1;for=2.2.2.2', 'a b c']) {
      // One header line from the client, one appended by the proxy (Node joins them), or one line.
      expect(await seen(how, 1, [front, TRUSTED]), front).toEqual(PUBLIC);
      expect(await seen(how, 1, `${front}, ${TRUSTED}`), front).toEqual(PUBLIC);
    }
  });

  test('a client hidden in the malformed part is not taken from the proxies around it', async () => {
    // Two proxies trusted, one element after the malformed part: the client is in that part, unknown.
    expect(await seen(how, 2, 'for=192.0.2.60:8080, for=10.0.0.2;proto=https')).toEqual({ ...SOCKET, 'url.scheme': 'https' });
    // Every hop trusted: the client is the first element, malformed.
    expect(await seen(how, true, 'for=[, for=10.0.0.2')).toEqual(SOCKET);
    // A trust function stops at the malformed part, which names no address.
    expect(await seen(how, (a) => a === '127.0.0.1' || a === '10.0.0.2', 'for=[, for=10.0.0.2')).toEqual(SOCKET);
    expect(await seen(how, (a) => a === '127.0.0.1', 'for=[, for=10.0.0.2')).toEqual({ ...SOCKET, 'client.address': '10.0.0.2' });
    // A malformed element the trusted proxy wrote itself is unknown, as before.
    expect(await seen(how, 1, 'for=203.0.113.7, for=2001:db8::1')).toEqual(SOCKET);
  });
});
