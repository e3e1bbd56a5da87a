import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, vi } from 'vitest';
import { toNodeListener, writeWebResponse } from '../index.js';

type Handler = (request: Request) => Response;

/** A server for `handler` whose socket writes (syscalls) are counted per response. */
async function start(handler: Handler): Promise<{ server: Server; url: string; writes: () => number }> {
  const listener = toNodeListener(handler);
  let writes = 0;
  const server = createServer((req, res) => {
    const socket = req.socket as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
    for (const name of ['_write', '_writev'] as const) {
      const original = socket[name];
      socket[name] = function (this: unknown, ...a: unknown[]) {
        writes++;
        return original.apply(this, a);
      };
    }
    listener(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, writes: () => writes };
}

function request(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

async function text(res: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of res) s += chunk;
  return s;
}

/**
 * Whether undici keeps a text or bytes body's source where writeWebResponse can read it (Node 20
 * and 22; Node 24's undici keeps its state private): only then is such a body written whole with
 * a Content-Length, the stream's way (chunked) otherwise.
 */
const fromSource = Reflect.ownKeys(new Response('x')).some((k) => typeof k === 'symbol' && k.description === 'state');

test.skipIf(!fromSource)('node: the headers, a body that is there at once and its end leave in one socket write', async () => {
  const s = await start(() => new Response('hello', { headers: { 'content-type': 'text/plain' } }));
  try {
    const res = await request(s.url);
    expect(await text(res)).toBe('hello');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(s.writes()).toBe(1);
  } finally {
    s.server.close();
  }
});

test('node: a streamed body still has its headers sent before its first chunk', async () => {
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    start: (c) =>
      void setTimeout(() => {
        sent = true;
        c.enqueue(new TextEncoder().encode('data: x\n\n'));
        c.close();
      }, 300),
  });
  const s = await start(() => new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
  try {
    const res = await request(s.url);
    expect(sent).toBe(false);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(await text(res)).toBe('data: x\n\n');
  } finally {
    s.server.close();
  }
});

test('node: writeWebResponse writes to a stand-in response that cannot be corked (no cork/uncork)', async () => {
  const out: string[] = [];
  const headers: Record<string, unknown> = {};
  const res = {
    statusCode: 200,
    statusMessage: '',
    destroyed: false,
    closed: false,
    setHeader: (name: string, value: unknown) => void (headers[name] = value),
    flushHeaders: () => undefined,
    write: (chunk: Uint8Array) => out.push(new TextDecoder().decode(chunk)) > 0,
    end: () => out.push('<end>'),
    once: () => res,
    off: () => res,
  };
  await writeWebResponse(res as unknown as ServerResponse, new Response('hello', { status: 201, headers: { 'x-a': '1' } }));
  expect([res.statusCode, headers['x-a'], out.join('')]).toEqual([201, '1', 'hello<end>']);
});

/** The raw head and body of one answer to GET / on a fresh connection. */
async function raw(url: string): Promise<{ head: string[]; body: string }> {
  const { port } = new URL(url);
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1', () => sock.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => {
      const all = Buffer.concat(chunks);
      const at = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, at).toString('latin1').toLowerCase().split('\r\n'), body: all.subarray(at + 4).toString('utf8') });
    });
  });
}

test.skipIf(!fromSource)('node: a text body leaves with a Content-Length of its UTF-8 bytes, not chunked', async () => {
  const s = await start(() => new Response('héllo ✓', { headers: { 'content-type': 'text/plain; charset=utf-8' } }));
  try {
    const r = await raw(s.url);
    expect(r.head).toEqual(expect.arrayContaining(['content-length: 10', 'content-type: text/plain; charset=utf-8']));
    expect(r.head.some((l) => l.startsWith('transfer-encoding'))).toBe(false);
    expect(r.body).toBe('héllo ✓');
  } finally {
    s.server.close();
  }
});

test.skipIf(!fromSource)('node: a Response.json() body, a bytes body and a clone leave whole with their lengths', async () => {
  const bodies: Array<() => Response> = [
    () => Response.json({ ok: true, items: [1, 2, 3] }),
    () => new Response(new TextEncoder().encode('bytes!'), { status: 202 }),
    () => new Response('cloned').clone(),
  ];
  for (const [make, body, length] of [
    [bodies[0]!, '{"ok":true,"items":[1,2,3]}', 27],
    [bodies[1]!, 'bytes!', 6],
    [bodies[2]!, 'cloned', 6],
  ] as const) {
    const s = await start(make);
    try {
      const r = await raw(s.url);
      expect([r.body, r.head.includes(`content-length: ${length}`), r.head.some((l) => l.startsWith('transfer-encoding'))]).toEqual([body, true, false]);
    } finally {
      s.server.close();
    }
  }
});

test('node: an explicit Content-Length is kept, not doubled', async () => {
  const s = await start(() => new Response('abc', { headers: { 'content-length': '3' } }));
  try {
    const r = await raw(s.url);
    expect([r.head.filter((l) => l.startsWith('content-length')), r.body]).toEqual([['content-length: 3'], 'abc']);
  } finally {
    s.server.close();
  }
});

test('node: a streamed body is still sent chunked', async () => {
  const s = await start(() => new Response(new Blob(['part']).stream()));
  try {
    const r = await raw(s.url);
    expect(r.head).toContain('transfer-encoding: chunked');
    expect(r.body).toBe('4\r\npart\r\n0\r\n\r\n');
  } finally {
    s.server.close();
  }
});

test('node: a Response whose body the handler already read gets a 500, as on Deno and Bun', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const s = await start(() => {
    const r = new Response('read');
    void r.text();
    return r;
  });
  try {
    const r = await raw(s.url);
    expect([r.head[0], r.body]).toEqual(['http/1.1 500 internal server error', 'Internal Server Error']);
    expect(printed).toHaveBeenCalledTimes(1);
  } finally {
    printed.mockRestore();
    s.server.close();
  }
});

/** The raw answer to `method /` on a fresh connection. */
async function rawMethod(url: string, method: string): Promise<string> {
  const { port } = new URL(url);
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1', () => sock.write(`${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', reject);
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

test('node: a text body whose stream is locked (a reader taken, a tee) gets the 500, not its text', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  for (const lock of [(b: ReadableStream) => b.getReader(), (b: ReadableStream) => b.tee()]) {
    const s = await start(() => {
      const r = new Response('locked');
      lock(r.body!);
      return r;
    });
    try {
      const r = await raw(s.url);
      expect([r.head[0], r.body]).toEqual(['http/1.1 500 internal server error', 'Internal Server Error']);
    } finally {
      s.server.close();
    }
  }
  expect(printed).toHaveBeenCalledTimes(2);
  printed.mockRestore();
});

test.skipIf(!fromSource)('node: one text Response returned for GET, HEAD, GET: the second GET gets the 500, not an empty 200', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const shared = new Response('shared');
  const s = await start(() => shared);
  try {
    const answers = [await rawMethod(s.url, 'GET'), await rawMethod(s.url, 'HEAD'), await rawMethod(s.url, 'GET')];
    expect(answers.map((a) => [a.split('\r\n')[0], a.slice(a.indexOf('\r\n\r\n') + 4)])).toEqual([
      ['HTTP/1.1 200 OK', 'shared'],
      ['HTTP/1.1 200 OK', ''],
      ['HTTP/1.1 500 Internal Server Error', 'Internal Server Error'],
    ]);
  } finally {
    printed.mockRestore();
    s.server.close();
  }
});

test.skipIf(!fromSource)('node: HEAD of a text or bytes body gets the Content-Length GET gets (RFC 9110 §9.3.2), as from Deno.serve and Bun.serve', async () => {
  const s = await start((request) => (new URL(request.url).pathname === '/bytes' ? new Response(new Uint8Array(7)) : new Response('héllo')));
  try {
    for (const path of ['', 'bytes']) {
      const get = await fetch(s.url + path);
      const head = await fetch(s.url + path, { method: 'HEAD' });
      const bytes = (await get.arrayBuffer()).byteLength;
      expect([get.headers.get('content-length'), head.headers.get('content-length'), await head.text()]).toEqual([String(bytes), String(bytes), '']);
    }
  } finally {
    s.server.close();
  }
});

test('node: a first chunk larger than the buffer, written while corked, does not stall the body (Node 22 waited for a drain that never came)', async () => {
  let i = 0;
  const s = await start(
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            if (i++ >= 3) c.close();
            else c.enqueue(new Uint8Array(65536).fill(97));
          },
        }),
      ),
  );
  try {
    const res = await request(s.url);
    expect((await text(res)).length).toBe(3 * 65536);
  } finally {
    s.server.close();
  }
}, 5000);
