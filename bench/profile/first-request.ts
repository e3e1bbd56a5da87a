/**
 * What a cold isolate pays before and at its first request, in workerd (miniflare) and in Node.
 *
 * workerd: one Worker holds COPIES distinct copies of a bundle (a comment makes each source
 * unique, so no compile cache is shared); inside one request it times `await import()` of all of
 * them, then each copy's `fetch` called once (the first request: the monitor is built there,
 * CF-03), then once more (the second), with workerd's clock (1 ms resolution, hence the copies).
 * Per copy, medians of RUNS Workers; evaluation minus the same for an empty module. Bundles:
 *   (a)             bench/size/worker-a.ts: instrument() + OtlpBackend → a local receiver (200)
 *   (a) backends [] the same Worker with `backends: []`
 *   sdk-trace-base  bench/size/sdk-otlp-http.ts (provider built on the first request too)
 * Node: a fresh process per run times its first and second `createMonitor()` with an
 * OtlpBackend (the sources bundled for Node), medians of RUNS processes; PROF=1 adds V8 CPU
 * profiles of the first call (one per process, through node:inspector): self time by function.
 * Other modes, each alone:
 *   PROF=workerd  a CPU profile, through workerd's inspector, of the first requests of COPIES
 *                 copies of (a) built unminified (ENTRY: another Worker); INCLUSIVE=f,g adds
 *                 those functions' time with their callees.
 *   INSTR=1       instructions of the first request per copy, counted by valgrind's callgrind
 *                 (repeats within about 1%, where time on a shared machine moves by ±30%), split
 *                 into V8 parsing, bytecode generation, GC, JIT and the rest. INSTR_RUNS (2),
 *                 BUNDLES (a filter of the names), INSTR_TOP (functions listed).
 * The bundles are built from the tree the command runs in (process.cwd()).
 *
 *   npx esbuild bench/profile/first-request.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/first-request.mjs && node .tmp/first-request.mjs
 * Knobs: RUNS (7), COPIES (20), ONLY (workerd | node), PROF=1, TOP (30), OUT_DIR (.tmp/first-request).
 */
import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';

const RUNS = Number(process.env.RUNS ?? 7);
const COPIES = Number(process.env.COPIES ?? 20);
const ONLY = process.env.ONLY;
const TOP = Number(process.env.TOP ?? 30);
const root = process.cwd();
const out = process.env.OUT_DIR ?? join(root, '.tmp', 'first-request');
mkdirSync(out, { recursive: true });

const alias: Record<string, string> = {
  '@lexigram/monitor/cloudflare-workers': join(root, 'runtimes/cloudflare-workers/index.ts'),
  '@lexigram/monitor/otlp': join(root, 'src/exporters/otlp/index.ts'),
  '@lexigram/monitor': join(root, 'src/index.ts'),
};
/** As bench/lib/bundles.ts builds a Worker. */
const WORKER_BUILD: BuildOptions = {
  bundle: true, minify: true, format: 'esm', platform: 'browser', conditions: ['workerd', 'worker', 'browser'],
  target: 'es2022', write: false, logLevel: 'silent', alias,
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function bundle(file: string, replace?: [string, string]): Promise<string> {
  if (!replace) return (await build({ ...WORKER_BUILD, entryPoints: [join(root, file)] })).outputFiles![0]!.text;
  const contents = readFileSync(join(root, file), 'utf8').replace(replace[0], replace[1]);
  if (!contents.includes(replace[1])) throw new Error(`${file}: ${replace[0]} not found`);
  return (await build({ ...WORKER_BUILD, stdin: { contents, resolveDir: join(root, 'bench/size'), loader: 'ts' } })).outputFiles![0]!.text;
}

async function workerd(): Promise<void> {
  // A local receiver that answers every OTLP post with 200 (an export that succeeds).
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const EMPTY = 'export default { fetch() { return new Response("ok"); } };\n';
  const bundles = [
    { name: 'empty module', code: EMPTY },
    { name: '(a) instrument() + OtlpBackend', code: await bundle('bench/size/worker-a.ts') },
    { name: '(a) with backends: []', code: await bundle('bench/size/worker-a.ts', ['backends: [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT })]', 'backends: []']) },
    { name: 'sdk-trace-base + OTLP exporter', code: await bundle('bench/size/sdk-otlp-http.ts') },
  ];
  const main =
    `const loaders = [${Array.from({ length: COPIES }, (_, i) => `() => import('./copy${i}.mjs')`).join(', ')}];\n` +
    'export default { async fetch(request, env, ctx) {\n' +
    '  const mods = []; const t0 = performance.now();\n' +
    '  for (const load of loaders) mods.push(await load());\n' +
    '  const t1 = performance.now();\n' +
    '  for (const m of mods) await (await m.default.fetch(new Request("http://bench/orders"), env, ctx)).arrayBuffer();\n' +
    '  const t2 = performance.now();\n' +
    '  for (const m of mods) await (await m.default.fetch(new Request("http://bench/orders"), env, ctx)).arrayBuffer();\n' +
    '  const t3 = performance.now();\n' +
    '  return Response.json([t1 - t0, t2 - t1, t3 - t2]);\n' +
    '} };\n';
  const once = async (code: string): Promise<number[]> => {
    const modules = [
      { type: 'ESModule' as const, path: 'main.mjs', contents: main },
      ...Array.from({ length: COPIES }, (_, i) => ({ type: 'ESModule' as const, path: `copy${i}.mjs`, contents: `/* copy ${i} */\n${code}` })),
    ];
    const mf = new Miniflare({
      modules, modulesRoot: '/', compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'],
      bindings: { OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` },
    });
    try {
      const res = await mf.dispatchFetch('http://bench/');
      return ((await res.json()) as number[]).map((ms) => ms / COPIES);
    } finally {
      await mf.dispose();
    }
  };
  const runs = new Map<string, number[][]>(bundles.map((b) => [b.name, []]));
  for (let r = 0; r < RUNS; r++) for (let k = 0; k < bundles.length; k++) {
    const b = bundles[(k + r) % bundles.length]!;
    runs.get(b.name)!.push(await once(b.code));
  }
  receiver.close();
  const emptyEval = median(runs.get('empty module')!.map((x) => x[0]!));
  console.log(`\n## workerd (miniflare): per copy, ${COPIES} copies per Worker, medians of ${RUNS} Workers (evaluation: minus an empty module's)`);
  console.log(`${'bundle'.padEnd(34)} ${'evaluation'.padStart(10)} ${'1st request'.padStart(11)} ${'2nd request'.padStart(11)}   (first requests by run)`);
  for (const b of bundles) {
    const rs = runs.get(b.name)!;
    const ev = median(rs.map((x) => x[0]!)) - (b.name === 'empty module' ? 0 : emptyEval);
    const cols = [ev, median(rs.map((x) => x[1]!)), median(rs.map((x) => x[2]!))].map((ms) => `${ms.toFixed(2)} ms`);
    console.log(`${b.name.padEnd(34)} ${cols[0]!.padStart(10)} ${cols[1]!.padStart(11)} ${cols[2]!.padStart(11)}   ${rs.map((x) => x[1]!.toFixed(2)).join(' ')}`);
  }
}

async function node(): Promise<void> {
  // The sources bundled for Node, as an app would load the package: import, then time the calls.
  const script = join(out, 'node-first-monitor.mjs');
  writeFileSync(join(out, 'node-first-monitor.ts'), [
    `import { createMonitor } from ${JSON.stringify(join(root, 'src/index.ts'))};`,
    `import { OtlpBackend } from ${JSON.stringify(join(root, 'src/exporters/otlp/index.ts'))};`,
    'const make = (name: string) => createMonitor({ serviceName: name, backends: [new OtlpBackend({ endpoint: "http://127.0.0.1:9/v1/traces" })] });',
    // PROF: the inspector's profiler around the first call only (sampled every 10 µs).
    'let session: any;',
    'const post = (m: string, p?: object) => new Promise<any>((r, j) => session.post(m, p, (e: unknown, v: unknown) => (e ? j(e) : r(v))));',
    'if (process.env.PROF_OUT) { const { Session } = await import("node:inspector"); session = new Session(); session.connect(); await post("Profiler.enable"); await post("Profiler.setSamplingInterval", { interval: 10 }); await post("Profiler.start"); }',
    'const t0 = performance.now(); make("api");',
    'const t1 = performance.now(); make("api2");',
    'const t2 = performance.now();',
    'if (session) { const { profile } = await post("Profiler.stop"); (await import("node:fs")).writeFileSync(process.env.PROF_OUT, JSON.stringify(profile)); }',
    'console.log(JSON.stringify([t1 - t0, t2 - t1]));',
  ].join('\n'));
  await build({ bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', entryPoints: [join(out, 'node-first-monitor.ts')], outfile: script });
  {
    const first: number[] = [];
    const second: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const p = spawnSync(process.execPath, [script], { encoding: 'utf8' });
      const [a, b] = JSON.parse(p.stdout) as number[];
      first.push(a!);
      second.push(b!);
    }
    console.log(`\n## Node ${process.version}: createMonitor() with an OtlpBackend, medians of ${RUNS} processes`);
    console.log(`first ${median(first).toFixed(2)} ms (${first.map((x) => x.toFixed(2)).join(' ')}), second ${median(second).toFixed(2)} ms`);
    if (process.env.PROF === '1') profile(script);
  }
}

/** Self time by function in CPU profiles of the first createMonitor (RUNS processes). */
function profile(script: string): void {
  const dir = join(out, 'prof');
  mkdirSync(dir, { recursive: true });
  const merged: { nodes: ProfNode[]; samples: number[]; timeDeltas: number[] } = { nodes: [], samples: [], timeDeltas: [] };
  for (let r = 0; r < RUNS; r++) {
    const file = join(dir, `node-${r}.cpuprofile`);
    spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, PROF_OUT: file } });
    const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfNode[]; samples: number[]; timeDeltas: number[] };
    // Ids made distinct per run; the first delta of each run (before the first sample) dropped.
    const base = r * 1e6;
    for (const n of p.nodes) merged.nodes.push({ ...n, id: n.id + base, children: n.children?.map((c) => c + base) });
    merged.samples.push(...p.samples.map((s) => s + base));
    merged.timeDeltas.push(...p.timeDeltas.map((d, i) => (i === 0 ? 0 : d)));
  }
  report(merged, RUNS);
}

/**
 * PROF=workerd: a V8 CPU profile, taken through workerd's inspector, of the first request of
 * COPIES copies of (a) built unminified (names kept), imported by an earlier request; self time by
 * function, and the time under each function named in INCLUSIVE (callees included).
 */
async function profileWorkerd(): Promise<void> {
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const code = (await build({ ...WORKER_BUILD, minify: false, keepNames: true, entryPoints: [join(root, process.env.ENTRY ?? 'bench/size/worker-a.ts')] })).outputFiles![0]!.text;
  const main =
    `const loaders = [${Array.from({ length: COPIES }, (_, i) => `() => import('./copy${i}.mjs')`).join(', ')}];\n` +
    'const mods = [];\n' +
    'export default { async fetch(request, env, ctx) {\n' +
    '  if (request.url.endsWith("/import")) { for (const load of loaders) mods.push(await load()); return new Response("ok"); }\n' +
    '  for (const m of mods) await (await m.default.fetch(new Request("http://bench/orders"), env, ctx)).arrayBuffer();\n' +
    '  return new Response("ok");\n' +
    '} };\n';
  const inspectorPort = 9300 + Math.floor(Math.random() * 500);
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: 'main.mjs', contents: main },
      ...Array.from({ length: COPIES }, (_, i) => ({ type: 'ESModule' as const, path: `copy${i}.mjs`, contents: `/* copy ${i} */\n${code}` })),
    ],
    modulesRoot: '/', compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'],
    bindings: { OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` }, inspectorPort,
  });
  await (await mf.dispatchFetch('http://bench/import')).text();
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl: string; title: string }[];
  const target = targets.find((t) => !t.title.startsWith('core:')) ?? targets[0]!;
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r) => ws.once('open', r));
  let id = 0;
  const waiting = new Map<number, (v: any) => void>();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}): Promise<any> => new Promise((r) => { waiting.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 20 });
  await send('Profiler.start');
  await (await mf.dispatchFetch('http://bench/first')).text();
  const { profile: p } = await send('Profiler.stop');
  ws.close();
  await mf.dispose();
  receiver.close();
  if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(p));
  report(p, COPIES);
}

type ProfNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
/** Self time per function (per `per` runs), and INCLUSIVE functions' time with their callees. */
function report(p: { nodes: ProfNode[]; samples: number[]; timeDeltas: number[] }, per: number): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\//, '').replace(/^copy\d+/, 'copy')}:${n.callFrame.lineNumber + 1}`;
    const d = p.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + d);
    total += d;
  }
  console.log(`\nself time, ms per run (${per} runs; ${(total / 1000 / per).toFixed(2)} ms per run in all), top ${TOP}`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(us / 1000 / per).toFixed(3).padStart(7)} ms  ${k}`);
  const wanted = (process.env.INCLUSIVE ?? '').split(',').filter(Boolean);
  if (wanted.length === 0) return;
  const incl = new Map<string, number>(wanted.map((w) => [w, 0]));
  for (let i = 0; i < p.samples.length; i++) {
    const seen = new Set<string>();
    for (let n: number | undefined = p.samples[i]; n !== undefined; n = parent.get(n)) {
      const name = byId.get(n)!.callFrame.functionName;
      if (incl.has(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, incl.get(name)! + (p.timeDeltas[i] ?? 0));
      }
    }
  }
  console.log('callees included, ms per run:');
  for (const [k, us] of incl) console.log(`${(us / 1000 / per).toFixed(3).padStart(7)} ms  ${k}`);
}

/**
 * INSTR=1: instructions workerd executes for the first request of COPIES copies, counted by
 * valgrind's callgrind (all threads; counters zeroed after the copies are imported by an earlier
 * request, dumped after the first requests and 300 ms of their waitUntil work). Unlike time on a
 * shared machine, a count repeats within a few percent, so a change of a few percent can be seen.
 * Split into V8's parsing and bytecode generation (lazy compilation of the functions the first
 * request runs), GC, and the rest. Needs valgrind; about a minute per bundle.
 */
async function instructions(): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const { chmodSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createRequire } = await import('node:module');
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'first-request-'));
  const workerdBin = (createRequire(import.meta.url)('workerd') as { default: string }).default;
  const wrapper = join(dir, 'workerd.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec valgrind --tool=callgrind --dump-instr=no --smc-check=all-non-file --callgrind-out-file=${dir}/cg.%p.out ${workerdBin} "$@" 2>>${dir}/valgrind.log\n`);
  chmodSync(wrapper, 0o755);
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
  const bundles = [
    { name: '(a) instrument() + OtlpBackend', code: await bundle('bench/size/worker-a.ts') },
    { name: '(a) with backends: []', code: await bundle('bench/size/worker-a.ts', ['backends: [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT })]', 'backends: []']) },
  ].filter((b) => !process.env.BUNDLES || process.env.BUNDLES.split(',').some((x) => b.name.includes(x)));
  const main =
    `const loaders = [${Array.from({ length: COPIES }, (_, i) => `() => import('./copy${i}.mjs')`).join(', ')}];\n` +
    'const mods = [];\n' +
    'export default { async fetch(request, env, ctx) {\n' +
    '  if (request.url.endsWith("/import")) { for (const load of loaders) mods.push(await load()); return new Response("ok"); }\n' +
    '  for (const m of mods) await (await m.default.fetch(new Request("http://bench/orders"), env, ctx)).arrayBuffer();\n' +
    '  return new Response("ok");\n' +
    '} };\n';
  const PARSE = /v8::internal::(Parser|PreParser|Scanner|Utf16CharacterStream|AstValueFactory|DeclarationScope|Scope::|FuncNameInferrer|ParseInfo|ScopeInfo|AstNodeFactory|ExpressionScope|ParserBase)|Parser|PreParser|Scanner/;
  const BYTECODE = /interpreter::(BytecodeGenerator|BytecodeArrayBuilder|BytecodeArrayWriter|BytecodeRegisterOptimizer|ConstantArrayBuilder|HandlerTableBuilder|BytecodeLabel|BytecodeJumpTable)|Compiler::|Compile(Lazy|Toplevel)|UnoptimizedCompil|FinalizeUnoptimized/;
  const GC = /v8::internal::(Heap|Scavenge|MarkCompact|Marking|Sweeper|GlobalHandles|TracedHandles|MinorMark|Evacuat|ConcurrentMarking|IncrementalMarking|MemoryAllocator|PagedSpace|NewSpace|SemiSpace|LargeObjectSpace|MemoryReducer|GCTracer|ParallelWeakHandlesProcessor|FreeList|Safepoint)|heap::base::|cppgc::|Scavenge|MarkingVisitor|BodyDescriptorBase/;
  const JIT = /maglev|v8::internal::compiler::|turboshaft|baseline::|OptimizedCompilation|RegisterAllocator|LiveRange/;
  const runs = Number(process.env.INSTR_RUNS ?? 2);
  console.log(`\n## Instructions in workerd for the first request, per copy (${COPIES} copies, callgrind, all threads), ${runs} Workers each`);
  console.log(`${'bundle'.padEnd(34)} ${'total'.padStart(9)} ${'parse'.padStart(9)} ${'bytecode'.padStart(9)} ${'GC'.padStart(9)} ${'JIT'.padStart(9)} ${'the rest'.padStart(9)}`);
  let dumps = 0;
  for (const b of bundles) for (let r = 0; r < runs; r++) {
    const mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: 'main.mjs', contents: main },
        ...Array.from({ length: COPIES }, (_, i) => ({ type: 'ESModule' as const, path: `copy${i}.mjs`, contents: `/* copy ${i} */\n${b.code}` })),
      ],
      modulesRoot: '/', compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'],
      bindings: { OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` },
      handleRuntimeStdio: (stdout, stderr) => { stdout.resume(); stderr.resume(); },
    });
    await mf.ready;
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
    await (await mf.dispatchFetch('http://bench/import')).text();
    execFileSync('callgrind_control', ['-z', String(pid)], { stdio: 'ignore' });
    await (await mf.dispatchFetch('http://bench/first')).text();
    await new Promise((res) => setTimeout(res, 300));
    execFileSync('callgrind_control', ['-d', 'first', String(pid)], { stdio: 'ignore' });
    dumps++;
    const file = readdirSync(dir).find((f) => f.startsWith(`cg.${pid}.out.`));
    if (!file) throw new Error('dump not written');
    const self = readDump(join(dir, file));
    await mf.dispose();
    const row = { total: 0, parse: 0, bytecode: 0, gc: 0, jit: 0, rest: 0 };
    for (const [name, x] of self) {
      row.total += x;
      if (GC.test(name)) row.gc += x;
      else if (JIT.test(name)) row.jit += x;
      else if (BYTECODE.test(name)) row.bytecode += x;
      else if (PARSE.test(name)) row.parse += x;
      else row.rest += x;
    }
    const m = (x: number): string => `${(x / COPIES / 1e6).toFixed(2)}M`;
    console.log(`${b.name.padEnd(34)} ${m(row.total).padStart(9)} ${m(row.parse).padStart(9)} ${m(row.bytecode).padStart(9)} ${m(row.gc).padStart(9)} ${m(row.jit).padStart(9)} ${m(row.rest).padStart(9)}`);
    if (process.env.INSTR_TOP) {
      for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(process.env.INSTR_TOP))) console.log(`   ${(v / COPIES / 1e3).toFixed(0).padStart(8)}k  ${k.slice(0, 150)}`);
    }
    rmSync(join(dir, file));
  }
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Self instructions by function name from a callgrind dump. */
function readDump(path: string): Map<string, number> {
  const names = new Map<string, string>();
  const selfById = new Map<string, number>();
  let fn = '';
  let afterCalls = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(c?)fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (m) {
      if (m[3] !== undefined) names.set(m[2]!, m[3]);
      if (!m[1]) fn = m[2]!;
      continue;
    }
    if (line.startsWith('calls=')) {
      afterCalls = true;
      continue;
    }
    if (/^[0-9+*-]/.test(line)) {
      if (afterCalls) afterCalls = false; // the inclusive cost of a call: not the caller's own
      else selfById.set(fn, (selfById.get(fn) ?? 0) + Number(line.split(' ')[1] ?? 0));
    }
  }
  const out = new Map<string, number>();
  for (const [id, v] of selfById) out.set(names.get(id) ?? id, (out.get(names.get(id) ?? id) ?? 0) + v);
  return out;
}

if (process.env.INSTR === '1') {
  await instructions();
  process.exit(0);
}
if (process.env.PROF === 'workerd') {
  await profileWorkerd();
  process.exit(0);
}
if (ONLY !== 'node') await workerd();
if (ONLY !== 'workerd') await node();
