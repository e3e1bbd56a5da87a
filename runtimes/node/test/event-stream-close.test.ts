/**
 * A server-sent-events stream runs until its client closes it: that close is the stream's normal
 * end, not an error. The span is marked `http.response.body.incomplete` (what was sent is what it
 * covers) but gets no `error.type` and no ERROR status, and `http.server.request.duration` no
 * `error.type` label, so error rates do not count every visitor who closed a tab. (Any other body
 * cut short by its client is `connection_closed`: body-cut.test.ts.)
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

function leaveAfterFirstEvent(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/events`, (res: IncomingMessage) => res.once('data', () => (req.destroy(), resolve())));
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no first event')), 5000);
  });
}

async function eventsSpan(memory: MemoryBackend, flush: () => Promise<unknown>) {
  for (let i = 0; i < 250; i++) {
    await flush();
    const span = memory.spans.find((s) => s.attributes['url.path'] === '/events');
    if (span) return span;
    await sleep(20);
  }
  throw new Error('the /events span never ended');
}

function expectNormalEnd(memory: MemoryBackend, span: Awaited<ReturnType<typeof eventsSpan>>): void {
  expect([span.attributes['http.response.status_code'], span.attributes['http.response.body.incomplete'], span.attributes['error.type'], span.status.code]).toEqual([
    200,
    true,
    undefined,
    SpanStatus.UNSET,
  ]);
  const points = memory.getMetric('http.server.request.duration')!.points.filter((p) => p.attributes['url.scheme'] === 'http');
  expect(points.map((p) => [p.attributes['http.response.status_code'], p.attributes['error.type']])).toEqual([[200, undefined]]);
}

test('serve() with waitForBody: an event stream its client closes ends without error.type or ERROR', async () => {
  const memory = new MemoryBackend();
  const events = () =>
    new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode('data: first\n\n')),
      pull: (c) => sleep(20).then(() => c.enqueue(new TextEncoder().encode('data: more\n\n'))),
    });
  const s = await serve(() => new Response(events(), { headers: { 'content-type': 'text/event-stream; charset=utf-8' } }), { serviceName: 'sse', backends: [memory] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false, waitForBody: true });
  closers.push(() => s.close());
  await leaveAfterFirstEvent(s.url);
  expectNormalEnd(memory, await eventsSpan(memory, () => s.handler.flush(1000)));
});

test('instrumentListener(): an event stream its client closes ends without error.type or ERROR', async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener(
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: first\n\n');
      const more = setInterval(() => res.write('data: more\n\n'), 20);
      res.on('close', () => clearInterval(more));
    },
    { serviceName: 'sse', backends: [memory] },
    { traceFetch: false },
  );
  const server: Server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  await leaveAfterFirstEvent(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  expectNormalEnd(memory, await eventsSpan(memory, () => listener.flush(1000)));
});
