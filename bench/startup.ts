/**
 * Start-up cost of each Worker bundle in workerd (miniflare), two ways:
 * 1. Module evaluation inside workerd: one Worker holds COPIES distinct copies of the bundle
 *    (a comment makes each source unique, so no compile cache is shared) and times
 *    `await import()` of all of them with workerd's clock (1 ms resolution, hence the copies),
 *    minus the same for an empty module. Reported per copy: parse + compile + evaluate.
 * 2. Cold start end to end: `new Miniflare()` + first `dispatchFetch` for the bundle as the
 *    Worker, minus the same for an empty Worker; medians over interleaved runs.
 * Beside 1, the same bundle wrapped in a function that never runs (V8 only pre-parses it): what
 * parsing alone costs, so the rest of the evaluation is the bundle's top-level code.
 * All run with `nodejs_compat` (the otel-cf-workers incumbent needs it).
 */
import { transform } from 'esbuild';
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { measureSizes } from './lib/bundles.js';

const COPIES = Number(process.env.STARTUP_COPIES ?? 20);
const EVAL_RUNS = Number(process.env.STARTUP_EVAL_RUNS ?? 5);
const COLD_RUNS = Number(process.env.STARTUP_COLD_RUNS ?? 7);
const flags = ['nodejs_compat'];
const compatibilityDate = '2026-04-01';
const EMPTY = 'export default { fetch() { return new Response("ok"); } };\n';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const sizes = await measureSizes();
const bundles = [{ name: 'empty Worker', code: EMPTY }, ...sizes.filter((s) => !s.error).map((s) => ({ name: s.name, code: readFileSync(s.path, 'utf8') }))];

/** The bundle as the body of a function that is never called (imports become dead `require`s). */
async function parseOnly(code: string): Promise<string> {
  const iife = (await transform(code, { format: 'iife', minify: true })).code;
  return `function parseOnly() {${iife}}\n${EMPTY}`;
}
const wrapped = new Map<string, string>();
for (const b of bundles) wrapped.set(b.name, await parseOnly(b.code));

// 1. In-isolate evaluation.
async function evalMs(code: string): Promise<number> {
  const modules = [
    {
      type: 'ESModule' as const,
      path: 'main.mjs',
      contents:
        `const loaders = [${Array.from({ length: COPIES }, (_, i) => `() => import('./copy${i}.mjs')`).join(', ')}];\n` +
        'export default { async fetch() { const t0 = performance.now(); for (const load of loaders) await load(); return new Response(String(performance.now() - t0)); } };\n',
    },
    ...Array.from({ length: COPIES }, (_, i) => ({ type: 'ESModule' as const, path: `copy${i}.mjs`, contents: `/* copy ${i} */\n${code}` })),
  ];
  const mf = new Miniflare({ modules, modulesRoot: '/', compatibilityDate, compatibilityFlags: flags, bindings: { OTLP_ENDPOINT: 'http://127.0.0.1:9/v1/traces' } });
  try {
    const res = await mf.dispatchFetch('http://bench/');
    return Number(await res.text()) / COPIES;
  } finally {
    await mf.dispose();
  }
}

// 2. Cold start end to end.
async function coldMs(code: string): Promise<number> {
  const t0 = performance.now();
  const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }], modulesRoot: '/', compatibilityDate, compatibilityFlags: flags, bindings: { OTLP_ENDPOINT: 'http://127.0.0.1:9/v1/traces' } });
  try {
    const res = await mf.dispatchFetch('http://bench/');
    await res.arrayBuffer();
    return performance.now() - t0;
  } finally {
    await mf.dispose();
  }
}

const evalRuns = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
const parseRuns = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
const coldRuns = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
for (let r = 0; r < Math.max(EVAL_RUNS, COLD_RUNS); r++) {
  for (let k = 0; k < bundles.length; k++) {
    const b = bundles[(k + r) % bundles.length]!;
    if (r < EVAL_RUNS) {
      evalRuns.get(b.name)!.push(await evalMs(b.code));
      parseRuns.get(b.name)!.push(await evalMs(wrapped.get(b.name)!));
    }
    if (r < COLD_RUNS) coldRuns.get(b.name)!.push(await coldMs(b.code));
  }
}

const emptyEval = median(evalRuns.get('empty Worker')!);
const emptyCold = median(coldRuns.get('empty Worker')!);
console.log(`\n## Start-up in workerd (miniflare ${'4.20260426.0'}), medians`);
console.log(`${'bundle'.padEnd(68)}  ${'evaluation'.padStart(10)}  ${'parse only'.padStart(10)}  ${'cold start'.padStart(10)}  ${'cold - empty'.padStart(12)}`);
const out = [];
for (const b of bundles) {
  const ev = median(evalRuns.get(b.name)!) - (b.name === 'empty Worker' ? 0 : emptyEval);
  const parse = median(parseRuns.get(b.name)!) - (b.name === 'empty Worker' ? 0 : emptyEval);
  const cold = median(coldRuns.get(b.name)!);
  console.log(`${b.name.padEnd(68)}  ${`${ev.toFixed(2)} ms`.padStart(10)}  ${`${parse.toFixed(2)} ms`.padStart(10)}  ${`${cold.toFixed(1)} ms`.padStart(10)}  ${b.name === 'empty Worker' ? '' : `${(cold - emptyCold).toFixed(1)} ms`.padStart(12)}`);
  out.push({ name: b.name, evalMs: +ev.toFixed(3), parseOnlyMs: +parse.toFixed(3), coldMs: +cold.toFixed(2), coldMinusEmptyMs: +(cold - emptyCold).toFixed(2) });
}
console.log(`(evaluation: per copy, ${COPIES} copies imported per run, ${EVAL_RUNS} runs, empty module subtracted; parse only: the same with the bundle wrapped in a function never called; cold start: ${COLD_RUNS} runs)`);
console.log('JSON ' + JSON.stringify({ title: 'startup', results: out }));
