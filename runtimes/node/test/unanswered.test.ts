/**
 * A client that disconnects before any response was sent: the status the handler returned (or the
 * 200 a listener's response starts with) never reached it. HTTP semconv: `http.response.status_code`
 * only when one was sent; `error.type` when the request failed before a status was sent.
 * instrumentation-http 0.223 ends such a span at the response's `close` with `response.statusCode`
 * (200) and no `error.type`, recording an answer that was never given.
 */
import { createServer, get, type Server } from 'node:http';
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

/** A GET whose client goes away after 50 ms, before the server answers (at 250 ms). */
async function leaveEarly(url: string): Promise<void> {
  const req = get(`${url}/slow`);
  req.on('error', () => undefined);
  setTimeout(() => req.destroy(), 50);
  await sleep(400);
}

function expectUnanswered(memory: MemoryBackend): void {
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/slow')!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type'], span.status.code]).toEqual([undefined, 'connection_closed', SpanStatus.ERROR]);
  const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['error.type'] === 'connection_closed')!;
  expect(point.attributes['http.response.status_code']).toBeUndefined();
}

test('serve(): a client that left before the handler returned its 200 is recorded without a status, error.type connection_closed', async () => {
  const memory = new MemoryBackend();
  const s = await serve(
    async () => {
      await sleep(250);
      return new Response('too late');
    },
    { serviceName: 'gone', backends: [memory] },
    { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false },
  );
  closers.push(() => s.close());
  await leaveEarly(s.url);
  // One that stays gets its 200 as before.
  expect((await fetch(`${s.url}/ok`)).status).toBe(200);
  await s.handler.flush(1000);
  expectUnanswered(memory);
  const ok = memory.spans.find((x) => x.attributes['url.path'] === '/ok')!;
  expect([ok.attributes['http.response.status_code'], ok.attributes['error.type'], ok.status.code]).toEqual([200, undefined, SpanStatus.UNSET]);
});

test('instrumentListener(): a client that left before the listener answered is recorded without the 200 the response started with', async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener(
    (_req, res) => {
      setTimeout(() => res.end('too late'), 250);
    },
    { serviceName: 'gone', backends: [memory] },
    { traceFetch: false },
  );
  const server: Server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  await leaveEarly(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await listener.flush(1000);
  expectUnanswered(memory);
});

test('serve(): a client that left before the handler failed is recorded with the exception, without the 500 it never got', async () => {
  const memory = new MemoryBackend();
  const s = await serve(
    async (request) => {
      await sleep(250);
      if (new URL(request.url).pathname === '/slow') throw new RangeError('too late');
      return undefined as unknown as Response;
    },
    { serviceName: 'gone', backends: [memory] },
    { port: 0, hostname: '127.0.0.1', flushOnExit: false, traceFetch: false },
  );
  closers.push(() => s.close());
  const error = console.error;
  console.error = () => undefined; // toNodeListener prints the failure, as Deno.serve does
  try {
    await leaveEarly(s.url);
    const none = get(`${s.url}/none`);
    none.on('error', () => undefined);
    setTimeout(() => none.destroy(), 50);
    await sleep(400);
  } finally {
    console.error = error;
  }
  await s.handler.flush(1000);
  for (const [path, type] of [['/slow', 'RangeError'], ['/none', 'TypeError']] as const) {
    const span = memory.spans.find((x) => x.attributes['url.path'] === path)!;
    expect([path, span.attributes['http.response.status_code'], span.attributes['error.type'], span.status.code]).toEqual([path, undefined, type, SpanStatus.ERROR]);
    const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['error.type'] === type)!;
    expect(point.attributes['http.response.status_code']).toBeUndefined();
  }
});
