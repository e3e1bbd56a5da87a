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
