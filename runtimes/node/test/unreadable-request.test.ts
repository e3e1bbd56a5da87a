/**
 * instrumentListener with a request the library cannot read (a getter that throws, as a
 * framework's or a test's request object may have): the listener still runs and answers as it
 * would without the library, the request is still traced (under a stand-in URL) and counted, the
 * failure to read it counted and reported (DESIGN 5), and nothing is thrown into the server (an
 * unhandled rejection ends a Node process by default). No scope is left open either.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { clockOrigin, now } from '../../../src/time.js';
import { instrumentListener } from '../index.js';

const HOUR = 3_600_000;

let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

type Spoil = (req: IncomingMessage) => void;

const unreadable = (what: string) => ({
  enumerable: true,
  get(): never {
    throw new Error(`${what} unreadable`);
  },
});

test.each<[string, Spoil]>([
  ['its URL cannot be read (the request is not built)', (req) => Object.defineProperty(req, 'url', unreadable('url'))],
  ['a header cannot be read (reading the built request fails)', (req) => Object.defineProperty(req.headers, 'user-agent', unreadable('header'))],
])('a request whose %s: the listener answers as without the library, once; the request is traced and counted, the failure counted; nothing thrown into the server', async (_what, spoil) => {
  const reported: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void reported.push(d.message) });
  const rejections: unknown[] = [];
  const onRejection = (e: unknown): void => void rejections.push(e);
  process.on('unhandledRejection', onRejection);
  let calls = 0;
  const listener = instrumentListener(
    (_req: IncomingMessage, res: ServerResponse) => {
      calls++;
      res.statusCode = 201;
      res.end('made');
    },
    monitor,
    { traceFetch: false },
  );
  server = createServer((req, res) => {
    spoil(req);
    listener(req, res);
  });
  try {
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders?x=1`, { signal: AbortSignal.timeout(2000) });
    expect(`${res.status} ${await res.text()}`).toBe('201 made');
    await new Promise((r) => setTimeout(r, 20));
    await listener.flush();
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  expect(rejections).toEqual([]);
  expect(calls).toBe(1);
  const spans = memory.spans.filter((s) => s.kind === 2);
  expect(spans).toHaveLength(1);
  expect(spans[0]!.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': 'localhost', 'url.path': '/', 'http.response.status_code': 201, 'client.address': '127.0.0.1' });
  expect(memory.getMetric('http.server.request.duration')!.points[0]!.attributes).toMatchObject({ 'http.response.status_code': 201 });
  const drops = (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [])
    .filter((p) => p.attributes.reason === 'invalid_value')
    .reduce((n, p) => n + (p as { value: number }).value, 0);
  expect(drops).toBe(1);
  expect(reported.some((m) => /could not be read/.test(m))).toBe(true);
  // No scope left open: the next scope after a suspend moves the clock (enterScope). The wall
  // clock is moved an hour past the library's (which a test before may have moved already).
  const real = Date.now.bind(Date);
  const ahead = now() - real() + HOUR;
  vi.spyOn(Date, 'now').mockImplementation(() => real() + ahead);
  const origin = clockOrigin();
  await monitor.openScope().close();
  expect(clockOrigin() - origin).toBeGreaterThan(HOUR - 1000);
  await listener.shutdown();
});
