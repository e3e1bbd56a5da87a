// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { createMonitor, MemoryBackend } from '../../../src/index.ts';
import { instrument } from '../index.ts';

declare const Deno: any;

/** Sends `GET <target>` with `Host: <host>` as written (no client normalises it) and reads the answer. */
async function rawGet(port: number, target: string, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: '127.0.0.1', port });
  try {
    await conn.write(new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    return (await new Response(conn.readable).text()).split('\r\n')[0]!;
  } catch (err) {
    conn.close();
    throw err;
  }
}

Deno.test({
  name: "deno: server.address, url.path and url.query are the URL's parts as Node and Bun record them, not Deno's request line as sent (EXAMPLE.com, /a/../b/./c, a raw é)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'raw-url', backends: [memory] });
    const urls: string[] = [];
    const h = instrument((req) => {
      urls.push(req.url);
      return new Response('ok');
    }, monitor);
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
    try {
      for (const [target, host] of [['/x', 'EXAMPLE.com:8080'], ['/a/../b/./c', 'h'], ['/q?x=é', 'h'], ['/p', 'h:80']]) {
        assert.equal(await rawGet(server.addr.port, target!, host!), 'HTTP/1.1 200 OK');
      }
      await h.flush();
    } finally {
      await server.shutdown();
      await monitor.shutdown();
    }
    // The handler still gets Deno's own Request, its URL untouched.
    assert.deepEqual(urls, ['http://EXAMPLE.com:8080/x', 'http://h/a/../b/./c', 'http://h/q?x=é', 'http://h:80/p']);
    const seen = memory.spans.filter((s) => s.kind === 2).map((s) => [s.attributes['server.address'], s.attributes['server.port'], s.attributes['url.path'], s.attributes['url.query']]);
    assert.deepEqual(seen, [
      ['example.com', 8080, '/x', undefined],
      ['h', undefined, '/b/c', undefined],
      ['h', undefined, '/q', 'x=%C3%A9'],
      ['h', undefined, '/p', undefined],
    ]);
    const addresses = memory.getMetric('http.server.request.duration')?.points.map((p) => p.attributes['server.address']);
    assert.ok(!addresses?.includes('EXAMPLE.com'), String(addresses));
  },
});
