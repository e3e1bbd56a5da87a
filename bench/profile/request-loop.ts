/**
 * Profiling target: requests through the instrumented Worker in Node (VARIANT=plain|noop|noop-body|otlp-stub).
 * Each request's waitUntil is awaited, so batching is off (`batchWindowMs: 0`): a batched request
 * would wait out the window, and the loop would time the wait.
 */
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { NoOpBackend } from '../../src/index.js';
import { instrumented, plain } from '../workers/app.js';

const v = process.env.VARIANT ?? 'noop';
const unbatched = { batchWindowMs: 0 };
const worker: any =
  v === 'plain' ? plain : v === 'noop' ? instrumented([new NoOpBackend()], unbatched) : v === 'noop-body' ? instrumented([new NoOpBackend()], { ...unbatched, waitForBody: true }) : instrumented([new OtlpBackend({ endpoint: 'http://127.0.0.1:9', fetch: async () => new Response(null, { status: 200 }) })], unbatched);
const N = Number(process.env.N ?? 20000);
async function run(n: number) {
  for (let i = 0; i < n; i++) {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {} };
    const res = await worker.fetch(new Request(`https://bench.example/orders/${i % 50}`), {}, ctx);
    await res.text();
    await Promise.all(pending);
  }
}
await run(2000);
const t0 = performance.now();
await run(N);
console.log(`${v}: ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs per request`);
