/**
 * startActiveSpan with AsyncLocalStorage + 3 attributes + end.
 * Peer: SDK tracer with AsyncLocalStorageContextManager as the global context manager.
 * Ours: monitor.tracer with its AsyncLocalStorage-backed context storage (found on Node).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { contextStorage, createMonitor, NoOpBackend } from '../src/index.js';
import { compare, do_not_optimize, type Task } from './lib/harness.js';
import { sdkTracerProvider, useAsyncLocalStorageContext } from './lib/peers.js';

useAsyncLocalStorageContext();
const sdkTracer = sdkTracerProvider().getTracer('bench');
const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], contextStorage: AsyncLocalStorage });
if (contextStorage().kind !== 'async-local-storage') throw new Error('expected AsyncLocalStorage-backed context storage');
const tracer = monitor.tracer;
let n = 0;

const tasks: Task[] = [
  {
    name: 'sdk-trace-base 2.12.1 + context-async-hooks 2.12.0',
    side: 'peer',
    fn: () =>
      do_not_optimize(
        sdkTracer.startActiveSpan('GET /items/:id', (s) => {
          s.setAttribute('http.request.method', 'GET');
          s.setAttribute('http.route', '/items/:id');
          s.setAttribute('http.response.status_code', 200);
          s.end();
          return s;
        }),
      ),
  },
  {
    name: '@lexigram/monitor (ALS storage)',
    side: 'ours',
    fn: () => {
      // Ours ends the span when the callback returns (the SDK leaves that to the caller).
      do_not_optimize(
        tracer.startActiveSpan('GET /items/:id', (s) => {
          s.setAttribute('http.request.method', 'GET');
          s.setAttribute('http.route', '/items/:id');
          s.setAttribute('http.response.status_code', 200);
          return s;
        }),
      );
      if (++n === 1000) {
        n = 0;
        void monitor.flush();
      }
    },
  },
];

await compare({ title: 'startActiveSpan with AsyncLocalStorage + 3 attributes + end', target: 5, tasks });
