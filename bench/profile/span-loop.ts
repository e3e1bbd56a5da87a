/**
 * Profiling target: 3M spans, flushed per 1000 (SCOPE=1: inside request scopes), the event loop
 * turning every BATCH spans (default 1000; the bench harness turns it about every millisecond,
 * some thousands of spans). Run with node --cpu-prof.
 */
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { setImmediate as turn } from 'node:timers/promises';

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const tracer = monitor.tracer;
const t0 = performance.now();
const inScope = process.env.SCOPE === '1';
const batch = Number(process.env.BATCH ?? 1000);
let sinceTurn = 0;
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
  if ((sinceTurn += 1000) >= batch) {
    sinceTurn = 0;
    await turn();
  }
}
console.log(`${(((performance.now() - t0) / 3e6) * 1e6).toFixed(0)} ns per span`);
