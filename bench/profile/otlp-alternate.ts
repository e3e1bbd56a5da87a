/**
 * The OTLP comparison of bench/otlp.bench.ts in strict alternation: one otlp-transformer encode,
 * then one of ours, N times (default 300), each timed alone; medians and p90. The harness instead
 * times each side in runs of consecutive calls, so each of our runs allocates one fresh 280 KB
 * (protobuf) or 800 KB (JSON) body after another; where fresh memory is slow (see machine.mjs),
 * that moves our median more than the peer's. FORMAT=json for JSON. EXTRA_ALLOC=300000 also allocates
 * (and writes one byte per page of) that many bytes after each pair, which no library asks for: on a
 * machine where fresh memory is slow, it shows how much both medians depend on the allocations
 * around them rather than on the encoders. Each call's minor page faults (fresh pages touched) are
 * counted: run it again with MALLOC_TRIM_THRESHOLD_=2000000000 MALLOC_MMAP_THRESHOLD_=1000000000,
 * glibc then keeps freed memory, and both the faults and the gap to the loop figures go away.
 *   npx esbuild bench/profile/otlp-alternate.ts --bundle --platform=node --format=esm --packages=external --outfile=.tmp/otlp-alternate.mjs && node .tmp/otlp-alternate.mjs
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import { batch, sdkSpans } from '../lib/otlp-spans.js';

const json = process.env.FORMAT === 'json';
const peer = json ? () => JsonTraceSerializer.serializeRequest(sdkSpans)!.length : () => ProtobufTraceSerializer.serializeRequest(sdkSpans)!.length;
const ours = json ? () => encodeTracesJson(batch).length : () => encodeTracesProto(batch).length;
const n = Number(process.env.N ?? 300);
const extra = Number(process.env.EXTRA_ALLOC ?? 0);
const times = { peer: [] as number[], ours: [] as number[] };
// Minor page faults per call: each is a page of fresh memory touched for the first time.
const faults = { peer: [] as number[], ours: [] as number[] };
let sink = 0;
for (let i = 0; i < n + 50; i++) {
  for (const side of ['peer', 'ours'] as const) {
    const f0 = process.resourceUsage().minorPageFault;
    const t0 = performance.now();
    sink += side === 'peer' ? peer() : ours();
    const t1 = performance.now();
    if (i >= 50) {
      // the first 50 warm up
      times[side].push(t1 - t0);
      faults[side].push(process.resourceUsage().minorPageFault - f0);
    }
  }
  if (extra > 0) {
    const bytes = new Uint8Array(extra);
    for (let p = 0; p < extra; p += 4096) bytes[p] = 1;
    sink += bytes[0]!;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
const at = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!;
for (const side of ['peer', 'ours'] as const) {
  console.log(`${json ? 'JSON' : 'protobuf'} ${side}: median ${(at(times[side], 0.5) * 1000).toFixed(0)} µs, p90 ${(at(times[side], 0.9) * 1000).toFixed(0)} µs; minor page faults a call: median ${at(faults[side], 0.5)}, p90 ${at(faults[side], 0.9)}`);
}
console.log(`ratio of medians: ${(at(times.peer, 0.5) / at(times.ours, 0.5)).toFixed(1)}×`, sink > 0 ? '' : sink);
