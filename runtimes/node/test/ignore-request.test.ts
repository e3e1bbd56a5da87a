/**
 * `ignoreRequest` on a real node:http server: through `serve()` (a fetch handler, its traced
 * global fetch) and `instrumentListener` (a Node listener: the predicate still gets a Request).
 * A health check is answered as before, its log kept, with no span and no HTTP server metric.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentListener, serve, toNodeListener } from '../index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const headers = { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };
const isHealth = (r: Request): boolean => new URL(r.url).pathname === '/health';

function points(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): { count?: number; value?: number; attributes: Record<string, unknown> }[] {
  return (monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === name)?.points ?? []) as never;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node: ignoreRequest', () => {
  afterAll(() => untraceGlobalFetch());

  test('serve(): the health check is answered, its fetch goes out unsampled, its log is kept; no span, no duration point', async () => {
    const { monitor, memory } = createTestMonitor();
    // Where outgoing fetches go: it answers with the traceparent it got.
    const echo = createServer((req, res) => res.end(String(req.headers.traceparent)));
    const echoUrl = await listen(echo);
    const s = await serve(
      async (req) => {
        const path = new URL(req.url).pathname;
        monitor.logger.info(`served ${path}`);
        monitor.tracer.startSpan(`work ${path}`).end();
        return new Response(await (await fetch(`${echoUrl}${path}`)).text());
      },
      monitor,
      { port: 0, hostname: '127.0.0.1', flushOnExit: false, ignoreRequest: isHealth },
    );
    try {
      const health = await (await fetch(`${s.url}/health`, { headers })).text();
      const api = await (await fetch(`${s.url}/api`, { headers })).text();
      expect(health).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
      expect(api).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
      await s.handler.flush();
      expect(memory.spans.filter((x) => x.kind === 2).map((x) => x.attributes['url.path'])).toEqual(['/api']);
      expect(memory.spans.map((x) => x.name).sort()).toEqual(['GET', 'GET', 'work /api']);
      expect(memory.logs.map((l) => l.body)).toEqual(['served /health', 'served /api']);
      expect(points(monitor, 'http.server.request.duration').map((p) => p.count)).toEqual([1]);
    } finally {
      s.server.closeAllConnections();
      await new Promise((r) => s.server.close(r));
      echo.closeAllConnections();
      await new Promise((r) => echo.close(r));
    }
  });

  test('toNodeListener(instrument()) and instrumentListener: the same; the predicate gets a Request with its headers', async () => {
    const { monitor, memory } = createTestMonitor();
    const probe = (r: Request): boolean => r instanceof Request && r.headers.get('user-agent') === 'kube-probe/1.29';
    const fetchStyle = createServer(toNodeListener(instrument(() => new Response('ok'), monitor, { traceFetch: false, ignoreRequest: probe })));
    const listener = instrumentListener((_req, res) => res.end('ok'), monitor, { traceFetch: false, ignoreRequest: probe });
    const nodeStyle = createServer(listener);
    try {
      for (const url of [await listen(fetchStyle), await listen(nodeStyle)]) {
        for (const ua of ['kube-probe/1.29', 'browser', 'kube-probe/1.29']) expect(await (await fetch(url, { headers: { 'user-agent': ua } })).text()).toBe('ok');
      }
      await listener.flush();
      expect(memory.spans.filter((x) => x.kind === 2).map((x) => x.attributes['user_agent.original'])).toEqual(['browser', 'browser']);
      expect(points(monitor, 'http.server.request.duration').map((p) => p.count)).toEqual([2]);
      // Each request counted in and out: none of the probes counted in either.
      expect(points(monitor, 'http.server.active_requests').map((p) => p.value)).toEqual([0]);
    } finally {
      for (const srv of [fetchStyle, nodeStyle]) {
        srv.closeAllConnections();
        await new Promise((r) => srv.close(r));
      }
    }
  });

  test('a non-function throws at serve(), instrument() and instrumentListener(), saying what to pass', async () => {
    const { monitor } = createTestMonitor();
    const want = /`ignoreRequest` must be a function \(request\) => true for a request to leave untraced/;
    await expect(serve(() => new Response('x'), monitor, { port: 0, ignoreRequest: '/health' } as never)).rejects.toThrow(want);
    expect(() => instrument(() => new Response('x'), monitor, { ignoreRequest: true } as never)).toThrow(want);
    expect(() => instrumentListener((_q, r) => r.end(), monitor, { ignoreRequest: /health/ } as never)).toThrow(want);
  });
});
