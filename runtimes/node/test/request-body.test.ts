import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { toNodeListener } from '../index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(listener: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(listener!);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Writes `payload` on one kept-alive connection; resolves with the status lines seen (two, or what came within `ms`). */
function statusLines(port: number, payload: string, ms = 1500): Promise<string[]> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(payload));
    let out = '';
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out.match(/HTTP\/1\.1 \d{3}/g) ?? []);
    };
    const timer = setTimeout(done, ms);
    sock.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if ((out.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === 2) done();
    });
    sock.on('error', () => undefined);
  });
}

const BIG = 'a'.repeat(2_000_000);
const twoRequests = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${BIG.length}\r\n\r\n${BIG}GET /next HTTP/1.1\r\nHost: x\r\n\r\n`;

test('node: a request body the handler never reads is discarded as node:http does, so the next request on the kept-alive connection is answered', async () => {
  const port = await listen(toNodeListener(() => new Response('not read', { status: 413 })));
  expect(await statusLines(port, twoRequests)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 413']);
});

/**
 * The bodies of the complete responses in `out`, in order: framed by a Content-Length (a text
 * body where undici keeps its source, Node 20 and 22) or chunked (where it does not, Node 24).
 */
function lengthBodies(out: string): string[] {
  const bodies: string[] = [];
  let at = 0;
  for (;;) {
    const end = out.indexOf('\r\n\r\n', at);
    if (end < 0) return bodies;
    const head = out.slice(at, end);
    let p = end + 4;
    if (/transfer-encoding: chunked/i.test(head)) {
      let body = '';
      for (;;) {
        const eol = out.indexOf('\r\n', p);
        if (eol < 0) return bodies;
        const size = parseInt(out.slice(p, eol), 16);
        if (out.length < eol + 2 + size + 2) return bodies;
        body += out.slice(eol + 2, eol + 2 + size);
        p = eol + 2 + size + 2;
        if (size === 0) break;
      }
      bodies.push(body);
      at = p;
      continue;
    }
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
    if (!(out.length >= p + length)) return bodies;
    bodies.push(out.slice(p, p + length));
    at = p + length;
  }
}

test('node: a request body is still read in full, streamed, when the handler reads it', async () => {
  const port = await listen(toNodeListener(async (req) => new Response(String((await req.arrayBuffer()).byteLength))));
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(twoRequests));
    let out = '';
    sock.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const bodies = lengthBodies(out);
      if (bodies.length === 2) {
        seen.push(...bodies);
        sock.destroy();
        resolve();
      }
    });
  });
  expect(seen).toEqual([String(BIG.length), '0']);
});

test('node: a request body the handler cancels without reading is discarded, the connection stays usable', async () => {
  const port = await listen(
    toNodeListener(async (req) => {
      await req.body?.cancel();
      return new Response('cancelled');
    }),
  );
  expect(await statusLines(port, twoRequests)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
});

for (const end of ['cancel', 'release'] as const) {
  test(`node: a request body read in part (a size limit, then 413; reader ${end === 'cancel' ? 'cancelled' : 'released'}) closes the connection after the response instead of leaving the next request unanswered`, async () => {
    const port = await listen(
      toNodeListener(async (req) => {
        if (new URL(req.url).pathname === '/next') return new Response('next');
        const reader = req.body!.getReader();
        for (let n = 0; n < 65_536; ) {
          const { done, value } = await reader.read();
          if (done) break;
          n += value.byteLength;
        }
        if (end === 'cancel') await reader.cancel();
        else reader.releaseLock();
        return new Response('too large', { status: 413 });
      }),
    );
    const seen = await new Promise<{ out: string; closed: boolean }>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => sock.write(twoRequests));
      let out = '';
      const timer = setTimeout(() => (sock.destroy(), resolve({ out, closed: false })), 3000);
      sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
      sock.on('error', () => undefined);
      sock.on('close', () => (clearTimeout(timer), resolve({ out, closed: true })));
    });
    expect(seen.out.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413']);
    expect(seen.out).toMatch(/too large/);
    expect(seen.closed, 'the server closed the connection').toBe(true);
  });
}
