/**
 * The per-call comparisons run under the stock harnesses (mitata.bench.ts, tinybench.bench.ts),
 * each in its own process: peers and this library set up as in the other bench files, nothing
 * added for either side, and the ratio tables printed the same way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { do_not_optimize } from 'mitata';
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { report, type Comparison, type TaskResult } from './harness.js';
import { promMetrics, sdkMetrics, sdkTracerProvider, useAsyncLocalStorageContext } from './peers.js';

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
export interface Case {
  title: string;
  target: number;
  /** Extra peers with their own target (the first task is the main peer). */
  tasks: { name: string; side: 'peer' | 'ours'; target?: number; fn: () => unknown }[];
}

export const cases: Case[] = [
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

/** Prints every case's ratio tables from one harness's per-task p50 and mean (ns). */
export function reportAll(harness: string, stats: Map<string, { p50: number; mean: number }>): void {
  for (const c of cases) {
    for (const [label, pick] of [['p50', 'p50'], ['mean incl. GC', 'mean']] as const) {
      const results: TaskResult[] = c.tasks.map((t) => {
        const s = stats.get(`${c.title} | ${t.name}`)!;
        return { name: t.name, side: t.side, medianNs: s[pick], meanNs: s.mean, p75Ns: 0, rounds: [] };
      });
      const comparison: Comparison = {
        title: `${c.title}, ${harness} ${label}`,
        method: `${harness} defaults: median = its ${pick}, mean = its mean`,
        target: c.target,
        tasks: c.tasks,
      };
      report(comparison, results);
    }
  }
}

