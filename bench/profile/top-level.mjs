// Where a bundle's start-up goes: each top-level statement of a bundle (default: bundle (a) as
// `npm run size` writes it) timed in V8 as a fresh script, over several compilations, medians,
// largest first. Functions are not run unless the top level calls them, so this is what a cold
// start pays for before the first request. Uses the TypeScript parser to find the statements.
//
//   npm run size && node bench/profile/top-level.mjs [.tmp/size/worker-a.min.mjs] [rows]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const ts = createRequire(import.meta.url)('typescript');
const file = process.argv[2] ?? '.tmp/size/worker-a.min.mjs';
const rows = Number(process.argv[3] ?? 25);
const RUNS = 15;

// A script, not a module: the default export becomes a global, imports are not expected
// (bundles (a) and (b) have none).
const src = readFileSync(file, 'utf8').replace(/export\s*\{\s*(\w+) as default\s*\};?\s*$/, 'globalThis.__default = $1;');
const sf = ts.createSourceFile('bundle.js', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
let timed = '';
let pos = 0;
const labels = [];
for (const s of sf.statements) {
  timed += src.slice(pos, s.getEnd()) + ';__marks.push(performance.now());';
  pos = s.getEnd();
  labels.push(s.getText().slice(0, 100).replace(/\s+/g, ' '));
}
timed += src.slice(pos);

const samples = labels.map(() => []);
for (let k = 0; k < RUNS; k++) {
  globalThis.__marks = [];
  // A distinct source each time, so V8 compiles it afresh.
  new vm.Script(`/* ${k} */ __marks.push(performance.now());` + timed).runInThisContext();
  const marks = globalThis.__marks;
  for (let i = 0; i < labels.length; i++) samples[i].push(marks[i + 1] - marks[i]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const byStatement = labels.map((label, i) => ({ label, us: median(samples[i]) * 1000 })).sort((a, b) => b.us - a.us);
const total = byStatement.reduce((n, r) => n + r.us, 0);
console.log(`${file}: ${labels.length} top-level statements, ${total.toFixed(0)} µs in all (medians of ${RUNS} compilations)`);
for (const r of byStatement.slice(0, rows)) console.log(`${r.us.toFixed(1).padStart(8)} µs  ${r.label}`);
