// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { MemoryBackend, SpanStatus } from '../../../src/index.ts';
import { serve } from '../index.ts';

declare const Deno: any;

Deno.test({
  name: "deno: serve()'s onError answers a thrown error inside the request's telemetry: the span and http.server.request.duration record the status the client got, onError runs once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const memory = new MemoryBackend();
    const seen: string[] = [];
    const server = serve(
      async (req) => {
        throw new Error(new URL(req.url).pathname.slice(1));
      },
      { serviceName: 'deno-on-error', backends: [memory] },
      {
        hostname: '127.0.0.1',
        port: 0,
        onListen() {},
        onError(e: Error) {
          seen.push(e.message);
          if (e.message === 'maintenance') return new Response('down', { status: 503 });
          if (e.message === 'missing') return Promise.resolve(new Response('no such thing', { status: 404 }));
          if (e.message === 'again') throw new Error('onError failed');
          return undefined;
        },
        instrumentation: { traceFetch: false, flushOnExit: false },
      },
    );
    const base = `http://127.0.0.1:${server.addr!.port}`;
    const got: [number, string][] = [];
    try {
      for (const path of ['/maintenance', '/missing', '/again', '/none']) {
        const r = await fetch(base + path);
        got.push([r.status, await r.text()]);
      }
    } finally {
      await server.shutdown();
    }
    assert.deepEqual(got, [
      [503, 'down'],
      [404, 'no such thing'],
      [500, 'Internal Server Error'],
      [500, 'Internal Server Error'],
    ]);
    // Offered once each: Deno does not offer onError again what it already answered (or failed on).
    assert.deepEqual(seen, ['maintenance', 'missing', 'again', 'none']);
    await new Promise((r) => setTimeout(r, 50));
    const spans = memory.spans.sort((a, b) => a.startTime - b.startTime);
    assert.deepEqual(
      spans.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['error.type'], s.status.code, s.events.some((e) => e.name === 'exception')]),
      [
        ['/maintenance', 503, '503', SpanStatus.ERROR, true],
        // HTTP semconv: a 4xx leaves a server span unset; the exception is still recorded.
        ['/missing', 404, undefined, SpanStatus.UNSET, true],
        ['/again', 500, 'Error', SpanStatus.ERROR, true],
        ['/none', 500, 'Error', SpanStatus.ERROR, true],
      ],
    );
    const duration = memory.getMetric('http.server.request.duration')!.points.map((p) => [p.attributes['http.response.status_code'], p.attributes['error.type']]);
    assert.deepEqual(duration.sort(), [[404, undefined], [500, 'Error'], [503, '503']]);
  },
});
