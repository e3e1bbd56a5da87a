/**
 * wrapFunction's Node-style functions `(req, res)` whose client left before any response was
 * sent: a function that then fails never sent the 500 a failure would record. HTTP semconv:
 * `http.response.status_code` only when one was sent; the exception and its `error.type` stay.
 */
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { SpanStatus } from '../../../src/model/span-data.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

test('a function that rejects or throws after its client left is recorded with the exception, without the 500 it never sent', async () => {
  const { monitor, memory } = createTestMonitor();
  const fn = wrapFunction(
    (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/ok') return void res.end('ok');
      if (req.url === '/throws') throw new SyntaxError('too late');
      return sleep(250).then(() => Promise.reject(new RangeError('too late')));
    },
    monitor,
    { kind: 'node' },
  );
  // '/throws' reaches the function after its client left (a middleware that awaited), and throws there.
  server = createServer((req, res) => void (req.url === '/throws' ? sleep(150) : Promise.resolve()).then(() => fn(req, res)).catch(() => undefined));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const path of ['/rejects', '/throws']) {
    const req = get(url + path);
    req.on('error', () => undefined);
    setTimeout(() => req.destroy(), 50);
  }
  await sleep(400);
  // One that stays gets its 200 as before.
  expect((await fetch(`${url}/ok`)).status).toBe(200);
  await monitor.flush();
  for (const [path, type] of [['/rejects', 'RangeError'], ['/throws', 'SyntaxError']] as const) {
    const span = memory.spans.find((s) => s.attributes['url.path'] === path)!;
    expect([path, span.attributes['http.response.status_code'], span.attributes['error.type'], span.status.code, span.events[0]?.name]).toEqual([path, undefined, type, SpanStatus.ERROR, 'exception']);
    const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['error.type'] === type)!;
    expect(point.attributes['http.response.status_code']).toBeUndefined();
  }
  const ok = memory.spans.find((s) => s.attributes['url.path'] === '/ok')!;
  expect([ok.attributes['http.response.status_code'], ok.attributes['error.type']]).toEqual([200, undefined]);
});

test('a function still pending after its client left is waited for at most flushTimeoutMs: its span is exported with connection_closed, not held open', async () => {
  const { monitor, memory } = createTestMonitor();
  // A slow upstream the client gave up on, and that never answers (the platform's timeout would end it).
  const fn = wrapFunction((_req: IncomingMessage, _res: ServerResponse) => new Promise(() => undefined), monitor, { kind: 'node', flushTimeoutMs: 100 });
  server = createServer((req, res) => void fn(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const req = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hangs`);
  req.on('error', () => undefined);
  setTimeout(() => req.destroy(), 50);
  await sleep(400);
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/hangs');
  expect([span?.attributes['error.type'], span?.attributes['http.response.status_code']]).toEqual(['connection_closed', undefined]);
  server.closeAllConnections();
});
