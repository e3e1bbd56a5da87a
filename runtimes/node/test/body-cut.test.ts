/**
 * A response whose body was cut short, its status sent. HTTP semconv ("HTTP server call: connection
 * dropped before response body was sent"): the span keeps `http.response.status_code` and has an
 * `error.type`, its status ERROR (a 2xx is left unset unless another error happened, such as a
 * network error sending the body); `http.server.request.duration` carries the same `error.type`.
 * A client that left is `connection_closed`, as one that left before the status; a body that failed
 * is its exception's type, as a handler that throws.
 */
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { SpanStatus } from '../../../src/model/span-data.js';
import { instrumentListener, serve } from '../index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A GET that goes away once the first chunk of the body has come. */
function leaveMidBody(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/feed`, (res: IncomingMessage) => res.once('data', () => (req.destroy(), resolve())));
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no first chunk')), 5000);
  });
}

/** A body that sends a chunk at once, then one every 20 ms until cancelled. */
const endless = (): ReadableStream<Uint8Array> =>
  new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('first\n')),
    pull: (c) => sleep(20).then(() => c.enqueue(new TextEncoder().encode('more\n'))),
  });

/** The /feed span once it has ended (flushed until it is there, at most about 5 s). */
async function feedSpan(memory: MemoryBackend, flush: () => Promise<unknown>) {
  for (let i = 0; i < 250; i++) {
    await flush();
    const span = memory.spans.find((s) => s.attributes['url.path'] === '/feed');
    if (span) return span;
    await sleep(20);
  }
  throw new Error('the /feed span never ended');
}

function expectCut(memory: MemoryBackend, span: Awaited<ReturnType<typeof feedSpan>>, errorType: string): void {
  expect([span.attributes['http.response.status_code'], span.attributes['http.response.body.incomplete'], span.attributes['error.type'], span.status.code]).toEqual([
    200,
    true,
    errorType,
    SpanStatus.ERROR,
  ]);
  const points = memory.getMetric('http.server.request.duration')!.points.filter((p) => p.attributes['url.scheme'] === 'http');
  expect(points.map((p) => [p.attributes['http.response.status_code'], p.attributes['error.type']])).toEqual([[200, errorType]]);
}

test('serve() with waitForBody: a client that leaves mid-body is error.type connection_closed on the span and the duration, the 200 kept', async () => {
  const memory = new MemoryBackend();
  const s = await serve(() => new Response(endless()), { serviceName: 'cut', backends: [memory] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false, waitForBody: true });
  closers.push(() => s.close());
  await leaveMidBody(s.url);
  expectCut(memory, await feedSpan(memory, () => s.handler.flush(1000)), 'connection_closed');
});

test("serve() with waitForBody: a body that fails mid-way is its error's type, recorded as an exception, the 200 kept", async () => {
  const memory = new MemoryBackend();
  const body = (): ReadableStream<Uint8Array> => {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      pull: async (c) => {
        if (!sent) return void ((sent = true), c.enqueue(new TextEncoder().encode('first\n')));
        await sleep(20);
        c.error(new RangeError('the feed broke'));
      },
    });
  };
  const s = await serve(() => new Response(body()), { serviceName: 'cut', backends: [memory] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false, waitForBody: true });
  closers.push(() => s.close());
  const got = await new Promise<string>((resolve) => {
    const req = get(`${s.url}/feed`, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('error', () => resolve(text));
      res.on('close', () => resolve(text));
    });
    req.on('error', () => undefined);
  });
  expect(got).toBe('first\n');
  const span = await feedSpan(memory, () => s.handler.flush(1000));
  expectCut(memory, span, 'RangeError');
  expect(span.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'the feed broke']]);
});

test('instrumentListener(): a client that leaves mid-body is marked incomplete, error.type connection_closed on the span and the duration, the 200 kept', async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      const more = setInterval(() => res.write('more\n'), 20);
      res.on('close', () => clearInterval(more));
    },
    { serviceName: 'cut', backends: [memory] },
    { traceFetch: false },
  );
  const server: Server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  await leaveMidBody(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  expectCut(memory, await feedSpan(memory, () => listener.flush(1000)), 'connection_closed');
});
