/**
 * workerd's CPU per request split by thread, for variants of bench/workers/workerd-entry.ts under
 * HTTP load (8 keep-alive clients, interleaved rounds, as bench/workerd-request.ts): the main
 * thread (the isolate's JavaScript, the runtime's C++ and the HTTP path) and the other threads
 * (V8's platform workers: parallel scavenges, concurrent marking and sweeping, concurrent JIT
 * compilation), each from /proc/<pid>/task/<tid>/schedstat (nanoseconds), paired by round
 * against the first variant. What a profile of the isolate does not show: the work V8 does
 * beside it for each request's allocations and for compiling the code.
 * Run:
 *   npx esbuild bench/profile/request-threads.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/request-threads.mjs && node .tmp/request-threads.mjs
 * Knobs: VARIANTS (plain,noop,noop-unbatched), ROUNDS (9), ROUND_MS (1500), WARM_MS (300).
 */
import { bundleBenchWorker } from '../lib/workerd-entry-bundle.js';
import { readFileSync, readdirSync } from 'node:fs';
import { Miniflare } from 'miniflare';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 1500);
const WARM_MS = Number(process.env.WARM_MS ?? 300);
const variants = (process.env.VARIANTS ?? 'plain,noop,noop-unbatched').split(',');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleBenchWorker(process.cwd()) }],
  modulesRoot: '/',
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
  bindings: { OTLP_ENDPOINT: 'http://127.0.0.1:9' },
  handleRuntimeStdio: (stdout, stderr) => {
    stdout.resume();
    stderr.resume();
  },
});
const base = await mf.ready;
const pids: number[] = [];
for (const d of readdirSync('/proc')) {
  if (!/^\d+$/.test(d)) continue;
  try {
    if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'workerd') continue;
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) pids.push(Number(d));
  } catch {
    // gone
  }
}
if (pids.length === 0) throw new Error('workerd process not found');

/** [main thread, other threads] CPU in µs. */
function cpu(): [number, number] {
  let main = 0;
  let other = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (Number(tid) === pid) main += ns;
        else other += ns;
      } catch {
        // a thread that ended
      }
    }
  }
  return [main / 1000, other / 1000];
}

async function load(variant: string, ms: number): Promise<[number, number]> {
  let done = 0;
  const end = performance.now() + ms;
  const [m0, o0] = cpu();
  await Promise.all(
    Array.from({ length: 8 }, async (_, c) => {
      let i = c;
      while (performance.now() < end) {
        const res = await fetch(`${base.origin}/${variant}/orders/${i++ % 50}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${variant}: HTTP ${res.status}`);
        done++;
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 50)); // waitUntil work inside the round
  const [m1, o1] = cpu();
  return [(m1 - m0) / done, (o1 - o0) / done];
}

for (const v of variants) await load(v, WARM_MS);
const main = new Map<string, number[]>(variants.map((v) => [v, []]));
const other = new Map<string, number[]>(variants.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length]!;
    const [m, o] = await load(v, ROUND_MS);
    main.get(v)!.push(m);
    other.get(v)!.push(o);
  }
}
await mf.dispose();

const ref = variants[0]!;
const fmt = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
console.log(`## workerd CPU per request by thread, ${ROUNDS} rounds of ${ROUND_MS} ms (medians; paired: median of per-round differences against ${ref})`);
console.log(`${'variant'.padEnd(24)} ${'main thread'.padStart(12)} ${'other threads'.padStart(14)}   paired main / other (µs)   other threads by round`);
for (const v of variants) {
  const dm = median(main.get(v)!.map((x, r) => x - main.get(ref)![r]!));
  const dof = median(other.get(v)!.map((x, r) => x - other.get(ref)![r]!));
  const paired = v === ref ? '' : `${fmt(dm)} / ${fmt(dof)}`;
  console.log(`${v.padEnd(24)} ${`${median(main.get(v)!).toFixed(1)} µs`.padStart(12)} ${`${median(other.get(v)!).toFixed(1)} µs`.padStart(14)}   ${paired.padEnd(24)}   ${other.get(v)!.map((x) => x.toFixed(1)).join(' ')}`);
}
