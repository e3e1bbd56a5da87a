/** Profiling target: counter.increment(labels) and histogram.observe(v, labels) with 2 labels. */
import { createMonitor, NoOpBackend } from '../../src/index.js';

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const counter = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'status'] });
const hist = monitor.metrics.createHistogram('http_request_duration_seconds', 'Latency', { unit: 's', labelNames: ['method', 'status'] });
const METHODS = ['GET', 'POST', 'GET', 'PUT'];
const STATUS = ['200', '201', '404', '200'];
const VALUES = [0.004, 0.03, 0.2, 1.3];
const which = process.env.WHICH ?? 'counter';
const N = 2e7;
const t0 = performance.now();
if (which === 'counter') for (let i = 0; i < N; i++) counter.increment({ method: METHODS[i & 3]!, status: STATUS[i & 3]! });
else for (let i = 0; i < N; i++) hist.observe(VALUES[i & 3]!, { method: METHODS[i & 3]!, status: STATUS[i & 3]! });
console.log(`${which}: ${(((performance.now() - t0) * 1e6) / N).toFixed(1)} ns per call`);
