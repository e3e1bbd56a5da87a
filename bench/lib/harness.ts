/**
 * Interleaved side-by-side timing. Each task is timed in batches of calls (about 1 ms each,
 * calibrated after a warm-up); between batches the event loop turns, so promises the code under test
 * created (exports handed off, pending-export sets) settle as they would between requests in
 * an app, instead of piling up for a whole run. Each round times every task for about
 * BENCH_ROUND_MS, in an order that rotates from round to round, so drift on a noisy machine
 * (CPU boost, a neighbour's load, GC state) hits the peer and this library alike. The figure
 * reported is the median over rounds of each round's median time per call; "mean" is the
 * median of per-round means, which includes GC pauses in full. mitata's `do_not_optimize`
 * keeps results alive.
 */
import { do_not_optimize } from 'mitata';
import { setImmediate as turn } from 'node:timers/promises';

export { do_not_optimize };

export interface Task {
  name: string;
  /** The peer (baseline) or this library. */
  side: 'peer' | 'ours';
  fn: () => unknown;
  /** The call returns a promise whose work must be awaited (each call is awaited in turn). */
  async?: boolean;
  /** On a peer task: the speed-up over it that each `ours` task is expected to reach. */
  target?: number;
}

export interface Comparison {
  title: string;
  /** How the figures were taken, printed after the title (default: this harness's rounds). */
  method?: string;
  /** Target speed-up of each `ours` task over the first peer (or set `target` per peer task). */
  target?: number;
  tasks: Task[];
}

export interface TaskResult {
  name: string;
  side: 'peer' | 'ours';
  medianNs: number;
  meanNs: number;
  p75Ns: number;
  rounds: number[];
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 120);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/** The number of calls that takes about 1 ms, searched upwards from `n` by doubling. */
async function calibrate(t: Task, n: number): Promise<number> {
  for (;;) {
    const t0 = performance.now();
    if (t.async) for (let i = 0; i < n; i++) await t.fn();
    else for (let i = 0; i < n; i++) t.fn();
    const ms = performance.now() - t0;
    await turn();
    if (ms >= 1 || n >= 1 << 20) return ms >= 1 && n > 1 ? Math.max(1, Math.round(n / ms)) : n;
    n *= 2;
  }
}

/** Runs the tasks interleaved and prints medians and the ratio against the baseline. */
export async function compare(c: Comparison): Promise<TaskResult[]> {
  const per = new Map<string, { p50: number[]; avg: number[]; p75: number[] }>();
  const batch = new Map<string, number>();
  for (const t of c.tasks) {
    per.set(t.name, { p50: [], avg: [], p75: [] });
    // Calibrate a batch of about 1 ms, warm up (JIT) for 200 ms, then calibrate again: a first
    // call slowed by one-time set-up (lazy compilation, pools, a peer's first export) would
    // otherwise leave the task at one call per batch, where the batch's own clock reads and a
    // cold cache after each event-loop turn would count as the task's time.
    let n = await calibrate(t, 1);
    const warmEnd = performance.now() + 200;
    while (performance.now() < warmEnd) {
      if (t.async) for (let i = 0; i < n; i++) await t.fn();
      else for (let i = 0; i < n; i++) t.fn();
      await turn();
    }
    n = await calibrate(t, n);
    batch.set(t.name, n);
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < c.tasks.length; k++) {
      const t = c.tasks[(k + r) % c.tasks.length]!;
      const n = batch.get(t.name)!;
      const fn = t.fn;
      const samples: number[] = [];
      const end = performance.now() + ROUND_MS;
      while (samples.length < 12 || performance.now() < end) {
        const t0 = performance.now();
        if (t.async) for (let i = 0; i < n; i++) await fn();
        else for (let i = 0; i < n; i++) fn();
        samples.push(((performance.now() - t0) * 1e6) / n);
        await turn();
      }
      const rec = per.get(t.name)!;
      samples.sort((a, b) => a - b);
      rec.p50.push(samples[samples.length >> 1]!);
      rec.p75.push(samples[Math.floor(samples.length * 0.75)]!);
      rec.avg.push(samples.reduce((a, b) => a + b, 0) / samples.length);
    }
  }
  const results: TaskResult[] = c.tasks.map((t) => {
    const rec = per.get(t.name)!;
    return { name: t.name, side: t.side, medianNs: median(rec.p50), meanNs: median(rec.avg), p75Ns: median(rec.p75), rounds: rec.p50 };
  });
  report(c, results);
  return results;
}

/** Prints one comparison as a table (ratio against every peer) and a JSON line for BENCHMARKS.md. */
export function report(c: Comparison, results: TaskResult[]): void {
  const peers = results.filter((r) => r.side === 'peer');
  const targets = new Map(c.tasks.map((t) => [t.name, t.target ?? (peers[0] && t.name === peers[0].name ? c.target : undefined)]));
  console.log(`\n## ${c.title}  (${c.method ?? `${ROUNDS} interleaved rounds, median of per-round medians; mean incl. GC`})`);
  const w = Math.max(...results.map((r) => r.name.length), 10);
  console.log(`${'task'.padEnd(w)}  ${'median'.padStart(10)}  ${'mean'.padStart(10)}  ratios (peer median / ours median)`);
  const out = [];
  for (const r of results) {
    const ratios: Record<string, number> = {};
    let text = '';
    if (r.side === 'ours') {
      for (const p of peers) {
        const ratio = p.medianNs / r.medianNs;
        ratios[p.name] = +ratio.toFixed(2);
        const target = targets.get(p.name);
        const verdict = target ? (ratio >= target ? ` ok, target ${target}×` : ` MISSED, target ${target}×`) : '';
        text += `  ${ratio.toFixed(1)}× vs ${p.name.split(' ')[0]}${verdict ? ` (${verdict.trim()})` : ''}`;
      }
    } else text = '  peer';
    console.log(`${r.name.padEnd(w)}  ${fmtNs(r.medianNs).padStart(10)}  ${fmtNs(r.meanNs).padStart(10)}${text}`);
    out.push({ name: r.name, side: r.side, medianNs: +r.medianNs.toFixed(2), meanNs: +r.meanNs.toFixed(2), target: targets.get(r.name), ratios });
  }
  console.log('JSON ' + JSON.stringify({ title: c.title, results: out }));
}
