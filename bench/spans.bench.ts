/**
 * Span start + 3 attributes + end.
 * Peer: @opentelemetry/sdk-trace-base BasicTracerProvider + SimpleSpanProcessor + a no-op exporter.
 * Ours: monitor.tracer with a NoOpBackend, two ways, each paying its export path (batching,
 * redaction, backend call) every 1000 spans:
 * - outside any scope: ended spans wait in the monitor's bounded buffer, flushed every 1000;
 * - inside a request scope (how `instrument()`/`handleRequest` run handlers): the scope is
 *   closed (exported) and a new one opened every 1000 spans.
 */
import { setImmediate as turn } from 'node:timers/promises';
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

// A task's first call pays one-time set-up (lazy compilation, the id pool, the context storage,
// the SDK's first span) and can take over a millisecond: the harness then calibrates that task
// to one call per timed batch, where the batch's own two clock reads (~90 ns on this machine)
// and a cold cache after each event-loop turn count as the task's time. Every task, peer
// included, is warmed first so that each is timed in batches of about a millisecond.
for (const t of tasks) for (let i = 0; i < 2000; i++) t.fn();
await turn();

await compare({ title: 'span: startSpan + 3 attributes + end', target: 10, tasks });
