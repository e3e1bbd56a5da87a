/**
 * Bytes allocated per span, by variant (VARIANT=full|noattr|clock|nothing), measured from the
 * young generation's scavenges: run with `node --trace-gc` and count.
 */
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { now } from '../../src/time.js';
import { setImmediate as turn } from 'node:timers/promises';

const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()] });
const tracer = monitor.tracer;
const v = process.env.VARIANT ?? 'full';
let x = 0;
for (let b = 0; b < 1000; b++) {
  for (let i = 0; i < 1000; i++) {
    if (v === 'clock') {
      x += now() - now();
      continue;
    }
    if (v === 'nothing') continue;
    const s = tracer.startSpan('GET /items/:id');
    if (v === 'full') {
      s.setAttribute('http.request.method', 'GET');
      s.setAttribute('http.route', '/items/:id');
      s.setAttribute('http.response.status_code', 200);
    }
    s.end();
  }
  void monitor.flush();
  await turn();
}
console.log(x > 1 ? '' : 'done');
