// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { afterAll, expect, test } from 'bun:test';
import { createMonitor, MemoryBackend, SpanKind, SpanStatus } from '../../../src/index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { instrument, serve } from '../index.js';

declare const Bun: any;

afterAll(() => untraceGlobalFetch());

test("bun: serve()'s traceFetch: false holds for its routes handlers too, when another instrument() traces the global fetch with the same monitor", async () => {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'bun-routes-plain', backends: [memory] });
  const upstream = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('up') });
  const relay = async () => new Response(await (await fetch(`http://127.0.0.1:${upstream.port}/`)).text());
  // Traces the global fetch for this monitor's requests (its own handler is not served here).
  instrument(() => new Response('other'), monitor);
  const server = serve(relay, monitor, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, traceFetch: false },
    routes: { '/route': relay, '/method': { GET: relay } },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/fetch', '/route', '/method']) expect(await (await fetch(`${base}${path}`)).text()).toBe('up');
  } finally {
    server.stop(true);
    upstream.stop(true);
  }
  await monitor.flush();
  const servers = memory.spans.filter((s) => s.kind === SpanKind.SERVER);
  expect(servers.map((s) => s.name).sort()).toEqual(['GET', 'GET /method', 'GET /route']);
  expect(memory.spans.filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.attributes['url.full'])).toEqual([]);
}, 30_000);

test("bun: serve()'s error option answering a 4xx (a not-found error mapped to 404) leaves the server span unset, the exception recorded (HTTP semconv), as a 5xx is ERROR", async () => {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'bun-error-4xx', backends: [memory] });
  const server = serve(
    (req) => {
      throw new Error(new URL(req.url).pathname.slice(1));
    },
    monitor,
    {
      port: 0,
      hostname: '127.0.0.1',
      instrumentation: { flushOnExit: false, traceFetch: false },
      error: (e: Error) => new Response(e.message, { status: e.message === 'missing' ? 404 : 503 }),
    },
  );
  try {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/missing`)).status).toBe(404);
    expect((await fetch(`${base}/down`)).status).toBe(503);
  } finally {
    server.stop(true);
  }
  await monitor.flush();
  const spans = memory.spans.filter((s) => s.kind === SpanKind.SERVER).sort((a, b) => a.startTime - b.startTime);
  expect(spans.map((s) => [s.attributes['http.response.status_code'], s.attributes['error.type'], s.status.code, s.events.some((e) => e.name === 'exception')])).toEqual([
    [404, undefined, SpanStatus.UNSET, true],
    [503, '503', SpanStatus.ERROR, true],
  ]);
}, 30_000);

test("bun: Bun's fetch.preconnect() still works once instrument() has traced the global fetch", async () => {
  untraceGlobalFetch();
  expect(typeof (fetch as unknown as { preconnect?: unknown }).preconnect).toBe('function');
  instrument(() => new Response('ok'), createMonitor({ serviceName: 'bun-preconnect', backends: [new MemoryBackend()] }));
  const upstream = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('up') });
  try {
    expect(() => (fetch as unknown as { preconnect(url: string): void }).preconnect(`http://127.0.0.1:${upstream.port}/`)).not.toThrow();
  } finally {
    upstream.stop(true);
  }
});
