/** Profiling target: 3M spans, flushed per 1000 (SCOPE=1: inside request scopes). Run with node --cpu-prof. */
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { setImmediate as turn } from 'node:timers/promises';

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const tracer = monitor.tracer;
const t0 = performance.now();
const inScope = process.env.SCOPE === '1';
for (let b = 0; b < 3000; b++) {
  const scope = inScope ? monitor.openScope({ name: 'bench' }) : undefined;
  for (let i = 0; i < 1000; i++) {
    const s = tracer.startSpan('GET /items/:id', inScope ? { scope } : undefined);
    s.setAttribute('http.request.method', 'GET');
    s.setAttribute('http.route', '/items/:id');
    s.setAttribute('http.response.status_code', 200);
    s.end();
  }
  void (scope ? scope.close() : monitor.flush());
  await turn();
}
console.log(`${(((performance.now() - t0) / 3e6) * 1e6).toFixed(0)} ns per span`);
