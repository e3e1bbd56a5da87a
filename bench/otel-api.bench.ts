/**
 * The same operations written against `@opentelemetry/api`, the way shared instrumentation is:
 * the SDK's tracer and meter against the monitor's behind `registerOpenTelemetry()`
 * (`@lexigram/monitor/otel`). Not a target of issue 7, whose figures are for each library's
 * own API (spans.bench.ts, metrics.bench.ts); this shows what an app keeps of the speed-up
 * when its code, or a library it uses, calls the OpenTelemetry API instead.
 * Peers: sdk-trace-base 2.12.1 (simple processor, no-op exporter) and sdk-metrics 2.12.1 (a reader
 * attached). One process holds one global context manager: the monitor's, once registered, so
 * the SDK tracer's `context.active()` reads it too (an empty AsyncLocalStorage here, as the
 * SDK's own manager would be). `startActiveSpan` is left out for that reason: each side needs
 * its own manager registered to be measured fairly (active-span.bench.ts measures both natively).
 */
import { metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createMonitor, NoOpBackend } from '../src/index.js';
import { registerOpenTelemetry } from '../src/otel/index.js';
import { compare, do_not_optimize } from './lib/harness.js';
import { sdkMetrics, sdkTracerProvider } from './lib/peers.js';

const sdkTracer = sdkTracerProvider().getTracer('bench');
const { counter: sdkCounter, histogram: sdkHist } = sdkMetrics();
const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], contextStorage: AsyncLocalStorage });
registerOpenTelemetry(monitor);
const tracer = trace.getTracer('bench');
const meter = metrics.getMeter('bench');
const counter = meter.createCounter('http_requests_total');
const hist = meter.createHistogram('http_request_duration', { unit: 's' });

const METHODS = ['GET', 'POST', 'GET', 'PUT'];
const STATUS = ['200', '201', '404', '200'];
const VALUES = [0.004, 0.03, 0.2, 1.3];
let i = 0;
let n = 0;

// Each side's body is written out in its own function literal, as in spans.bench.ts (see
// lib/stock-cases.ts): one shared helper would time both through polymorphic call sites.

await compare({
  title: '@opentelemetry/api: startSpan + 3 attributes + end',
  tasks: [
    {
      name: 'sdk-trace-base 2.12.1',
      side: 'peer',
      target: 10,
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
      name: '@lexigram/monitor via registerOpenTelemetry',
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
  ],
});

await compare({
  title: '@opentelemetry/api: counter add, 2 attributes',
  tasks: [
    { name: 'sdk-metrics 2.12.1', side: 'peer', target: 10, fn: () => sdkCounter.add(1, { method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor via registerOpenTelemetry', side: 'ours', fn: () => counter.add(1, { method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
  ],
});

await compare({
  title: '@opentelemetry/api: histogram record, 2 attributes',
  tasks: [
    { name: 'sdk-metrics 2.12.1', side: 'peer', target: 10, fn: () => sdkHist.record(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor via registerOpenTelemetry', side: 'ours', fn: () => hist.record(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
  ],
});
