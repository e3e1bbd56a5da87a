// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
import assert from 'node:assert/strict';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { createMonitor, MemoryBackend } from '../../../src/index.ts';
import { serve } from '../index.ts';

declare const Deno: any;

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

Deno.test('deno: serve() with ignoreRequest: a health check is answered and logged, its fetch goes out unsampled; no span, no duration point', async () => {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'deno-ignore', backends: [memory], onDiagnostic: () => {} });
  // Where outgoing fetches go: it answers with the traceparent it got.
  const echo = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, (r: Request) => new Response(String(r.headers.get('traceparent'))));
  const server = serve(
    async (req) => {
      const path = new URL(req.url).pathname;
      monitor.logger.info(`served ${path}`);
      return new Response(await (await fetch(`http://127.0.0.1:${echo.addr.port}${path}`)).text());
    },
    monitor,
    { port: 0, hostname: '127.0.0.1', onListen() {}, instrumentation: { flushOnExit: false, denoOtel: 'separate', ignoreRequest: (r) => new URL(r.url).pathname === '/health' } },
  );
  try {
    const headers = { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };
    const base = `http://127.0.0.1:${server.addr!.port}`;
    assert.match(await (await fetch(`${base}/health`, { headers })).text(), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    assert.match(await (await fetch(`${base}/api`, { headers })).text(), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
  } finally {
    await server.shutdown();
    await echo.shutdown();
    untraceGlobalFetch();
  }
  await monitor.forceFlush();
  assert.deepEqual(memory.spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path']), ['/api']);
  assert.deepEqual(memory.logs.map((l) => l.body), ['served /health', 'served /api']);
  const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  assert.deepEqual(duration.points.map((p) => (p as { count: number }).count), [1]);
  await monitor.shutdown();
});
