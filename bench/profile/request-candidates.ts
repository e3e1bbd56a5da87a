/**
 * What workerd pays per request for each thing `instrument()` does around a handler, measured
 * one at a time on a library-free Worker (the same JSON response as bench/workers/app.ts):
 * 8 keep-alive clients, interleaved rounds, workerd CPU per request from /proc/<pid>/stat.
 * Run: npx esbuild bench/profile/request-candidates.ts --bundle --platform=node --format=esm \
 *        --packages=external --outfile=.tmp/request-candidates.mjs && node .tmp/request-candidates.mjs
 * Knobs: ROUNDS (5), ROUND_MS (1500), VARIANTS (comma list, default all); MICRO=1 times single
 * operations inside one request instead (AsyncLocalStorage.run, a timer, waitUntil, ...).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Miniflare } from 'miniflare';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ROUND_MS = Number(process.env.ROUND_MS ?? 1500);
const CONCURRENCY = 8;

// Each variant returns the same body; `ctx` is the real ExecutionContext.
const script = /* js */ `
import { AsyncLocalStorage } from 'node:async_hooks';
const als = new AsyncLocalStorage();
function json(url) { return JSON.stringify({ ok: true, path: new URL(url).pathname, items: [1, 2, 3] }); }
function make(req) { return new Response(json(req.url), { headers: { 'content-type': 'application/json' } }); }
const variants = {
  // The plain Worker.
  plain: async (req) => make(req),
  // The handler's Response copied into a new one (same body stream, status, headers).
  recreate: async (req) => { const r = make(req); return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers }); },
  // ctx.waitUntil with a promise that is already settled.
  'waituntil-resolved': async (req, ctx) => { ctx.waitUntil(Promise.resolve()); return make(req); },
  // ctx.waitUntil with a promise that settles on a later macrotask (after the response is returned).
  'waituntil-later': async (req, ctx) => { ctx.waitUntil(new Promise((r) => setTimeout(r, 0))); return make(req); },
  // ctx.waitUntil with a promise chained on a microtask (what scope.close() returns with NoOp).
  'waituntil-micro': async (req, ctx) => { ctx.waitUntil(Promise.resolve().then(() => Promise.resolve()).then(() => 1)); return make(req); },
  // The body watched through IdentityTransformStream (pipeTo's promise tells when it is sent), the
  // promise handed to waitUntil: what handleRequest did for waitForBody.
  identity: async (req, ctx) => {
    const r = make(req); const t = new IdentityTransformStream();
    ctx.waitUntil(r.body.pipeTo(t.writable).then(() => {}));
    return new Response(t.readable, { status: r.status, statusText: r.statusText, headers: r.headers });
  },
  // The same pipe without waitUntil.
  'identity-nowait': async (req) => {
    const r = make(req); const t = new IdentityTransformStream();
    r.body.pipeTo(t.writable).then(() => {}, () => {});
    return new Response(t.readable, { status: r.status, statusText: r.statusText, headers: r.headers });
  },
  // A FixedLengthStream of the known length instead (Content-Length kept).
  'fixed-length': async (req, ctx) => {
    const text = json(req.url); const bytes = new TextEncoder().encode(text);
    const r = new Response(bytes, { headers: { 'content-type': 'application/json' } });
    const t = new FixedLengthStream(bytes.byteLength);
    ctx.waitUntil(r.body.pipeTo(t.writable).then(() => {}));
    return new Response(t.readable, { status: r.status, statusText: r.statusText, headers: r.headers });
  },
  // The BYOB-reader probe handleRequest uses to tell a script-produced stream from a byte stream.
  'byob-probe': async (req) => { const r = make(req); try { r.body.getReader({ mode: 'byob' }).releaseLock(); } catch {} return r; },
  // Only reading response.body (the getter) before returning the Response.
  'body-access': async (req) => { const r = make(req); if (r.body === null) throw new Error('no body'); return r; },
  // AsyncLocalStorage.run around the handler.
  als: async (req) => als.run({ n: 1 }, async () => make(req)),
  // A 25 s timer armed and cleared (what Monitor.exportOne does per backend per export).
  timer: async (req, ctx) => { const t = setTimeout(() => {}, 25000); clearTimeout(t); return make(req); },
  // A timer armed before the response and cleared from a waitUntil promise.
  'timer-waituntil': async (req, ctx) => {
    let t; ctx.waitUntil(new Promise((r) => { t = setTimeout(r, 25000); }).then(() => {}));
    ctx.waitUntil(Promise.resolve().then(() => clearTimeout(t)));
    return make(req);
  },
  // Per-request closures and objects (about what instrument()/handleRequest allocate).
  closures: async (req, ctx) => {
    const o = []; for (let i = 0; i < 40; i++) o.push({ i, f: () => i, a: [i] });
    return make(req);
  },
  // Request headers read as instrument() does (traceparent lookup, user-agent, host).
  headers: async (req) => { req.headers.get('traceparent'); req.headers.get('user-agent'); req.headers.get('host'); req.headers.get('content-length'); return make(req); },
  // performance.now / Date.now reads (workerd's clock) x 10.
  clock: async (req) => { let s = 0; for (let i = 0; i < 10; i++) s += performance.now() + Date.now(); return make(req); },
  // crypto.getRandomValues of 16 bytes.
  random: async (req) => { crypto.getRandomValues(new Uint8Array(16)); return make(req); },
  // What instrument() asks of the runtime besides the body, together: AsyncLocalStorage.run, a
  // 25 s timer armed and cleared inside a waitUntil promise that settles on a microtask.
  runtime: async (req, ctx) => als.run({ n: 1 }, async () => {
    const r = make(req);
    let t;
    ctx.waitUntil(Promise.resolve().then(() => { t = setTimeout(() => {}, 25000); return Promise.resolve(); }).then(() => clearTimeout(t)));
    return r;
  }),
  // What instrument() asks of the runtime now (no body pipe, no timer): request headers read,
  // AsyncLocalStorage.run around the handler, waitUntil with a promise settled on microtasks.
  framework: async (req, ctx) => {
    const h = req.headers; h.get('traceparent'); h.get('baggage'); h.get('user-agent');
    const r = await als.run({ n: 1 }, async () => make(req));
    ctx.waitUntil(Promise.resolve().then(() => Promise.resolve()).then(() => 1));
    return r;
  },
  // A symbol-keyed property set on the runtime's ExecutionContext (where getRequestTelemetry looks).
  'ctx-prop': async (req, ctx) => { ctx[SYM] = req; return make(req); },
  // Everything above that handleRequest did for a NoOp request together.
  all: async (req, ctx) => als.run({ n: 1 }, async () => {
    const r = make(req); const t = new IdentityTransformStream();
    ctx.waitUntil(r.body.pipeTo(t.writable).then(() => Promise.resolve()).then(() => {}));
    return new Response(t.readable, { status: r.status, statusText: r.statusText, headers: r.headers });
  }),
};
// In-isolate costs of single operations (MICRO=1): n of each inside one request, µs per operation
// beyond an empty loop (workerd's clock has 1 ms resolution here: n is large).
const micro = {
  'AsyncLocalStorage.run': () => als.run(1, () => 0),
  'setTimeout + clearTimeout': () => clearTimeout(setTimeout(() => {}, 25000)),
  'ctx.waitUntil(settled promise)': (ctx) => ctx.waitUntil(Promise.resolve()),
  'new Response(body, init) (re-create)': () => { const r = new Response('x'); return new Response(r.body, { status: r.status, headers: r.headers }); },
  'new Response(string)': () => new Response('x'),
  'BYOB reader taken and released': () => { const b = new Response('x').body; b.getReader({ mode: 'byob' }).releaseLock(); },
  'WeakMap.set (fresh key)': () => wm.set({}, 1),
  'symbol property on a fresh object': () => { const o = {}; o[SYM] = 1; },
};
const wm = new WeakMap();
const SYM = Symbol('t');
async function runMicro(ctx) {
  const n = 50000; const out = {};
  const time = (f) => { const t0 = performance.now(); for (let i = 0; i < n; i++) f(ctx); return performance.now() - t0; };
  const base = time(() => 0);
  for (const [k, f] of Object.entries(micro)) { time(f); out[k] = ((time(f) - base) * 1000) / n; }
  return out;
}
export default {
  async fetch(req, env, ctx) {
    const u = new URL(req.url);
    if (u.pathname === '/micro') return Response.json(await runMicro(ctx));
    const v = variants[u.pathname.split('/')[1]];
    if (!v) return new Response('not found', { status: 404 });
    return v(req, ctx);
  },
};`;

const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
  modulesRoot: '/',
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
});
const base = await mf.ready;

function workerdPids(): number[] {
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
  return pids;
}
if (process.env.MICRO === '1') {
  for (let r = 0; r < 3; r++) {
    const m = (await (await mf.dispatchFetch(`${base.origin}/micro`)).json()) as Record<string, number>;
    console.log(`round ${r}: ` + Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(2)} µs`).join('; '));
  }
  await mf.dispose();
  process.exit(0);
}
const pids = workerdPids();
function cpuMs(): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const s = f.slice(f.lastIndexOf(')') + 2).split(' ');
    ticks += Number(s[11]) + Number(s[12]);
  }
  return ticks * 10;
}

async function load(v: string, ms: number): Promise<{ rps: number; cpu: number }> {
  let done = 0;
  const end = performance.now() + ms;
  const c0 = cpuMs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, c) => {
      let i = c;
      while (performance.now() < end) {
        const res = await fetch(`${base.origin}/${v}/orders/${i++ % 50}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${v}: HTTP ${res.status}`);
        done++;
      }
    }),
  );
  const elapsed = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 50));
  return { rps: (done * 1000) / elapsed, cpu: ((cpuMs() - c0) * 1000) / done };
}

const all = ['plain', 'recreate', 'waituntil-resolved', 'waituntil-micro', 'waituntil-later', 'identity', 'identity-nowait', 'fixed-length', 'byob-probe', 'body-access', 'als', 'timer', 'timer-waituntil', 'closures', 'headers', 'clock', 'random', 'runtime', 'framework', 'ctx-prop', 'all'];
const variants = process.env.VARIANTS ? process.env.VARIANTS.split(',') : all;
if (!variants.includes('plain')) variants.unshift('plain');
for (const v of variants) await load(v, 300);
const cpu = new Map<string, number[]>(variants.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) for (let k = 0; k < variants.length; k++) {
  const v = variants[(k + r) % variants.length]!;
  cpu.get(v)!.push((await load(v, ROUND_MS)).cpu);
}
await mf.dispose();
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const p = median(cpu.get('plain')!);
console.log(`workerd CPU per request, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, medians (rounds in brackets)`);
for (const v of variants) {
  const m = median(cpu.get(v)!);
  console.log(`${v.padEnd(20)} ${m.toFixed(0).padStart(5)} µs  ${v === 'plain' ? '' : `${m - p >= 0 ? '+' : ''}${(m - p).toFixed(0)} µs`.padStart(8)}  [${cpu.get(v)!.map((x) => x.toFixed(0)).join(' ')}]`);
}
