/**
 * Rendering counter series as Prometheus text 0.0.4, at 100 and 10,000 series (3 labels each).
 * Peer: prom-client 15.1.3 `registry.metrics()` (awaited). Ours: `renderPrometheus(monitor)`,
 * which collects a cumulative snapshot and renders it. Both outputs are encoded to UTF-8, as a
 * Response body would be: V8 builds concatenated strings lazily, and leaving them unread would
 * hide the cost of flattening.
 */
import client from 'prom-client';
import { renderPrometheus } from '../src/exporters/prometheus/index.js';
import { createMonitor, NoOpBackend } from '../src/index.js';
import { compare } from './lib/harness.js';

const encoder = new TextEncoder();
let sink = 0;

for (const n of [100, 10_000]) {
  const registry = new client.Registry();
  const promCounter = new client.Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  // The default cap is 2000 series per instrument; this scenario needs 10,000.
  const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], limits: { cardinalityLimit: 20_000 } });
  const ours = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'route', 'status'] });
  for (let i = 0; i < n; i++) {
    const labels = { method: i % 3 ? 'GET' : 'POST', route: `/api/items/${i}`, status: String(200 + (i % 5)) };
    promCounter.inc(labels, i + 1);
    ours.increment(i + 1, labels);
  }
  await compare({
    title: `Prometheus text render, ${n} counter series`,
    target: 3,
    tasks: [
      { name: 'prom-client 15.1.3 registry.metrics()', side: 'peer', async: true, fn: async () => (sink += encoder.encode(await registry.metrics()).length) },
      { name: '@lexigram/monitor renderPrometheus()', side: 'ours', fn: () => (sink += encoder.encode(renderPrometheus(monitor)).length) },
    ],
  });
}
if (sink < 0) console.log(sink);
