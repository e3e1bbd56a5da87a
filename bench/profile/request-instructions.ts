/**
 * Instructions workerd executes per request, for variants of bench/workers/workerd-entry.ts, counted
 * by valgrind's callgrind (all threads): unlike CPU time on this shared machine (rounds ±30%), a
 * count repeats within about 2% once JIT compilation has settled, so a change of a few thousand
 * instructions a request (about 1 µs) can be seen. Per variant and round: counters zeroed, N
 * requests from 8 clients, counters dumped. Each dump is split by function name into GC (V8's
 * heap and workerd's wrappers), JIT compilation, and the rest (JavaScript, builtins, the runtime's
 * C++), and the calls into workerd's API per request are counted by API (Headers.get,
 * performance.now, AsyncLocalStorage, Request getters...).
 * What it is good for: the runtime's side (the API calls, workerd's and V8's C++, allocation, GC).
 * Not for JavaScript itself: under valgrind V8's tiers do not follow the native ones (in runs at
 * 2500 warm-up requests the library's functions still ran in the interpreter, whose bytecode
 * handlers then count as builtins), so compare JavaScript with bench/workerd-request.ts's loop.
 * Needs valgrind (apt-get install valgrind); about 15 ms a request under it. Run:
 *   npx esbuild bench/profile/request-instructions.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/request-instructions.mjs && node .tmp/request-instructions.mjs
 * Knobs: VARIANTS (plain,noop), N (1000), WARM (1500 per variant; JIT tier-up of the library's
 * functions runs for several thousand requests), ROUNDS (2), KEEP=1 keeps the dumps (their
 * folder is printed; `callgrind_annotate` reads them).
 */
import { bundleBenchWorker } from '../lib/workerd-entry-bundle.js';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.env.N ?? 1000);
const WARM = Number(process.env.WARM ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const variants = (process.env.VARIANTS ?? 'plain,noop').split(',');

const dir = mkdtempSync(join(tmpdir(), 'request-instructions-'));
const workerd = (createRequire(import.meta.url)('workerd') as { default: string }).default;
const wrapper = join(dir, 'workerd.sh');
writeFileSync(wrapper, `#!/bin/sh\nexec valgrind --tool=callgrind --dump-instr=no --smc-check=all-non-file --callgrind-out-file=${dir}/cg.%p.out ${workerd} "$@" 2>>${dir}/valgrind.log\n`);
chmodSync(wrapper, 0o755);
process.env.MINIFLARE_WORKERD_PATH = wrapper; // read when Miniflare starts workerd
const { Miniflare } = await import('miniflare');
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
let pid = 0;
for (const d of readdirSync('/proc')) {
  if (!/^\d+$/.test(d)) continue;
  try {
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('valgrind')) pid = Number(d);
  } catch {
    // gone
  }
}
if (!pid) throw new Error('workerd under valgrind not found (is valgrind installed?)');

async function load(variant: string, n: number): Promise<void> {
  let left = n;
  const one = async (i: number): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(`${base.origin}/${variant}/orders/${i % 50}`);
    } catch {
      res = await fetch(`${base.origin}/${variant}/orders/${i % 50}`); // a keep-alive socket workerd closed meanwhile
    }
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${variant}: HTTP ${res.status}`);
  };
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (left-- > 0) await one(left);
  }));
}

const GC = /v8::internal::(Heap|Scavenge|MarkCompact|Marking|Sweeper|GlobalHandles|TracedHandles|MinorMark|Evacuat|ConcurrentMarking|IncrementalMarking|MemoryAllocator|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|MemoryReducer|GCTracer|ParallelWeakHandlesProcessor|CppHeapPointerTable|FreeList|Safepoint)|heap::base::|cppgc::|Scavenge|MarkingVisitor|BodyDescriptorBase|Wrappable::(detachWrapper|CppgcShim)|CppgcShim/;
const COMPILE = /maglev|v8::internal::compiler::|turboshaft|OptimizedCompilation|Compiler::|RegisterAllocator|LiveRange|interpreter::BytecodeGenerator|v8::internal::Parser/;

/** Self instructions by function, and calls by callee, from a callgrind dump. */
function readDump(path: string): { self: Map<string, number>; calls: Map<string, number> } {
  const names = new Map<string, string>();
  const selfById = new Map<string, number>();
  const callsById = new Map<string, number>();
  let fn = '';
  let cfn = '';
  let afterCalls = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(c?)fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (m) {
      if (m[3] !== undefined) names.set(m[2]!, m[3]);
      if (m[1]) cfn = m[2]!;
      else fn = m[2]!;
      continue;
    }
    if (line.startsWith('calls=')) {
      callsById.set(cfn, (callsById.get(cfn) ?? 0) + Number(line.slice(6).split(' ')[0]));
      afterCalls = true;
      continue;
    }
    if (/^[0-9+*-]/.test(line)) {
      if (afterCalls) afterCalls = false; // the inclusive cost of a call: not the caller's own
      else selfById.set(fn, (selfById.get(fn) ?? 0) + Number(line.split(' ')[1] ?? 0));
    }
  }
  const byName = (m: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [id, v] of m) out.set(names.get(id) ?? id, (out.get(names.get(id) ?? id) ?? 0) + v);
    return out;
  };
  return { self: byName(selfById), calls: byName(callsById) };
}

/** workerd's API entry points (jsg callbacks) by class, or by class and member where the name says it. */
function apiCalls(calls: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, n] of calls) {
    const m = /jsg\d+(MethodCallback|PropertyGetterCallback|PropertySetterCallback)I.*?api(?:4node)?\d+([A-Za-z]+)15registerMembers/.exec(name);
    if (m) out.set(m[2]!, (out.get(m[2]!) ?? 0) + n);
  }
  return out;
}

const ctl = (...args: string[]): void => void execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
for (const v of variants) await load(v, WARM);
type Row = { total: number; gc: number; compile: number; rest: number; api: Map<string, number> };
const rows = new Map<string, Row[]>(variants.map((v) => [v, []]));
let dumps = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + r) % variants.length]!;
    ctl('-z');
    await load(v, N);
    await new Promise((res) => setTimeout(res, 300)); // the waitUntil work of the last requests
    ctl('-d', `${v}-${r}`);
    dumps++;
    const file = readdirSync(dir).find((f) => f === `cg.${pid}.out.${dumps}`);
    if (!file) throw new Error(`dump ${dumps} not written`);
    const { self, calls } = readDump(join(dir, file));
    const row: Row = { total: 0, gc: 0, compile: 0, rest: 0, api: apiCalls(calls) };
    for (const [name, x] of self) {
      row.total += x;
      if (GC.test(name)) row.gc += x;
      else if (COMPILE.test(name)) row.compile += x;
      else row.rest += x;
    }
    rows.get(v)!.push(row);
  }
}
await mf.dispose();

const k = (x: number): string => `${(x / N / 1000).toFixed(1)}k`;
console.log(`## Instructions per request in workerd (callgrind, all threads), ${N} requests per round, ${ROUNDS} rounds`);
console.log(`${'variant'.padEnd(22)} ${'total'.padStart(18)} ${'GC'.padStart(16)} ${'JIT compile'.padStart(16)} ${'the rest'.padStart(18)}`);
for (const v of variants) {
  const rs = rows.get(v)!;
  const col = (f: (r: Row) => number): string => rs.map((r) => k(f(r))).join(' / ');
  console.log(`${v.padEnd(22)} ${col((r) => r.total).padStart(18)} ${col((r) => r.gc).padStart(16)} ${col((r) => r.compile).padStart(16)} ${col((r) => r.rest).padStart(18)}`);
}
console.log('\ncalls into workerd API per request (last round), by class:');
const classes = new Set(variants.flatMap((v) => [...rows.get(v)!.at(-1)!.api.keys()]));
console.log(`${'class'.padEnd(22)} ${variants.map((v) => v.padStart(10)).join(' ')}`);
for (const c of [...classes].sort()) console.log(`${c.padEnd(22)} ${variants.map((v) => ((rows.get(v)!.at(-1)!.api.get(c) ?? 0) / N).toFixed(2).padStart(10)).join(' ')}`);
if (process.env.KEEP === '1') console.log(`\ndumps kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
