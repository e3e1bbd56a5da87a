import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { instrument, instrumentListener, toNodeListener } from '../index.js';

/** One request over HTTP/2 (h2c) to `port`, with `:authority` set as a client asking for `authority`. */
async function h2get(port: number, path: string, authority: string): Promise<string> {
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = client.request({ ':path': path, ':authority': authority });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => resolve(body));
      req.on('error', reject);
      req.end();
    });
  } finally {
    client.close();
  }
}

async function listen(server: http2.Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('node:http2 under toNodeListener: the request URL names the :authority the client asked for (not the socket address); network.protocol.version is "2" (HTTP semconv)', async () => {
  const memory = new MemoryBackend();
  const handler = instrument((req) => new Response(req.url), { serviceName: 'h2', backends: [memory] }, { traceFetch: false });
  const server = http2.createServer(toNodeListener(handler) as unknown as Parameters<typeof http2.createServer>[0]);
  const port = await listen(server);
  try {
    expect(await h2get(port, '/items/1?q=2', `api.example.test:${port}`)).toBe(`http://api.example.test:${port}/items/1?q=2`);
    await handler.flush(1000);
    expect(memory.spans[0]!.attributes).toMatchObject({
      'server.address': 'api.example.test',
      'server.port': port,
      'url.path': '/items/1',
      'network.protocol.version': '2',
    });
  } finally {
    server.close();
  }
});

test('node:http2 under instrumentListener: server.address is the :authority the client asked for (not the socket address); network.protocol.version is "2" (HTTP semconv), not Node\'s "2.0"', async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener((_req, res) => res.end('ok'), { serviceName: 'h2', backends: [memory] }, { traceFetch: false });
  const server = http2.createServer(listener as unknown as Parameters<typeof http2.createServer>[0]);
  const port = await listen(server);
  try {
    expect(await h2get(port, '/', `api.example.test:${port}`)).toBe('ok');
    await listener.flush(1000);
    expect(memory.spans[0]!.attributes).toMatchObject({ 'server.address': 'api.example.test', 'server.port': port, 'network.protocol.version': '2' });
  } finally {
    server.close();
  }
});
