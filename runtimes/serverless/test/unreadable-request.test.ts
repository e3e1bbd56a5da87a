/**
 * wrapFunction's Node-style functions `(req, res)` whose request the library cannot read (a
 * getter that throws, as a framework's or a test's request object may have): the function still
 * runs and answers as it would without the library, and the invocation is still traced and counted,
 * its failure to read the request counted and reported (DESIGN 5), never thrown into the call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

type Spoil = (req: IncomingMessage) => void;

async function serve(spoil: Spoil): Promise<{ body: string; returned: unknown[]; monitor: ReturnType<typeof createTestMonitor>['monitor']; memory: ReturnType<typeof createTestMonitor>['memory']; reported: string[] }> {
  const reported: string[] = [];
  const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void reported.push(d.message) });
  const fn = wrapFunction(
    (_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 201;
      res.end('made');
      return 'done';
    },
    monitor,
    { kind: 'node' },
  );
  const returned: unknown[] = [];
  server = createServer((req, res) => {
    spoil(req);
    Promise.resolve(fn(req, res)).then(
      (v) => returned.push(v),
      (e: unknown) => {
        returned.push(e);
        if (!res.headersSent) res.writeHead(599).end();
      },
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders?x=1`);
  const body = `${res.status} ${await res.text()}`;
  await new Promise((r) => setTimeout(r, 20));
  await monitor.flush();
  return { body, returned, monitor, memory, reported };
}

const drops = (monitor: ReturnType<typeof createTestMonitor>['monitor']): number =>
  (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points ?? [])
    .filter((p) => p.attributes.reason === 'invalid_value')
    .reduce((n, p) => n + (p as { value: number }).value, 0);

test.each<[string, Spoil]>([
  [
    'its URL cannot be read (the request is not built)',
    (req) =>
      Object.defineProperty(req, 'url', {
        get() {
          throw new Error('url unreadable');
        },
      }),
  ],
  [
    'a header cannot be read (reading the built request fails)',
    (req) =>
      Object.defineProperty(req.headers, 'user-agent', {
        enumerable: true,
        get() {
          throw new Error('header unreadable');
        },
      }),
  ],
])('a Node-style request whose %s: the function answers as without the library, the invocation is traced and counted, the failure counted', async (_what, spoil) => {
  const { body, returned, monitor, memory, reported } = await serve(spoil);
  expect(body).toBe('201 made');
  expect(returned).toEqual(['done']);
  const server = memory.spans.filter((s) => s.kind === 2);
  expect(server).toHaveLength(1);
  expect(server[0]!.attributes['http.response.status_code']).toBe(201);
  const points = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')?.points ?? [];
  expect(points.map((p) => p.attributes['http.response.status_code'])).toEqual([201]);
  expect(drops(monitor)).toBe(1);
  expect(reported.some((m) => /could not be read/.test(m))).toBe(true);
});
