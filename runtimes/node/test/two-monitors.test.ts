import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMonitor, MemoryBackend } from '../../../src/index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { instrument } from '../index.js';

// Two instrumented handlers (two monitors) in one process: the global fetch is patched once, by
// the first; a fetch made in the second's request must still follow the second's configuration.
const upstream = createServer((req, res) => res.end(String(req.headers.traceparent ?? 'none')));
let url: string;
beforeAll(async () => {
  untraceGlobalFetch();
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/up?session=s3cr3t`;
});
afterAll(() => {
  untraceGlobalFetch();
  upstream.close();
});

test('node: a fetch in a request of the second monitor is traced by it (its sampler, redaction, backends), not the first', async () => {
  const memA = new MemoryBackend();
  const memB = new MemoryBackend();
  const a = instrument(() => new Response('a'), { serviceName: 'A', backends: [memA], sampler: 'always_off' });
  const b = instrument(async () => new Response(await (await fetch(url)).text()), {
    serviceName: 'B',
    backends: [memB],
    logging: { redactFields: ['session'] },
  });
  const traceparent = await (await b(new Request('http://localhost/'), undefined as never)).text();
  await b.flush();
  await a.flush();
  expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const server = memB.spans.find((s) => s.kind === 2)!;
  const client = memB.spans.find((s) => s.kind === 3);
  expect(client?.attributes['url.full']).toBe(`${url.replace('s3cr3t', 'REDACTED')}`);
  expect(client?.parentSpanId).toBe(server.spanId);
  expect(traceparent.split('-')[2]).toBe(client?.spanId);
  expect(memA.spans).toEqual([]);
});

test("node: traceFetch: false holds in its own requests when another monitor traced the global fetch (before or after it), and a shut-down monitor's tracing ends with it", async () => {
  untraceGlobalFetch();
  const memA = new MemoryBackend();
  const memB = new MemoryBackend();
  const memC = new MemoryBackend();
  const call = async () => new Response(await (await fetch(url)).text());
  const off = instrument(call, { serviceName: 'off-first', backends: [memC] }, { traceFetch: false });
  const a = instrument(call, { serviceName: 'A', backends: [memA] });
  const b = instrument(call, { serviceName: 'B', backends: [memB] }, { traceFetch: false });
  expect(await (await off(new Request('http://localhost/'), undefined as never)).text()).toBe('none');
  expect(await (await b(new Request('http://localhost/'), undefined as never)).text()).toBe('none');
  expect(await (await a(new Request('http://localhost/'), undefined as never)).text()).toMatch(/^00-/);
  await a.shutdown();
  // Outside any request, A (the first to trace) no longer traces once shut down.
  expect(await (await fetch(url)).text()).toBe('none');
  await b.flush();
  await off.flush();
  expect([...memB.spans, ...memC.spans].filter((s) => s.kind === 3)).toEqual([]);
  expect(memA.spans.filter((s) => s.kind === 3)).toHaveLength(1);
});

test('node: traceFetch: false holds for its handler when another handler of the same monitor traces the global fetch (before or after it)', async () => {
  for (const offFirst of [true, false]) {
    untraceGlobalFetch();
    const mem = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'shared', backends: [mem] });
    const call = async () => new Response(await (await fetch(url)).text());
    const off = offFirst ? instrument(call, monitor, { traceFetch: false }) : undefined;
    const on = instrument(call, monitor);
    const admin = off ?? instrument(call, monitor, { traceFetch: false });
    expect(await (await admin(new Request('http://localhost/'), undefined as never)).text()).toBe('none');
    expect(await (await on(new Request('http://localhost/'), undefined as never)).text()).toMatch(/^00-/);
    await on.flush();
    expect(mem.spans.filter((s) => s.kind === 3)).toHaveLength(1);
    await monitor.shutdown();
  }
});
