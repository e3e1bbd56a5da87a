/**
 * Forwarding headers (`Forwarded`, `X-Forwarded-Proto`, `X-Forwarded-Host`) on a bare Node server
 * are whatever the client sent: without `trustProxy` (trust-proxy.test.ts), instrumentListener records url.scheme and server.address from the
 * socket and Host, as instrument()'s toNodeListener does, so no client makes its span claim https
 * or another host. wrapFunction's Node-style functions run behind a platform proxy that sets and
 * overwrites them (Vercel): there they are the client's original request.
 */
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../../serverless/index.js';
import { instrument, instrumentListener, toNodeListener } from '../index.js';

const FORGED = { forwarded: 'proto=https;host=forged.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'other.example' };

/** One GET with the forged headers to a server running `listener`; the SERVER span's url attributes. */
async function spanOf(listener: (req: IncomingMessage, res: ServerResponse) => unknown, monitor: ReturnType<typeof createTestMonitor>['monitor'], memory: ReturnType<typeof createTestMonitor>['memory']): Promise<Record<string, unknown>> {
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await new Promise<void>((resolve, reject) =>
      get({ port, host: '127.0.0.1', path: '/p', headers: FORGED }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject),
    );
    for (let i = 0; i < 50 && !memory.spans.some((s) => s.kind === 2); i++) {
      await monitor.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    server.close();
  }
  const { 'url.scheme': scheme, 'server.address': address, 'server.port': port_ } = memory.spans.find((s) => s.kind === 2)!.attributes;
  return { scheme, address, port: port_ === port ? 'listening port' : port_ };
}

const fromSocket = { scheme: 'http', address: '127.0.0.1', port: 'listening port' };

test('node: instrumentListener ignores forwarding headers any client can send, as instrument() (toNodeListener) does', async () => {
  const a = createTestMonitor();
  const listener = instrumentListener((_req, res) => res.end('ok'), a.monitor, { traceFetch: false });
  expect(await spanOf(listener, a.monitor, a.memory)).toEqual(fromSocket);
  const b = createTestMonitor();
  const handler = instrument(() => new Response('ok'), b.monitor, { traceFetch: false });
  expect(await spanOf(toNodeListener(handler), b.monitor, b.memory)).toEqual(fromSocket);
  await Promise.all([listener.shutdown(), handler.shutdown()]);
});

test("serverless: wrapFunction's Node-style functions take them from the platform's proxy (Vercel sets and overwrites them)", async () => {
  const { monitor, memory } = createTestMonitor();
  const fn = wrapFunction((_req: IncomingMessage, res: ServerResponse) => res.end('ok'), monitor, { kind: 'node' });
  expect(await spanOf(fn, monitor, memory)).toEqual({ scheme: 'https', address: 'forged.example', port: undefined });
});
