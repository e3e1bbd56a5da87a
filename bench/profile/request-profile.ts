/**
 * A V8 CPU profile taken inside workerd (through its inspector) while n requests run through
 * one variant of bench/workers/workerd-entry.ts in the isolate (`/loop`), then self time per
 * function. Run:
 *   npx esbuild bench/profile/request-profile.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/request-profile.mjs && VARIANT=noop node .tmp/request-profile.mjs
 * MODE=http profiles the same requests sent over HTTP by 8 keep-alive clients instead (the
 * isolate's share of each request, `(idle)` included: compare variants by µs, not by share).
 * Knobs: VARIANT (noop), BATCHED=1 (loop: waitUntil promises awaited at the end, so a batching
 * variant batches as under load), N (20000), TOP (40), OUT (a path to keep the .cpuprofile),
 * INCLUSIVE (comma-separated function names: their total time, callees included), ALLOC=1 (bytes
 * allocated per request by function, from V8's sampling heap profiler, instead of CPU time).
 */
import { bundleBenchWorker } from '../lib/workerd-entry-bundle.js';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';

const VARIANT = process.env.VARIANT ?? 'noop';
const N = Number(process.env.N ?? 20000);
const TOP = Number(process.env.TOP ?? 40);
const root = process.cwd();
// BATCHED=1: the loop awaits the waitUntil promises once, at the end, so batching variants batch.
const BATCHED = process.env.BATCHED === '1' ? '&batched=1' : '';

const bundle = await bundleBenchWorker(root);
// A local receiver that discards OTLP bodies (HTTP 200), for the `otlp` variants.
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverPort = (receiver.address() as { port: number }).port;
const inspectorPort = 9300 + Math.floor(Math.random() * 500);
const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: 'worker.mjs', contents: bundle }],
  modulesRoot: '/',
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
  bindings: { OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}` },
  inspectorPort,
});
const base = await mf.ready;
// Warm-up. Over HTTP for MODE=http: a batching variant in the loop would wait out its window
// on every awaited request.
if (process.env.MODE === 'http') {
  for (let i = 0; i < 2000; i++) await (await fetch(`${base.origin}/${VARIANT}/orders/${i % 50}`)).arrayBuffer();
} else await (await mf.dispatchFetch(`http://bench/loop?variant=${VARIANT}&n=2000${BATCHED}`)).text();

const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl: string; title: string }[];
const target = targets.find((t) => !t.title.startsWith('core:')) ?? targets[0]!;
const ws = new WebSocket(target.webSocketDebuggerUrl);
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
const ALLOC = process.env.ALLOC === '1';
if (ALLOC) {
  // Bytes allocated per function, objects collected since included.
  await send('HeapProfiler.enable');
  await send('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
} else {
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 50 });
  await send('Profiler.start');
}
let ms: number;
if (process.env.MODE === 'http') {
  // HTTP=8 keep-alive clients through the socket, as bench/workerd-request.ts does.
  const t0 = performance.now();
  let left = N;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) await (await fetch(`${base.origin}/${VARIANT}/orders/${left % 50}`)).arrayBuffer();
    }),
  );
  ms = performance.now() - t0;
} else {
  ms = Number(await (await mf.dispatchFetch(`http://bench/loop?variant=${VARIANT}&n=${N}${BATCHED}`)).text());
}
if (ALLOC) {
  const { profile: heap } = await send('HeapProfiler.stopSampling');
  ws.close();
  await mf.dispose();
  receiver.close();
  type HNode = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HNode[] };
  const bytes = new Map<string, number>();
  let all = 0;
  const walk = (n: HNode): void => {
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
    bytes.set(key, (bytes.get(key) ?? 0) + n.selfSize);
    all += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(heap.head as HNode);
  console.log(`${VARIANT}: ${(all / N).toFixed(0)} bytes allocated per request (sampled); by function:`);
  for (const [k, v] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(v / N).toFixed(0).padStart(7)} B  ${k}`);
  process.exit(0);
}
const { profile } = await send('Profiler.stop');
ws.close();
await mf.dispose();
receiver.close();
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(profile));

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
const nodes = new Map<number, Node>((profile.nodes as Node[]).map((n) => [n.id, n]));
const self = new Map<string, number>();
const dt: number[] = profile.timeDeltas;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const n = nodes.get(profile.samples[i])!;
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const d = dt[i + 1] ?? 0;
  self.set(key, (self.get(key) ?? 0) + d);
  total += d;
}
console.log(`${VARIANT}: ${((ms * 1000) / N).toFixed(1)} µs per request (${N} requests); self time:`);
const busy = total - [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`isolate thread busy (not idle): ${(busy / N).toFixed(1)} µs per request`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / N).toFixed(2).padStart(7)} µs  ${k}`);

// Total time of chosen functions, callees included (each sample counted once per function).
const parent = new Map<number, number>();
for (const n of profile.nodes as Node[]) for (const c of n.children ?? []) parent.set(c, n.id);
const wanted = (process.env.INCLUSIVE ?? '').split(',').filter(Boolean);
if (wanted.length) {
  const incl = new Map<string, number>(wanted.map((w) => [w, 0]));
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = nodes.get(id)!.callFrame.functionName;
      if (incl.has(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, incl.get(name)! + (dt[i + 1] ?? 0));
      }
    }
  }
  console.log('total time (callees included), µs per request:');
  for (const [k, v] of incl) console.log(`${((v / N)).toFixed(2).padStart(7)}  ${k}`);
}
