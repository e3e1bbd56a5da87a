import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.js';
import { serve, toNodeListener } from '../index.js';

const node: RuntimeUnderTest = {
  name: 'node',
  protocol: 'http/protobuf',
  decode: decodeProto,
  async start(handler, monitor) {
    const s = await serve(handler, monitor, { port: 0, hostname: '127.0.0.1', flushOnExit: false });
    return { url: s.url, flush: () => s.handler.flush(), stop: () => s.close() };
  },
};

describe('node adapter in Node (protobuf decoded by protobufjs)', () => {
  afterAll(() => untraceGlobalFetch());
  for (const s of scenarios(node)) test(s.name, () => s.run(), 30_000);
});

const UPSTREAM_TEXT = 'upstream-body-' + 'z'.repeat(200);
const GZ = gzipSync(UPSTREAM_TEXT);

/**
 * The raw response of a GET to `port`: head lines and body bytes, as the client receives them.
 * Done at the last chunk or when the server closes the connection.
 */
function rawGet(port: number, request = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'): Promise<{ head: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => s.write(request));
    const done = (): void => {
      s.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, end).toString('latin1').toLowerCase().split('\r\n'), body: all.subarray(end + 4) });
    };
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).toString('latin1').endsWith('\r\n0\r\n\r\n')) done();
    });
    s.on('error', reject);
    s.on('close', done);
  });
}

/** Decodes a chunked body (Node sends one when no Content-Length is set). */
function unchunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; ; ) {
    const eol = body.indexOf('\r\n', i);
    const size = parseInt(body.subarray(i, eol).toString('latin1'), 16);
    if (!size) return Buffer.concat(out);
    out.push(body.subarray(eol + 2, eol + 2 + size));
    i = eol + 4 + size;
  }
}

describe('node adapter: a proxied compressed upstream', () => {
  let upstream: ReturnType<typeof createServer>;
  let upstreamUrl = '';
  afterAll(async () => {
    untraceGlobalFetch();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  test('never breaks the host app (DESIGN 5): serve() and toNodeListener() send fetch()’s decoded body without the upstream’s content-encoding and content-length', async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': GZ.length, 'content-type': 'text/plain', 'x-upstream': '1', connection: 'keep-alive, x-hop', 'keep-alive': 'timeout=5', 'x-hop': 'upstream-only' });
      res.end(GZ);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    const proxy = () => fetch(upstreamUrl);
    const servers = [
      ['serve()', await serve(proxy, { serviceName: 'gz', backends: [new MemoryBackend()] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false })],
      ['serve() with waitForBody: true', await serve(proxy, { serviceName: 'gz', backends: [new MemoryBackend()] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false, waitForBody: true })],
    ] as const;
    const plain = createServer(toNodeListener(proxy));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const ports: [string, number][] = [
        ...servers.map(([name, s]) => [name, Number(new URL(s.url).port)] as [string, number]),
        ['toNodeListener()', (plain.address() as AddressInfo).port],
      ];
      for (const [name, port] of ports) {
        const { head, body } = await rawGet(port);
        expect(head[0], name).toBe('http/1.1 200 ok');
        expect(head.filter((l) => l.startsWith('content-encoding') || l.startsWith('content-length')), name).toEqual([]);
        expect(head, name).toEqual(expect.arrayContaining(['content-type: text/plain', 'x-upstream: 1', 'transfer-encoding: chunked']));
        // The upstream's hop-by-hop headers stay with its connection: the client's Connection: close holds.
        expect(head, name).toContain('connection: close');
        expect(head.filter((l) => l.startsWith('keep-alive') || l.startsWith('x-hop')), name).toEqual([]);
        expect(unchunk(body).toString(), name).toBe(UPSTREAM_TEXT);
        const res = await fetch(`http://127.0.0.1:${port}/`);
        expect(await res.text(), name).toBe(UPSTREAM_TEXT);
      }
    } finally {
      for (const [, s] of servers) await s.close();
      plain.closeAllConnections();
      await new Promise<void>((r) => plain.close(() => r()));
    }
  }, 30_000);

  test('a compressed body the app built itself keeps its content-encoding and content-length', async () => {
    const server = createServer(toNodeListener(() => new Response(GZ, { headers: { 'content-encoding': 'gzip', 'content-length': String(GZ.length) } })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { head, body } = await rawGet((server.address() as AddressInfo).port);
      expect(head).toEqual(expect.arrayContaining(['content-encoding: gzip', `content-length: ${GZ.length}`]));
      expect(gunzipSync(body).toString()).toBe(UPSTREAM_TEXT);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('node adapter: requests without a usable Host header', () => {
  afterAll(() => untraceGlobalFetch());

  test('an HTTP/1.0 request without Host (a load balancer health check) and one with a Host no URL accepts are answered, as plain node:http answers them', async () => {
    const memory = new MemoryBackend();
    // No hostname: Node listens on `::`, so the local address is IPv6 (`::ffff:127.0.0.1`).
    const s = await serve(() => new Response('ok'), { serviceName: 'no-host', backends: [memory], batchWindowMs: 0 }, { port: 0, flushOnExit: false });
    try {
      const bare = await rawGet(s.port, 'GET /health HTTP/1.0\r\n\r\n');
      expect(bare.head[0]).toMatch(/^http\/1\.1 200/);
      expect(bare.body.toString()).toBe('ok');
      const bad = await rawGet(s.port, 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
      expect(bad.head[0]).toMatch(/^http\/1\.1 200/);
      await s.handler.flush();
      const served = memory.spans.filter((sp) => sp.attributes['url.path'] === '/health');
      expect(served).toHaveLength(2);
      expect(served[0]!.attributes['server.port']).toBe(s.port);
    } finally {
      await s.close();
    }
  });
});
