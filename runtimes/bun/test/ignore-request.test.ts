// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { afterAll, expect, test } from 'bun:test';
import { createMonitor, MemoryBackend } from '../../../src/index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { serve } from '../index.js';

declare const Bun: any;

afterAll(() => untraceGlobalFetch());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test('bun: serve() with ignoreRequest, for fetch and routes: a health check is answered and logged, its fetch goes out unsampled; no span, no duration point', async () => {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'bun-ignore', backends: [memory], onDiagnostic: () => {} });
  // Where outgoing fetches go: it answers with the traceparent it got.
  const echo = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (r: Request) => new Response(String(r.headers.get('traceparent'))) });
  const relay = async (req: Request) => {
    const path = new URL(req.url).pathname;
    monitor.logger.info(`served ${path}`);
    return new Response(await (await fetch(`http://127.0.0.1:${echo.port}${path}`)).text());
  };
  const server = serve(relay, monitor, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, ignoreRequest: (r) => new URL(r.url).pathname.endsWith('health') },
    routes: { '/route/health': relay, '/route/api': relay },
  });
  try {
    const headers = { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/health', '/route/health']) expect(await (await fetch(`${base}${path}`, { headers })).text()).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    for (const path of ['/api', '/route/api']) expect(await (await fetch(`${base}${path}`, { headers })).text()).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
  } finally {
    server.stop(true);
    echo.stop(true);
  }
  await monitor.forceFlush();
  expect(memory.spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(['/api', '/route/api']);
  expect(memory.logs.map((l) => l.body)).toEqual(['served /health', 'served /route/health', 'served /api', 'served /route/api']);
  const duration = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'http.server.request.duration')!;
  expect(duration.points.map((p) => (p as { count: number }).count)).toEqual([1, 1]);
  await monitor.shutdown();
});
