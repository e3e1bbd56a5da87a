/**
 * One Response returned for every request, asked for with HEAD first: HEAD cancels its body, which
 * then reads as empty. A GET after it is answered 500 (the body is used), as Deno.serve and
 * Bun.serve answer it; toNodeListener sent an empty 200, after HEAD had announced its length.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, vi } from 'vitest';
import { toNodeListener } from '../index.js';

test('node: one Response returned for HEAD then GET: the GET gets the 500, not an empty 200', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  for (const make of [() => new Response('shared'), () => new Response(new Blob(['shared']).stream())]) {
    const shared = make();
    const server: Server = createServer(toNodeListener(() => shared) as never);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const head = await fetch(url, { method: 'HEAD' });
      const get = await fetch(url);
      expect([head.status, await head.text(), get.status, await get.text()]).toEqual([200, '', 500, 'Internal Server Error']);
    } finally {
      server.close();
    }
  }
  printed.mockRestore();
});
