/**
 * A cross-check of the per-call comparisons under a stock harness: mitata's `run()` with its
 * defaults, peer and ours in one process, nothing added for either side. mitata times a
 * synchronous function in one tight loop: the event loop never turns and nothing is flushed, so
 * exports started by ended spans cannot settle, the span buffer fills and stays full (the oldest
 * are dropped in chunks, counted), and the SDK's SimpleSpanProcessor piles up its pending-export
 * promises. The other files time in batches with the event loop turning between them, as
 * requests would; this one shows the ratios do not depend on that. Ratios are reported on
 * mitata's p50 and on its average (which includes GC).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { bench, do_not_optimize, run } from 'mitata';
import { createMonitor, NoOpBackend } from '../src/index.js';
import { report, type Comparison, type TaskResult } from './lib/harness.js';
import { promMetrics, sdkMetrics, sdkTracerProvider, useAsyncLocalStorageContext } from './lib/peers.js';

useAsyncLocalStorageContext();
const sdkTracer = sdkTracerProvider().getTracer('bench');
const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], contextStorage: AsyncLocalStorage, onDiagnostic: () => undefined });
const tracer = monitor.tracer;
const prom = promMetrics();
const sdk = sdkMetrics();
const counter = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'status'] });
const hist = monitor.metrics.createHistogram('http_request_duration_seconds', 'Latency', { unit: 's', labelNames: ['method', 'status'] });
const METHODS = ['GET', 'POST', 'GET', 'PUT'];
const STATUS = ['200', '201', '404', '200'];
const VALUES = [0.004, 0.03, 0.2, 1.3];
let i = 0;
const ATTRS = (): Record<string, unknown> => ({ 'http.request.method': 'GET', 'http.route': '/items/:id', 'http.response.status_code': 200 });

// Each side's body is written out in its own function literal, here and in spans.bench.ts and
// active-span.bench.ts, rather than made by one shared helper: closures of one literal share
// V8's type feedback, so the SDK's span shapes and ours would meet at the same call sites and
// both sides would be timed through polymorphic property accesses.
interface Case {
  title: string;
  target: number;
  /** Extra peers with their own target (the first task is the main peer). */
  tasks: { name: string; side: 'peer' | 'ours'; target?: number; fn: () => unknown }[];
}

const cases: Case[] = [
  {
    title: 'span: startSpan + 3 attributes + end',
    target: 10,
    tasks: [
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
        name: '@lexigram/monitor',
        side: 'ours',
        fn: () => {
          const s = tracer.startSpan('GET /items/:id');
          s.setAttribute('http.request.method', 'GET');
          s.setAttribute('http.route', '/items/:id');
          s.setAttribute('http.response.status_code', 200);
          s.end();
          do_not_optimize(s);
        },
      },
    ],
  },
  {
    title: 'span: startSpan with 3 attributes given at start + end',
    target: 10,
    tasks: [
      { name: '@opentelemetry/sdk-trace-base 2.12.1', side: 'peer', fn: () => sdkTracer.startSpan('GET /items/:id', { attributes: ATTRS() }).end() },
      { name: '@lexigram/monitor', side: 'ours', fn: () => tracer.startSpan('GET /items/:id', { attributes: ATTRS() }).end() },
    ],
  },
  {
    title: 'startActiveSpan with AsyncLocalStorage + 3 attributes + end',
    target: 5,
    tasks: [
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
        fn: () =>
          do_not_optimize(
            tracer.startActiveSpan('GET /items/:id', (s) => {
              s.setAttribute('http.request.method', 'GET');
              s.setAttribute('http.route', '/items/:id');
              s.setAttribute('http.response.status_code', 200);
              return s;
            }),
          ),
      },
    ],
  },
  {
    title: 'counter increment, 2 labels',
    target: 3,
    tasks: [
      { name: 'prom-client 15.1.3 inc(labels)', side: 'peer', fn: () => prom.counter.inc({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
      { name: 'sdk-metrics 2.12.1 add(1, attrs)', side: 'peer', target: 10, fn: () => sdk.counter.add(1, { method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
      { name: '@lexigram/monitor increment(labels)', side: 'ours', fn: () => counter.increment({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
    ],
  },
  {
    title: 'histogram observe, 2 labels',
    target: 3,
    tasks: [
      { name: 'prom-client 15.1.3 observe(labels, v)', side: 'peer', fn: () => prom.histogram.observe({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }, VALUES[i & 3]!) },
      { name: 'sdk-metrics 2.12.1 record(v, attrs)', side: 'peer', target: 10, fn: () => sdk.histogram.record(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
      { name: '@lexigram/monitor observe(v, labels)', side: 'ours', fn: () => hist.observe(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
    ],
  },
];

for (const c of cases) {
  for (const t of c.tasks) bench(`${c.title} | ${t.name}`, t.fn);
}
// Quiet: the figures are printed below as ratio tables, like the other comparisons.
const out = await run({ format: 'quiet', throw: true });
const stats = new Map(out.benchmarks.map((b) => [b.alias, b.runs[0]!.stats!]));

for (const c of cases) {
  for (const [label, pick] of [['p50', 'p50'], ['average incl. GC', 'avg']] as const) {
    const results: TaskResult[] = c.tasks.map((t) => {
      const s = stats.get(`${c.title} | ${t.name}`)!;
      return { name: t.name, side: t.side, medianNs: s[pick], meanNs: s.avg, p75Ns: s.p75, rounds: [] };
    });
    const comparison: Comparison = {
      title: `${c.title}, mitata ${label}`,
      method: `mitata defaults: median = its ${pick}, mean = its average`,
      target: c.target,
      tasks: c.tasks.map((t) => ({ ...t })),
    };
    report(comparison, results);
  }
}
