/**
 * Counter increment and histogram observation with 2 labels.
 * Peers: prom-client 15.1.3 (`inc(labels)`, `observe(labels, v)`) and @opentelemetry/sdk-metrics
 * 2.12.1 (`add(1, attributes)`, `record(v, attributes)`) with a reader attached so it records.
 * Ours: `increment(labels)` / `observe(v, labels)` with a fresh labels object per call, and the
 * same through `bind()`. The label values cycle over 4 sets, as a route/status mix would.
 * The exponential histogram (`buckets: base2ExponentialBuckets()`) is compared with sdk-metrics'
 * base2 exponential aggregation (a view, 160 buckets): not a target of issue 7, shown beside it.
 */
import { base2ExponentialBuckets, createMonitor, NoOpBackend } from '../src/index.js';
import { compare } from './lib/harness.js';
import { promMetrics, sdkExponentialHistogram, sdkMetrics } from './lib/peers.js';

const METHODS = ['GET', 'POST', 'GET', 'PUT'];
const STATUS = ['200', '201', '404', '200'];
let i = 0;

const { counter: promCounter, histogram: promHist } = promMetrics();
const { counter: otelCounter, histogram: otelHist } = sdkMetrics();

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const counter = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'status'] });
const hist = monitor.metrics.createHistogram('http_request_duration_seconds', 'Latency', { unit: 's', labelNames: ['method', 'status'] });
const boundCounters = METHODS.map((m, k) => counter.bind({ method: m, status: STATUS[k]! }));
const boundHists = METHODS.map((m, k) => hist.bind({ method: m, status: STATUS[k]! }));
const VALUES = [0.004, 0.03, 0.2, 1.3];
const otelExp = sdkExponentialHistogram();
const exp = monitor.metrics.createHistogram('http_request_duration_exp_seconds', 'Latency', { unit: 's', labelNames: ['method', 'status'], buckets: base2ExponentialBuckets() });

await compare({
  title: 'counter increment, 2 labels',
  tasks: [
    { name: 'prom-client 15.1.3 inc(labels)', side: 'peer', target: 3, fn: () => promCounter.inc({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
    { name: 'sdk-metrics 2.12.1 add(1, attrs)', side: 'peer', target: 10, fn: () => otelCounter.add(1, { method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor increment(labels)', side: 'ours', fn: () => counter.increment({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor bind().increment()', side: 'ours', fn: () => boundCounters[++i & 3]!.increment() },
  ],
});

await compare({
  title: 'histogram observe, 2 labels',
  tasks: [
    { name: 'prom-client 15.1.3 observe(labels, v)', side: 'peer', target: 3, fn: () => promHist.observe({ method: METHODS[++i & 3]!, status: STATUS[i & 3]! }, VALUES[i & 3]!) },
    { name: 'sdk-metrics 2.12.1 record(v, attrs)', side: 'peer', target: 10, fn: () => otelHist.record(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor observe(v, labels)', side: 'ours', fn: () => hist.observe(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor bind().observe(v)', side: 'ours', fn: () => boundHists[++i & 3]!.observe(VALUES[i & 3]!) },
  ],
});

await compare({
  title: 'exponential histogram observe, 2 labels (not a target)',
  tasks: [
    { name: 'sdk-metrics 2.12.1 record(v, attrs), exponential view', side: 'peer', target: 10, fn: () => otelExp.record(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
    { name: '@lexigram/monitor observe(v, labels), base2ExponentialBuckets()', side: 'ours', fn: () => exp.observe(VALUES[++i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! }) },
  ],
});
