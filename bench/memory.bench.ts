/**
 * Memory, measured as `heapUsed` after forced GCs (run with node --expose-gc):
 * 1. 1,000,000 counter increments spread over N label sets, with the default cardinality cap
 *    (2000 series per instrument, then the overflow series): the heap must stop growing at the
 *    cap, so 10,000 or 100,000 label sets cost what 2,000 do. prom-client beside it for scale.
 * 2. 10,000 requests through the instrumented Worker (`instrument()`, NoOpBackend, every
 *    export awaited as `waitUntil` would) must leave no growth in retained heap.
 */
import client from 'prom-client';
import { createMonitor, DEFAULT_LIMITS, NoOpBackend } from '../src/index.js';
import { instrumented } from './workers/app.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}
const kb = (b: number): string => `${(b / 1024).toFixed(0)} KB`;
const keep: unknown[] = [];
const results: Record<string, unknown> = {};

console.log(`\n## 1,000,000 increments over N label sets (cardinality cap ${DEFAULT_LIMITS.cardinalityLimit} per instrument)`);
console.log('label sets   ours: series held   ours heap growth   prom-client heap growth');
for (const sets of [2_000, 10_000, 100_000]) {
  const labels = Array.from({ length: sets }, (_, i) => ({ route: `/api/items/${i}`, status: String(200 + (i % 5)) }));
  const h0 = heap();
  const monitor = createMonitor({ serviceName: 'mem', backends: [new NoOpBackend()] });
  const c = monitor.metrics.createCounter('http_requests_total', 'Requests', { labelNames: ['route', 'status'] });
  for (let i = 0; i < 1_000_000; i++) c.increment({ route: labels[i % sets]!.route, status: labels[i % sets]!.status });
  const h1 = heap();
  keep.push(monitor);
  const registry = new client.Registry();
  const p = new client.Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['route', 'status'], registers: [registry] });
  const h2 = heap();
  for (let i = 0; i < 1_000_000; i++) p.inc({ route: labels[i % sets]!.route, status: labels[i % sets]!.status });
  const h3 = heap();
  keep.push(registry);
  const held = c.seriesCount + (sets > DEFAULT_LIMITS.cardinalityLimit ? 1 : 0);
  console.log(`${String(sets).padStart(10)}   ${String(held).padStart(17)}   ${kb(h1 - h0).padStart(16)}   ${kb(h3 - h2).padStart(23)}`);
  results[`increments_${sets}`] = { seriesHeld: held, oursHeapBytes: h1 - h0, promClientHeapBytes: h3 - h2 };
}

console.log('\n## 10,000 instrumented requests (instrument(), NoOpBackend, exports awaited)');
// The adapter's defaults, batch window included: awaiting each request's export before the next
// makes every request after an export wait one timer turn (about 1 ms in Node), as nothing else
// arrives meanwhile; the heap measured is the one users get.
const worker = instrumented([new NoOpBackend()]);
const env = {};
async function requests(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {} };
    const res = await worker.fetch!(new Request(`https://example.com/orders/${i % 50}`), env, ctx as never, undefined as never);
    await res.text();
    await Promise.all(pending);
  }
}
await requests(2_000); // warm-up: JIT, instruments, caches
const growth: number[] = [];
let before = heap();
const warm = before;
for (let round = 0; round < 4; round++) {
  await requests(10_000);
  const after = heap();
  growth.push(after - before);
  before = after;
}
console.log(`heap after 2,000 warm-up requests ${kb(warm)}; growth over each further 10,000 requests: ${growth.map(kb).join(', ')}`);
results.requests = { warmHeapBytes: warm, growthPer10k: growth };
console.log('JSON ' + JSON.stringify({ title: 'memory', results }));
if (keep.length < 0) console.log(keep);
