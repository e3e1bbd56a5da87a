/**
 * The in-isolate loop of bench/workerd-request.ts (n requests through a fetch handler inside
 * workerd, exports awaited, no HTTP), for two copies of the library side by side in one isolate:
 * `A_ROOT` (a copy of the tree before a change) and `B_ROOT` (default: this tree), beside the
 * plain Worker. Each round runs every variant once, in a turning order, and reads both the loop's
 * own clock (wall time inside the isolate) and workerd's CPU time (/proc/<pid>/task/<tid>/schedstat,
 * all threads) around it: on a shared machine the CPU time does not count the time the isolate
 * waited for a core, which the wall time does. Medians, and b − a paired by round. Run:
 *   npx esbuild bench/profile/isolate-loop-ab.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/isolate-loop-ab.mjs && A_ROOT=.tmp/x/base node .tmp/isolate-loop-ab.mjs
 * Knobs: ROUNDS (15), N (3000 requests a round). With A_ROOT unset both copies are this tree (an A/A' run).
 */
import { build } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const N = Number(process.env.N ?? 3000);
const A = resolve(process.env.A_ROOT ?? '.');
const B = resolve(process.env.B_ROOT ?? '.');

const entry = /* ts */ `
import { instrumented as instA, plain } from ${JSON.stringify(`${A}/bench/workers/app.ts`)};
import { NoOpBackend as NoOpA } from ${JSON.stringify(`${A}/src/index.ts`)};
import { instrumented as instB } from ${JSON.stringify(`${B}/bench/workers/app.ts`)};
import { NoOpBackend as NoOpB } from ${JSON.stringify(`${B}/src/index.ts`)};
const variants = { plain, a: instA([new NoOpA()], { batchWindowMs: 0 }), b: instB([new NoOpB()], { batchWindowMs: 0 }) };
// A ctx as workerd's: its methods on a prototype every ctx shares.
class Ctx {
  constructor(pending) { this.pending = pending; }
  waitUntil(p) { this.pending.push(p); }
  passThroughOnException() {}
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const v = variants[url.searchParams.get('variant')];
    const n = Number(url.searchParams.get('n'));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const pending = [];
      const res = await v.fetch(new Request('https://bench.example/orders/' + (i % 50)), env, new Ctx(pending));
      await res.text();
      await Promise.all(pending);
    }
    return new Response(String(performance.now() - t0));
  },
};`;
const bundle = (
  await build({
    stdin: { contents: entry, loader: 'ts', resolveDir: process.cwd() },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    target: 'es2022',
    write: false,
    logLevel: 'error',
  })
).outputFiles[0]!.text;
const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundle }], modulesRoot: '/', compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] });
await mf.ready;
const pids: number[] = [];
for (const d of readdirSync('/proc')) {
  if (!/^\d+$/.test(d)) continue;
  try {
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'workerd') pids.push(Number(d));
  } catch {
    // gone
  }
}
if (pids.length === 0) throw new Error('workerd process not found');
/** workerd's CPU time in µs, all threads. */
function cpu(): number {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended
      }
    }
  }
  return ns / 1000;
}
const names = ['plain', 'a', 'b'];
const loop = async (v: string, n: number): Promise<number> => Number(await (await mf.dispatchFetch(`http://bench/?variant=${v}&n=${n}`)).text());
for (const v of names) await loop(v, 3000);
const wall = new Map<string, number[]>(names.map((v) => [v, []]));
const used = new Map<string, number[]>(names.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < names.length; k++) {
    const v = names[(k + r) % names.length]!;
    const c0 = cpu();
    const ms = await loop(v, N);
    used.get(v)!.push((cpu() - c0) / N);
    wall.get(v)!.push((ms * 1000) / N);
  }
}
await mf.dispose();
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
console.log(`A=${A}\nB=${B}\nin-isolate loop, ${ROUNDS} rounds of ${N} requests, µs per request (medians)`);
for (const [what, m] of [['workerd CPU', used], ['wall (isolate clock)', wall]] as const) {
  const [p, a, b] = names.map((v) => median(m.get(v)!));
  const paired = median(m.get('b')!.map((x, i) => x - m.get('a')![i]!));
  console.log(`${what.padEnd(22)} plain ${p!.toFixed(2)}  a ${a!.toFixed(2)} (+${(a! - p!).toFixed(2)})  b ${b!.toFixed(2)} (+${(b! - p!).toFixed(2)})  b − a paired ${paired.toFixed(2)}`);
}
console.log(`JSON ${JSON.stringify({ cpu: Object.fromEntries(used), wall: Object.fromEntries(wall) })}`);
