/**
 * Two copies of the library side by side in one workerd, for measuring a change to the request
 * path: `A_ROOT` (a copy of the tree before the change, e.g. `cp -r src runtimes bench .tmp/x/base/`)
 * and `B_ROOT` (default: this tree). One Worker script holds the plain Worker and
 * bench/workers/app.ts's instrumented Worker built from each root (NoOpBackend, the adapter's
 * defaults), so both run in the same isolate under the same load:
 * 1. HTTP load as bench/workerd-request.ts (8 keep-alive clients, interleaved rounds of
 *    `plain`, `a`, `b`); workerd's CPU per request from /proc/<pid>/task/<tid>/schedstat (ns, all
 *    threads), paired by round: b against a, and each against plain.
 * 2. Inside the isolate: n requests through each copy's fetch handler in a loop (`batchWindowMs: 0`,
 *    exports awaited), interleaved rounds, µs of JavaScript per request.
 * Caution: in runs here the second copy read +4% to +15% CPU against the first whichever held the
 * change, +5.9% with the same code in both, and +50 B allocated per request (two identical
 * copies, `cp -r base base2`): run both orders (A/B, then B/A) and such an A/A' run before
 * reading a difference.
 * Run:
 *   npx esbuild bench/profile/request-ab.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/request-ab.mjs && A_ROOT=.tmp/x/base node .tmp/request-ab.mjs
 * Knobs: ROUNDS (9), ROUND_MS (1500), LOOP_N (3000), LOOP_ROUNDS (9), LOOP_BATCHED=1 (the loop
 * through the batching copies, every waitUntil promise awaited after the last request).
 * INSTR=1 counts instructions instead, as request-instructions.ts does (workerd under valgrind's
 * callgrind, all threads; in runs here a variant's count moved by up to 5% between rounds): per
 * round and variant, N requests (1000) from 8 clients after WARM (1500) each, split into GC and the
 * rest. JavaScript runs in V8's lower tiers under valgrind: compare JavaScript with the loop.
 * ALLOC=1 counts the bytes each copy allocates per request instead (V8's sampling heap profiler
 * through workerd's inspector, objects collected since included), N (20000) requests through
 * each copy's loop, ROUNDS (3) rounds: unlike time, this does not move with the machine's load.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 1500);
const LOOP_N = Number(process.env.LOOP_N ?? 3000);
const LOOP_ROUNDS = Number(process.env.LOOP_ROUNDS ?? 9);
/** LOOP_BATCHED=1: the loop runs the batching copies (the adapter's default window), see loop(). */
const LOOP_Q = process.env.LOOP_BATCHED === '1' ? '&batched=1' : '';
const A = resolve(process.env.A_ROOT ?? '.');
const B = resolve(process.env.B_ROOT ?? '.');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const entry = /* ts */ `
import { instrumented as instA, plain } from ${JSON.stringify(`${A}/bench/workers/app.ts`)};
import { NoOpBackend as NoOpA } from ${JSON.stringify(`${A}/src/index.ts`)};
import { instrumented as instB } from ${JSON.stringify(`${B}/bench/workers/app.ts`)};
import { NoOpBackend as NoOpB } from ${JSON.stringify(`${B}/src/index.ts`)};
const variants = {
  plain,
  a: instA([new NoOpA()]),
  b: instB([new NoOpB()]),
  'a-loop': instA([new NoOpA()], { batchWindowMs: 0 }),
  'b-loop': instB([new NoOpB()], { batchWindowMs: 0 }),
};
async function loop(v, n, batched) {
  const t0 = performance.now();
  // batched: the adapter's default window, every waitUntil promise awaited once after the last
  // request (one export per full batch, as under load).
  const all = [];
  for (let i = 0; i < n; i++) {
    const pending = batched ? all : [];
    const ctx = { waitUntil: (p) => void pending.push(p), passThroughOnException() {} };
    const res = await v.fetch(new Request('https://bench.example/orders/' + (i % 50)), {}, ctx);
    await res.text();
    if (!batched) await Promise.all(pending);
  }
  // Timed to the last response: the wait for the last window to end is a timer, not work.
  const ms = performance.now() - t0;
  await Promise.all(all);
  return ms;
}
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const [, first] = url.pathname.split('/');
    if (first === 'loop') {
      const batched = url.searchParams.get('batched') === '1';
      const v = variants[url.searchParams.get('variant') + (batched ? '' : '-loop')];
      return new Response(String(await loop(v, Number(url.searchParams.get('n')), batched)));
    }
    const v = variants[first];
    if (!v) return new Response('not found', { status: 404 });
    return v.fetch(request, env, ctx);
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
    logLevel: 'warning',
  })
).outputFiles[0]!.text;

const INSTR = process.env.INSTR === '1';
const dir = mkdtempSync(join(tmpdir(), 'request-ab-'));
if (INSTR) {
  const workerd = (createRequire(import.meta.url)('workerd') as { default: string }).default;
  const wrapper = join(dir, 'workerd.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec valgrind --tool=callgrind --dump-instr=no --smc-check=all-non-file --callgrind-out-file=${dir}/cg.%p.out ${workerd} "$@" 2>>${dir}/valgrind.log\n`);
  chmodSync(wrapper, 0o755);
  process.env.MINIFLARE_WORKERD_PATH = wrapper; // read when Miniflare starts workerd
}
const ALLOC = process.env.ALLOC === '1';
const inspectorPort = 9300 + Math.floor(Math.random() * 500);
const mf = new Miniflare({
  ...(ALLOC ? { inspectorPort } : {}),
  modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundle }],
  modulesRoot: '/',
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
  handleRuntimeStdio: (stdout, stderr) => {
    stdout.resume();
    stderr.pipe(process.stderr);
  },
});
const base = await mf.ready;
const pids: number[] = [];
for (const d of readdirSync('/proc')) {
  if (!/^\d+$/.test(d)) continue;
  try {
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
    if (INSTR ? readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('valgrind') : readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'workerd') pids.push(Number(d));
  } catch {
    // gone
  }
}
if (pids.length === 0) throw new Error('workerd process not found');
/** workerd's CPU in µs, all threads. */
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

async function load(variant: string, ms: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const c0 = cpu();
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
  await new Promise((r) => setTimeout(r, 150)); // the batch window's export, inside the round
  return (cpu() - c0) / done;
}

const variants = ['plain', 'a', 'b'];
if (ALLOC) {
  const N = Number(process.env.N ?? 20000);
  const AROUNDS = Number(process.env.ROUNDS ?? 3);
  for (const v of ['a', 'b']) await (await mf.dispatchFetch(`http://bench/loop?variant=${v}&n=3000`)).text();
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl: string; title: string }[];
  const ws = new WebSocket((targets.find((t) => !t.title.startsWith('core:')) ?? targets[0]!).webSocketDebuggerUrl);
  await new Promise((r) => ws.once('open', r));
  let id = 0;
  const waiting = new Map<number, (v: any) => void>();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}): Promise<any> =>
    new Promise((r) => {
      waiting.set(++id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('HeapProfiler.enable');
  type HNode = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HNode[] };
  const bytes = new Map<string, number[]>([['a', []], ['b', []]]);
  /** Bytes per request by variant and function name (the two copies' functions share names). */
  const byFn = new Map<string, number>();
  for (let r = 0; r < AROUNDS; r++) {
    for (const v of r % 2 ? ['b', 'a'] : ['a', 'b']) {
      await send('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      await (await mf.dispatchFetch(`http://bench/loop?variant=${v}&n=${N}`)).text();
      const { profile } = await send('HeapProfiler.stopSampling');
      let all = 0;
      const walk = (n: HNode): void => {
        all += n.selfSize;
        const f = (n.callFrame.functionName || '(anonymous)').replace(/\d+$/, ''); // esbuild numbers the second copy's names
        byFn.set(`${v} ${f}`, (byFn.get(`${v} ${f}`) ?? 0) + n.selfSize / N / AROUNDS);
        for (const c of n.children) walk(c);
      };
      walk(profile.head as HNode);
      bytes.get(v)!.push(all / N);
    }
  }
  ws.close();
  await mf.dispose();
  const ba = bytes.get('a')!;
  const bb = bytes.get('b')!;
  const fns = new Set([...byFn.keys()].map((k) => k.slice(2)));
  const diffs = [...fns].map((f) => [f, (byFn.get(`b ${f}`) ?? 0) - (byFn.get(`a ${f}`) ?? 0), byFn.get(`a ${f}`) ?? 0] as const).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  console.log('largest differences by function, B/request (b − a; a):');
  for (const [f, d, a] of diffs.slice(0, 15)) console.log(`${(d >= 0 ? '+' : '') + d.toFixed(0)} (${a.toFixed(0)})  ${f}`);
  console.log(`A=${A}\nB=${B}\nbytes allocated per request through the loop (sampled, ${N} a round): a ${ba.map((x) => x.toFixed(0)).join(' / ')}, b ${bb.map((x) => x.toFixed(0)).join(' / ')}; b − a ${(median(bb) - median(ba)).toFixed(0)} B (medians)`);
  process.exit(0);
}
if (INSTR) {
  const N = Number(process.env.N ?? 1000);
  const WARM = Number(process.env.WARM ?? 1500);
  const IROUNDS = Number(process.env.ROUNDS ?? 2);
  const GC = /v8::internal::(Heap|Scavenge|MarkCompact|Marking|Sweeper|GlobalHandles|TracedHandles|MinorMark|Evacuat|ConcurrentMarking|IncrementalMarking|MemoryAllocator|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|MemoryReducer|GCTracer|ParallelWeakHandlesProcessor|CppHeapPointerTable|FreeList|Safepoint)|heap::base::|cppgc::|Scavenge|MarkingVisitor|BodyDescriptorBase|Wrappable::(detachWrapper|CppgcShim)|CppgcShim/;
  const loadN = async (variant: string, n: number): Promise<void> => {
    let left = n;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (left-- > 0) {
          const i = left;
          let res: Response;
          try {
            res = await fetch(`${base.origin}/${variant}/orders/${i % 50}`);
          } catch {
            res = await fetch(`${base.origin}/${variant}/orders/${i % 50}`); // a keep-alive socket closed meanwhile
          }
          await res.arrayBuffer();
        }
      }),
    );
  };
  const ctl = (...args: string[]): void => void execFileSync('callgrind_control', [...args, String(pids[0])], { stdio: 'ignore' });
  for (const v of variants) await loadN(v, WARM);
  const totals = new Map<string, { total: number; gc: number }[]>(variants.map((v) => [v, []]));
  let dumps = 0;
  for (let r = 0; r < IROUNDS; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]!;
      ctl('-z');
      await loadN(v, N);
      await new Promise((res) => setTimeout(res, 400)); // the batch window's export
      ctl('-d', `${v}-${r}`);
      dumps++;
      const file = readdirSync(dir).find((f) => f === `cg.${pids[0]}.out.${dumps}`);
      if (!file) throw new Error(`dump ${dumps} not written`);
      // Self cost by function (lines after `calls=` are a callee's inclusive cost).
      const names = new Map<string, string>();
      let fn = '';
      let afterCalls = false;
      let total = 0;
      let gc = 0;
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        const m = /^(c?)fn=\((\d+)\)(?: (.*))?$/.exec(line);
        if (m) {
          if (m[3] !== undefined) names.set(m[2]!, m[3]);
          if (!m[1]) fn = names.get(m[2]!) ?? '';
          continue;
        }
        if (line.startsWith('calls=')) {
          afterCalls = true;
          continue;
        }
        if (/^[0-9+*-]/.test(line)) {
          if (afterCalls) afterCalls = false;
          else {
            const x = Number(line.split(' ')[1] ?? 0);
            total += x;
            if (GC.test(fn)) gc += x;
          }
        }
      }
      totals.get(v)!.push({ total: total / N, gc: gc / N });
    }
  }
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
  const k = (x: number): string => `${(x / 1000).toFixed(1)}k`;
  console.log(`A=${A}\nB=${B}\ninstructions per request in workerd (callgrind, all threads), ${N} requests a round, ${IROUNDS} rounds: total (GC)`);
  for (const v of variants) console.log(`${v.padEnd(6)} ${totals.get(v)!.map((t) => `${k(t.total)} (${k(t.gc)})`).join(' / ')}`);
  const d = (f: (t: { total: number; gc: number }) => number): string => totals.get('b')!.map((t, r) => `${f(t) - f(totals.get('a')![r]!) >= 0 ? '+' : ''}${((f(t) - f(totals.get('a')![r]!)) / 1000).toFixed(2)}k`).join(' / ');
  console.log(`b − a by round: total ${d((t) => t.total)}, GC ${d((t) => t.gc)}; over plain: a ${totals.get('a')!.map((t, r) => k(t.total - totals.get('plain')![r]!.total)).join(' / ')}, b ${totals.get('b')!.map((t, r) => k(t.total - totals.get('plain')![r]!.total)).join(' / ')}`);
  process.exit(0);
}
for (const v of variants) await load(v, 500);
const cpus = new Map<string, number[]>(variants.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length]!;
    cpus.get(v)!.push(await load(v, ROUND_MS));
  }
}
const loops = new Map<string, number[]>([['a', []], ['b', []]]);
for (const v of ['a', 'b']) await (await mf.dispatchFetch(`http://bench/loop?variant=${v}&n=2000${LOOP_Q}`)).text();
for (let r = 0; r < LOOP_ROUNDS; r++) {
  for (const v of r % 2 ? ['b', 'a'] : ['a', 'b']) {
    const ms = Number(await (await mf.dispatchFetch(`http://bench/loop?variant=${v}&n=${LOOP_N}${LOOP_Q}`)).text());
    loops.get(v)!.push((ms * 1000) / LOOP_N);
  }
}
await mf.dispose();

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const paired = (v: string, ref: string): number => median(cpus.get(v)!.map((x, r) => x / cpus.get(ref)![r]! - 1));
console.log(`A=${A}\nB=${B}\nworkerd CPU per request (all threads), ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`);
for (const v of variants) console.log(`${v.padEnd(6)} median ${median(cpus.get(v)!).toFixed(1)} µs  rounds ${cpus.get(v)!.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`paired vs plain: a ${pct(paired('a', 'plain'))}, b ${pct(paired('b', 'plain'))}; b vs a ${pct(paired('b', 'a'))} (µs b−a by round: ${cpus.get('b')!.map((x, r) => (x - cpus.get('a')![r]!).toFixed(1)).join(' ')})`);
const la = loops.get('a')!;
const lb = loops.get('b')!;
console.log(`inside the isolate (${LOOP_N} a round, ${LOOP_ROUNDS} rounds): a ${median(la).toFixed(2)} µs, b ${median(lb).toFixed(2)} µs; paired b−a ${median(lb.map((x, r) => x - la[r]!)).toFixed(2)} µs (by round: ${lb.map((x, r) => (x - la[r]!).toFixed(1)).join(' ')})`);
console.log('JSON ' + JSON.stringify({ cpu: Object.fromEntries(cpus), loop: Object.fromEntries(loops) }));
