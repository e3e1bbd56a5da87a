import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { toNodeListener } from '../index.js';

/** The status line and body of one request written as `line`, with Host: myhost:8080. */
async function answer(line: string): Promise<string> {
  const server = createServer(toNodeListener((req) => new Response(`${req.method} ${req.url}`, { headers: { 'content-length': String(`${req.method} ${req.url}`.length) } })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const sock = connect((server.address() as AddressInfo).port, '127.0.0.1', () => sock.write(`${line}\r\nHost: myhost:8080\r\nConnection: close\r\n\r\n`));
      let o = '';
      sock.on('data', (d: Buffer) => (o += d.toString('latin1')));
      sock.on('close', () => resolve(o));
      sock.on('error', reject);
    });
    return `${out.split('\r\n')[0]} | ${out.split('\r\n\r\n')[1]}`;
  } finally {
    server.close();
  }
}

test('node: an absolute-form request target (from a forward proxy) is the request URL, its host winning over Host (RFC 9112 §3.2.2), as on Deno', async () => {
  expect(await answer('GET http://example.com/x?q=1 HTTP/1.1')).toBe('HTTP/1.1 200 OK | GET http://example.com/x?q=1');
});

test('node: OPTIONS * is answered with the URL /*, as on Deno, not a 400', async () => {
  expect(await answer('OPTIONS * HTTP/1.1')).toBe('HTTP/1.1 200 OK | OPTIONS http://myhost:8080/*');
});

test('node: an origin-form target keeps its path as sent (double slash, escapes)', async () => {
  expect(await answer('GET //double/a%20b?x=1 HTTP/1.1')).toBe('HTTP/1.1 200 OK | GET http://myhost:8080//double/a%20b?x=1');
});
