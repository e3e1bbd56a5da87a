/**
 * The Node server of bench/node-server.ts, plain or under `instrumentListener` (MODE): the same
 * route as the workerd benchmark's Worker (a JSON body, and when instrumented a child span, two
 * metric updates and a log line). The parent sends 'start' and 'stop'; the reply to 'stop' is
 * this process's CPU time (user + system, µs) in between, so the load generator is not counted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { instrument, instrumentListener, toNodeListener } from '../../runtimes/node/index.js';
import { NoOpBackend, type Counter, type Histogram, type Monitor } from '../../src/index.js';

const mode = process.env.MODE ?? 'plain';

function body(url: string): string {
  return JSON.stringify({ ok: true, path: new URL(url, 'http://x').pathname, items: [1, 2, 3] });
}

function plain(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body(req.url ?? '/'));
}

let listener: (req: IncomingMessage, res: ServerResponse) => void = plain;
if (mode === 'ours') {
  let monitor: Monitor | undefined;
  let orders: Counter | undefined;
  let size: Histogram | undefined;
  const app = (req: IncomingMessage, res: ServerResponse): void => {
    const m = monitor!;
    orders ??= m.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
    size ??= m.metrics.createHistogram('order_items', 'Items per order', { labelNames: ['status'], buckets: [1, 2, 5, 10, 20] });
    const text = m.tracer.startActiveSpan('build body', (span) => {
      span.setAttribute('items', 3);
      return body(req.url ?? '/');
    });
    orders.increment({ status: 'ok' });
    size.observe(3, { status: 'ok' });
    m.logger.info('order placed', { items: 3 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
  const instrumented = instrumentListener(app, { serviceName: 'bench-node', backends: [new NoOpBackend()] });
  monitor = instrumented.monitor;
  listener = instrumented;
}

// The same route as a fetch handler (`serve()` / `toNodeListener`): Node's request and response
// converted to Web ones, with and without `instrument()`.
if (mode === 'fetch') {
  listener = toNodeListener((request) => new Response(body(request.url), { headers: { 'content-type': 'application/json' } }));
}
if (mode === 'ours-fetch') {
  let monitor: Monitor | undefined;
  let orders: Counter | undefined;
  let size: Histogram | undefined;
  const handler = instrument(
    (request) => {
      const m = monitor!;
      orders ??= m.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
      size ??= m.metrics.createHistogram('order_items', 'Items per order', { labelNames: ['status'], buckets: [1, 2, 5, 10, 20] });
      const text = m.tracer.startActiveSpan('build body', (span) => {
        span.setAttribute('items', 3);
        return body(request.url);
      });
      orders.increment({ status: 'ok' });
      size.observe(3, { status: 'ok' });
      m.logger.info('order placed', { items: 3 });
      return new Response(text, { headers: { 'content-type': 'application/json' } });
    },
    { serviceName: 'bench-node', backends: [new NoOpBackend()] },
  );
  monitor = handler.monitor;
  listener = toNodeListener(handler);
}

const server = createServer(listener);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
let from: NodeJS.CpuUsage | undefined;
process.on('message', (m) => {
  if (m === 'start') from = process.cpuUsage();
  if (m === 'stop') {
    const used = process.cpuUsage(from);
    process.send!({ cpu: used.user + used.system }, () => process.exit(0));
  }
});
