import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
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

test('node: the headers, a body that is there at once and its end leave in one socket write', async () => {
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
