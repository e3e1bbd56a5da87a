/**
 * The per-call comparisons under tinybench's `run()` with its defaults (cases in
 * lib/stock-cases.ts). It awaits each call in turn (a microtask turn between calls, so exports
 * settle) and times every call alone between two `performance.now()` reads: the same ~50 ns is
 * added to both sides of each ratio, which brings ratios of fast calls closer to 1.
 */
import { Bench } from 'tinybench';
import { cases, reportAll } from './lib/stock-cases.js';

const bench = new Bench();
for (const c of cases) for (const t of c.tasks) bench.add(`${c.title} | ${t.name}`, t.fn);
await bench.run();
// tinybench reports milliseconds.
reportAll('tinybench', new Map(bench.tasks.map((t) => [t.name, { p50: t.result!.latency.p50! * 1e6, mean: t.result!.latency.mean * 1e6 }])));
