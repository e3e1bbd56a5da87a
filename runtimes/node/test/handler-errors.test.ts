import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { toNodeListener } from '../index.js';

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function get(handler: Parameters<typeof toNodeListener>[0]): Promise<{ status: number; text: string }> {
  server = createServer(toNodeListener(handler));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { status: res.status, text: await res.text() };
}

test('node: a handler that returns no Response gets a 500, as on Deno and Bun, not a cut connection; the error is printed', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  expect(await get((() => undefined) as unknown as () => Response)).toEqual({ status: 500, text: 'Internal Server Error' });
  expect(String(printed.mock.calls[0]?.[0])).toMatch(/returned undefined, not a Response/);
});

test('node: a handler that throws gets a 500 and its error is printed (console.error, as Deno.serve and Bun.serve do)', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const boom = new Error('boom in handler');
  expect(
    await get(() => {
      throw boom;
    }),
  ).toEqual({ status: 500, text: 'Internal Server Error' });
  expect(printed).toHaveBeenCalledWith(boom);
});

test('node: a Response whose body was already sent (one Response object returned for every request) gets a 500 without its headers, as on Deno and Bun, not a 200 cut short', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const cached = new Response('cached', { headers: { etag: '"v1"', 'set-cookie': 'a=1' } });
  server = createServer(toNodeListener(() => cached));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const first = await fetch(url);
  expect([first.status, await first.text()]).toEqual([200, 'cached']);
  const second = await fetch(url);
  expect([second.status, await second.text(), second.headers.get('etag'), second.headers.get('set-cookie')]).toEqual([500, 'Internal Server Error', null, null]);
  expect(printed).toHaveBeenCalledTimes(1);
});
