/**
 * The per-call comparisons under mitata's `run()` with its defaults (cases in
 * lib/stock-cases.ts). mitata times a synchronous function in one tight loop: the event loop
 * never turns and nothing is flushed, so exports started by ended spans cannot settle, the span
 * buffer fills and stays full (the oldest are dropped in chunks, counted), and the SDK's
 * SimpleSpanProcessor piles up its pending-export promises. It batches 4096 calls per sample only
 * when a task's first call takes at most 500 µs; otherwise it times calls one by one, each
 * sample then carrying two clock reads.
 */
import { bench, run } from 'mitata';
import { cases, reportAll } from './lib/stock-cases.js';

for (const c of cases) for (const t of c.tasks) bench(`${c.title} | ${t.name}`, t.fn);
// Quiet: the figures are printed as ratio tables, like the other comparisons.
const out = await run({ format: 'quiet', throw: true });
reportAll('mitata', new Map(out.benchmarks.map((b) => [b.alias, { p50: b.runs[0]!.stats!.p50, mean: b.runs[0]!.stats!.avg }])));
