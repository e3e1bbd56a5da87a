/**
 * Profiling target: the batch of bench/otlp.bench.ts (1000 spans, 5 attributes, one event)
 * encoded many times. FORMAT=json for JSON, otherwise protobuf; N batches (default 3000).
 * Bundle and run with node --cpu-prof, e.g.
 *   npx esbuild bench/profile/otlp-loop.ts --bundle --platform=node --format=esm --outfile=.tmp/otlp-loop.mjs
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof .tmp/otlp-loop.mjs
 */
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import { batch } from '../lib/otlp-spans.js';

const json = process.env.FORMAT === 'json';
const n = Number(process.env.N ?? 3000);
let sink = 0;
const t0 = performance.now();
for (let i = 0; i < n; i++) sink += (json ? encodeTracesJson(batch) : encodeTracesProto(batch)).length;
console.log(`${json ? 'json' : 'protobuf'}: ${(((performance.now() - t0) / n) * 1e3).toFixed(0)} µs per batch (${sink / n} B)`);
