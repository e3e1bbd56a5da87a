/**
 * A HEAD answer carries the header fields GET's would, Content-Length included (RFC 9110 §9.3.2;
 * §8.6: a HEAD's Content-Length must be the length GET's content would have): the /metrics and
 * health handlers behind a real Node server (toNodeListener), read with fetch. Deno.serve and
 * Bun.serve give a HEAD of a text body its length themselves; toNodeListener gave none.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { MemoryBackend } from '../../src/testing/index.js';
import { metricsHandler } from '../../src/exporters/prometheus/index.js';
import { healthHandler } from '../../src/health/index.js';
import { toNodeListener } from '../../runtimes/node/index.js';

const monitor = createMonitor({ backends: [new MemoryBackend()] });
monitor.metrics.createCounter('orders_total', 'Orders taken, by café.', { labelNames: ['cafe'] }).add(3, { cafe: 'Zoë' });
monitor.health.register('db', () => true);
const metrics = metricsHandler(monitor);
const health = healthHandler(monitor.health);
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(toNodeListener(async (request) => (await metrics(request)) ?? (await health(request)) ?? new Response('not found', { status: 404 })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** GET's content length in bytes, and the Content-Length of HEAD's answer. */
async function lengths(path: string, headers: Record<string, string>): Promise<[number, string | null]> {
  const get = await fetch(base + path, { headers });
  const bytes = (await get.arrayBuffer()).byteLength;
  const head = await fetch(base + path, { method: 'HEAD', headers });
  expect([get.status, head.status, await head.text()]).toEqual([200, 200, '']);
  return [bytes, head.headers.get('content-length')];
}

test('HEAD /metrics gives the Content-Length of the text GET gets (UTF-8 bytes, not characters)', async () => {
  for (const accept of ['text/plain', 'application/openmetrics-text;version=1.0.0']) {
    const [bytes, length] = await lengths('/metrics', { accept, 'accept-encoding': 'identity' });
    expect(length).toBe(String(bytes));
  }
});

test('HEAD /metrics asking for gzip gets no Content-Length: GET streams the gzip (its length is known only once compressed)', async () => {
  const head = await fetch(base + '/metrics', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
  expect([head.headers.get('content-encoding'), head.headers.get('content-length')]).toEqual(['gzip', null]);
});

test('HEAD /health gives the Content-Length of the JSON GET gets', async () => {
  const [bytes, length] = await lengths('/health', {});
  expect(length).toBe(String(bytes));
});
