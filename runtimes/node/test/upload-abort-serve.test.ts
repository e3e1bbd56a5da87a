/**
 * serve() / toNodeListener: a handler reading the body of an upload its client abandoned fails
 * with Node's `aborted` (ECONNRESET). That is the client leaving, not the app failing: recorded as
 * connection_closed with no status (HTTP semconv), and no stack printed per client that left.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { SpanStatus } from '../../../src/model/span-data.js';
import { serve, toNodeListener } from '../index.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

/** Announces 100 000 bytes, sends 1 000, then resets. */
async function abortUpload(port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'a'.repeat(1000)}`);
      setTimeout(() => c.destroy(), 100);
    });
    c.on('close', () => resolve());
    c.on('error', () => undefined);
  });
  await new Promise((r) => setTimeout(r, 100));
}

test('serve(): a handler reading an abandoned upload is recorded as connection_closed, and nothing is printed', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const memory = new MemoryBackend();
  const s = await serve(async (request) => Response.json({ n: (await request.arrayBuffer()).byteLength }), { serviceName: 'upload', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    flushOnExit: false,
    traceFetch: false,
  });
  closers.push(() => s.close());
  await abortUpload(s.port);
  await s.handler.flush(1000);
  const span = memory.spans.find((x) => x.attributes['url.path'] === '/upload')!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type'], span.status.code]).toEqual([undefined, 'connection_closed', SpanStatus.ERROR]);
  const point = memory.getMetric('http.server.request.duration')!.points[0]!;
  expect([point.attributes['http.response.status_code'], point.attributes['error.type']]).toEqual([undefined, 'connection_closed']);
  expect(printed).not.toHaveBeenCalled();
});

test('toNodeListener() without instrument(): an abandoned upload prints nothing', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const server: Server = createServer(toNodeListener(async (request) => new Response(String((await request.arrayBuffer()).byteLength))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  await abortUpload((server.address() as AddressInfo).port);
  expect(printed).not.toHaveBeenCalled();
});

test('a handler that fails for its own reason while its client is gone still prints and records its exception', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const memory = new MemoryBackend();
  const s = await serve(
    async (request) => {
      await request.arrayBuffer().catch(() => undefined);
      throw new RangeError('own failure');
    },
    { serviceName: 'upload', backends: [memory] },
    { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false },
  );
  closers.push(() => s.close());
  await abortUpload(s.port);
  await s.handler.flush(1000);
  const span = memory.spans.find((x) => x.attributes['url.path'] === '/upload')!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type']]).toEqual([undefined, 'RangeError']);
  expect(printed).toHaveBeenCalled();
});
