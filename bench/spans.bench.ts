/**
 * Span start + 3 attributes + end: set one by one, then given at start (`{ attributes }`).
 * Peer: @opentelemetry/sdk-trace-base BasicTracerProvider + SimpleSpanProcessor + a no-op exporter.
 * Ours: monitor.tracer with a NoOpBackend, two ways, each paying its export path (batching,
 * redaction, backend call) every 1000 spans:
 * - outside any scope: ended spans wait in the monitor's bounded buffer, flushed every 1000;
 * - inside a request scope (how `instrument()`/`handleRequest` run handlers): the scope is
 *   closed (exported) and a new one opened every 1000 spans.
 */
import { createMonitor, NoOpBackend } from '../src/index.js';
import { compare, do_not_optimize, type Task } from './lib/harness.js';
import { sdkTracerProvider } from './lib/peers.js';

const sdkTracer = sdkTracerProvider().getTracer('bench');
const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const tracer = monitor.tracer;
let n = 0;
let m = 0;
let scope = monitor.openScope({ name: 'bench' });

const tasks: Task[] = [
  {
    name: '@opentelemetry/sdk-trace-base 2.12.1',
    side: 'peer',
    fn: () => {
      const s = sdkTracer.startSpan('GET /items/:id');
      s.setAttribute('http.request.method', 'GET');
      s.setAttribute('http.route', '/items/:id');
      s.setAttribute('http.response.status_code', 200);
      s.end();
      do_not_optimize(s);
    },
  },
  {
    name: '@lexigram/monitor, outside a scope',
    side: 'ours',
    fn: () => {
      const s = tracer.startSpan('GET /items/:id');
      s.setAttribute('http.request.method', 'GET');
      s.setAttribute('http.route', '/items/:id');
      s.setAttribute('http.response.status_code', 200);
      s.end();
      do_not_optimize(s);
      if (++n === 1000) {
        n = 0;
        void monitor.flush();
      }
    },
  },
  {
    name: '@lexigram/monitor, inside a request scope',
    side: 'ours',
    fn: () => {
      const s = tracer.startSpan('GET /items/:id', { scope });
      s.setAttribute('http.request.method', 'GET');
      s.setAttribute('http.route', '/items/:id');
      s.setAttribute('http.response.status_code', 200);
      s.end();
      do_not_optimize(s);
      if (++m === 1000) {
        m = 0;
        void scope.close();
        scope = monitor.openScope({ name: 'bench' });
      }
    },
  },
];

await compare({ title: 'span: startSpan + 3 attributes + end', target: 10, tasks });

// The same three attributes given at start, on both sides: one call site stores every key.
let k = 0;
await compare({
  title: 'span: startSpan with 3 attributes given at start + end',
  target: 10,
  tasks: [
    {
      name: '@opentelemetry/sdk-trace-base 2.12.1',
      side: 'peer',
      fn: () => {
        const s = sdkTracer.startSpan('GET /items/:id', { attributes: { 'http.request.method': 'GET', 'http.route': '/items/:id', 'http.response.status_code': 200 } });
        s.end();
        do_not_optimize(s);
      },
    },
    {
      name: '@lexigram/monitor, outside a scope',
      side: 'ours',
      fn: () => {
        const s = tracer.startSpan('GET /items/:id', { attributes: { 'http.request.method': 'GET', 'http.route': '/items/:id', 'http.response.status_code': 200 } });
        s.end();
        do_not_optimize(s);
        if (++k === 1000) {
          k = 0;
          void monitor.flush();
        }
      },
    },
  ],
});
