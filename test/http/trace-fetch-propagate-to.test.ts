/**
 * On Node, Deno and Bun the global fetch is traced by the adapters; `traceFetch: { propagateTo }`
 * limits the hosts that receive the trace headers and the caller's baggage (README, "Redaction":
 * incoming baggage is otherwise forwarded to any host), as Workers' `propagateTo` does.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, test } from 'vitest';
import { createServerHandler } from '../../src/adapter/process-server.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';

const seen: IncomingHttpHeaders[] = [];
const upstream = createServer((req, res) => {
  seen.push(req.headers);
  res.end('ok');
});
await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
const port = (upstream.address() as AddressInfo).port;
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

test('traceFetch: { propagateTo } sends traceparent and baggage only to the hosts allowed', async () => {
  const { monitor, memory } = createTestMonitor();
  const handle = createServerHandler(
    async () => {
      await (await fetch(`http://127.0.0.1:${port}/allowed`)).text();
      await (await fetch(`http://localhost:${port}/other`)).text();
      return new Response('done');
    },
    monitor,
    undefined,
    { traceFetch: { propagateTo: { allow: ['127.0.0.1'] } } },
  );
  const incoming = new Request('http://app.example/', {
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', baggage: 'user.email=a%40b.example' },
  });
  const res = await handle(incoming, undefined);
  expect(await res.text()).toBe('done');
  await monitor.flush();
  expect(seen).toHaveLength(2);
  expect(seen[0]!.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  expect(seen[0]!.baggage).toBe('user.email=a%40b.example');
  expect(seen[1]!.traceparent).toBeUndefined();
  expect(seen[1]!.baggage).toBeUndefined();
  // Both calls are still traced: only the headers are withheld.
  expect(memory.spans.filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(2);
});
