/**
 * The Web reader (Deno, Bun) of a `Forwarded` header whose front part is malformed: the elements
 * the trusted proxies appended after it are still read; a client in that part is unknown.
 */
import { expect, test } from 'vitest';
import { forwardedClient, forwardedView, trustProxyOption, webHeaders } from './trust-proxy.js';

function view(trust: Parameters<typeof trustProxyOption>[1], forwarded: string): { url?: string; client?: string } {
  const request = new Request('http://10.0.0.5:8000/p', { headers: { forwarded } });
  const v = forwardedView(request, trustProxyOption('t', trust)!(webHeaders(request.headers), '10.0.0.1'));
  return v === undefined ? {} : { url: v.url, client: forwardedClient(v) };
}

test("a malformed Forwarded element voids only itself and what precedes it, not the trusted proxy's element after it", () => {
  const trusted = 'for=203.0.113.7;proto=https;host=shop.example';
  for (const front of ['for=192.0.2.60:8080', 'for=2001:db8::1', 'for="unterminated', 'for=1.1.1.1;for=2.2.2.2', 'a b']) {
    expect(view(1, `${front}, ${trusted}`), front).toEqual({ url: 'https://shop.example/p', client: '203.0.113.7' });
  }
  // The client is in the malformed part: unknown, whatever trusts past it.
  expect(view(2, 'for=[, for=10.0.0.2;proto=https')).toEqual({ url: 'https://10.0.0.5:8000/p', client: undefined });
  expect(view(true, 'for=[, for=10.0.0.2')).toEqual({});
  // Malformed in the trusted element itself: nothing read, as before.
  expect(view(1, 'for=203.0.113.7, for=2001:db8::1;proto=https')).toEqual({});
});
