/**
 * Render speed against prom-client's `register.metrics()` for the same counter series.
 * Run: npx esbuild test/prometheus/render.bench.ts --bundle --platform=node --format=esm \
 *        --outfile=.tmp/render-bench.mjs --packages=external && node .tmp/render-bench.mjs
 */
import { Bench } from 'tinybench';
import client from 'prom-client';
import { createMonitor } from '../../src/index.js';
import { renderPrometheus, renderSnapshot } from '../../src/exporters/prometheus/index.js';

// Every task encodes its output to UTF-8, as a Response body would: V8 builds concatenated
// strings lazily, and timing them unread would hide the cost of flattening.
const encoder = new TextEncoder();
let sink = 0;
const consume = (s: string): void => {
  sink += encoder.encode(s).length;
};

for (const n of [100, 10_000]) {
  const registry = new client.Registry();
  const promCounter = new client.Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const monitor = createMonitor({ serviceName: 'bench', limits: { cardinalityLimit: 20_000 } });
  const ours = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['method', 'route', 'status'] });
  for (let i = 0; i < n; i++) {
    const labels = { method: i % 3 ? 'GET' : 'POST', route: `/api/items/${i}`, status: String(200 + (i % 5)) };
    promCounter.inc(labels, i + 1);
    ours.increment(i + 1, labels);
  }
  const snap = monitor.metrics.collect({ temporality: 'cumulative' });
  const bench = new Bench({ time: n > 1000 ? 2000 : 1000 });
  bench
    .add(`prom-client register.metrics() ${n}`, async () => {
      consume(await registry.metrics());
    })
    .add(`renderPrometheus(monitor) text ${n} (collect + render)`, () => {
      consume(renderPrometheus(monitor));
    })
    .add(`renderSnapshot text ${n} (render only)`, () => {
      consume(renderSnapshot(snap));
    })
    .add(`renderSnapshot openmetrics ${n} (render only)`, () => {
      consume(renderSnapshot(snap, { format: 'openmetrics' }));
    });
  await bench.run();
  const base = bench.tasks[0]!.result!.latency.mean;
  for (const t of bench.tasks) {
    const mean = t.result!.latency.mean;
    console.log(`${t.name.padEnd(58)} ${(mean * 1000).toFixed(1).padStart(10)} µs   ${(base / mean).toFixed(2)}× prom-client`);
  }
}
if (sink < 0) console.log(sink);
