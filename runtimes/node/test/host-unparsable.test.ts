/**
 * A Host header Node accepts but no URL does (a port past 65535, `a:b:c`) is replaced by the
 * server's own address, as one the HOST pattern refuses (`bad host!`) is and as toWebRequest
 * does: the request's path, query and the server's address stay on the span and in the Request
 * an `ignoreRequest` or `route` option gets. It was recorded as `http://localhost/`.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { requestFromNode } from '../../../src/adapter/node-style.js';
import { instrumentListener } from '../index.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const socket = { localAddress: '127.0.0.1', localPort: 8080 };

test.each(['x:99999', 'a:b:c', 'bad host!'])('requestFromNode: Host %j gives the server address, with the path and query kept', (host) => {
  for (const telemetryOnly of [false, true]) {
    const r = requestFromNode({ method: 'GET', url: '/orders/7?q=1', headers: { host }, socket, rawHeaders: [] } as never, telemetryOnly);
    expect(r.url).toBe('http://127.0.0.1:8080/orders/7?q=1');
  }
});

test('instrumentListener: a Host no URL accepts keeps the path on the span and in ignoreRequest', async () => {
  const memory = new MemoryBackend();
  const seen: string[] = [];
  const listener = instrumentListener((req, res) => void res.end(req.url), { serviceName: 'host', backends: [memory] }, {
    traceFetch: false,
    ignoreRequest: (r) => {
      seen.push(r.url);
      return false;
    },
  });
  const server: Server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  for (const host of ['x:99999', 'a:b:c']) {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/orders/7?q=1', headers: { host } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  }
  await listener.flush(1000);
  expect(seen).toEqual([`http://127.0.0.1:${port}/orders/7?q=1`, `http://127.0.0.1:${port}/orders/7?q=1`]);
  expect(memory.spans.map((s) => [s.attributes['url.path'], s.attributes['url.query'], s.attributes['server.address'], s.attributes['server.port']])).toEqual([
    ['/orders/7', 'q=1', '127.0.0.1', port],
    ['/orders/7', 'q=1', '127.0.0.1', port],
  ]);
});
