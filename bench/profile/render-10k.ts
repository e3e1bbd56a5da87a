/** Profiling target: renderPrometheus over 10,000 counter series. */
import { renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { createMonitor, NoOpBackend } from '../../src/index.js';

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], limits: { cardinalityLimit: 20_000 } });
const c = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'route', 'status'] });
for (let i = 0; i < 10_000; i++) c.increment(i + 1, { method: i % 3 ? 'GET' : 'POST', route: `/api/items/${i}`, status: String(200 + (i % 5)) });
const enc = new TextEncoder();
let sink = 0;
const t0 = performance.now();
for (let k = 0; k < 200; k++) sink += enc.encode(renderPrometheus(monitor)).length;
console.log(`${((performance.now() - t0) / 200).toFixed(2)} ms per render`, sink > 0);
