/**
 * What this machine charges for the two things every comparison here pays on both sides, outside
 * either library's code: reading the clock (a span reads it at start and end) and touching fresh
 * memory (an OTLP body of 1000 spans is a 280–800 KB array; a 10,000-series exposition a 600 KB
 * string, then as many bytes). On a machine where these are slow, both sides pay the same
 * microseconds, so the ratios shrink; run this beside `npm run bench` to tell such a machine from a
 * change in the code.
 *
 *   node bench/profile/machine.mjs
 */
const N = 1_000_000;
let sink = 0;
for (const [name, read] of [
  ['performance.now()', () => performance.now()],
  ['Date.now()', () => Date.now()],
]) {
  for (let i = 0; i < 100_000; i++) sink += read();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) sink += read();
  console.log(`${name.padEnd(20)} ${(((performance.now() - t0) * 1e6) / N).toFixed(1)} ns a call`);
}

/** Allocates `sizes` bytes as Uint8Arrays and writes one byte per 4 KB page of each, `rounds` times. */
async function fresh(sizes, rounds = 2000) {
  const xs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const s of sizes) {
      const a = new Uint8Array(s);
      for (let p = 0; p < s; p += 4096) a[p] = 1;
      sink += a[0];
    }
    xs.push(performance.now() - t0);
    // The event loop turns between rounds, as between the benchmark harness's batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  xs.sort((a, b) => a - b);
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`.padStart(8);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`${sizes.map((s) => `${s / 1000} KB`).join(' + ').padEnd(20)} median ${us(xs[xs.length >> 1])}  p90 ${us(xs[Math.floor(xs.length * 0.9)])}  mean ${us(mean)}`);
}
console.log('\nnew Uint8Array + one write per page, 2000 times (the event loop turning between):');
await fresh([300_000]);
await fresh([100_000, 100_000, 100_000]);
await fresh([800_000]);
if (sink < 0) console.log(sink);
