/**
 * Compile-time checks (run by `npm run typecheck` through tsconfig.test.json, never executed):
 * README examples a user copies must typecheck under `strict`, so a handler's parameters get
 * their types from the library rather than an implicit `any`.
 */
import http from 'node:http';
import { serve as bunServe } from '../../runtimes/bun/index.js';
import { flushOnExit, instrument, instrumentListener, toNodeListener } from '../../runtimes/node/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { handleRequest } from '../../src/index.js';

export function bunRoutes(): void {
  bunServe((_req) => new Response('not found', { status: 404 }), { serviceName: 'api' }, {
    port: 3000,
    routes: {
      '/users/:id': (req) => Response.json({ id: req.params.id }), // span "GET /users/:id"
      '/health': new Response('ok'),
      '/orders/:id': { GET: (req) => Response.json({ id: req.params.id }), DELETE: async () => new Response(null, { status: 204 }) },
    },
    instrumentation: { traceFetch: false, waitForBody: true },
  });
}

export function nodeExistingServer(handler: (req: Request) => Promise<Response>): void {
  const instrumented = instrument(handler, { serviceName: 'api' });
  http.createServer(toNodeListener(instrumented)).listen(3000);
  flushOnExit(instrumented);
  const listener = instrumentListener((_req: http.IncomingMessage, res: http.ServerResponse) => res.end('ok'), { serviceName: 'api' });
  http.createServer(listener).listen(3001);
  flushOnExit(listener);
}

export function gaugeReadAtCollection(queue: unknown[]): () => void {
  const { monitor } = createTestMonitor();
  monitor.metrics.createGauge('queue_depth', 'Jobs waiting.', { collect(g) { g.set(queue.length); } });
  return monitor.metrics.addCollectCallback(() => undefined);
}

/** "The API in one page": `handleRequest(monitor, request, handler, waitUntil?, options?)`, waitUntil left out. */
export function handleRequestWithoutWaitUntil(request: Request): Promise<Response> {
  const { monitor } = createTestMonitor();
  return handleRequest(monitor, request, () => new Response('ok'));
}
