// Where a Worker bundle's bytes come from: the minified bytes each part of the code puts into
// bundle (a) or (b), read from the esbuild metafile that `npm run size` writes beside the bundle.
// Minified bytes add up; gzip does not split by part, so the gzip cost of leaving a part out is
// what bench/profile/size-without.mjs measures.
//
//   npm run size && node bench/profile/size-breakdown.mjs            # bundle (a)
//   npm run size && node bench/profile/size-breakdown.mjs worker-b   # bundle (b)
//   FILES=1 node bench/profile/size-breakdown.mjs                    # every file, largest first
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const bundle = process.argv[2] ?? 'worker-a';
const path = join(process.cwd(), '.tmp', 'size', `${bundle}.meta.json`);
if (!existsSync(path)) {
  console.error(`${path} is missing: run \`npm run size\` first (it writes the metafiles).`);
  process.exit(1);
}
const meta = JSON.parse(readFileSync(path, 'utf8'));
const output = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
const files = Object.entries(output.inputs).map(([file, v]) => [file, v.bytesInOutput]);

// A part is a folder of the core (`src/metrics`), an exporter or middleware (`src/exporters/otlp`),
// a runtime adapter (`runtimes/cloudflare-workers`), or one file at the core's top (`src/monitor.ts`).
function part(file) {
  const p = file.split('/');
  if (p[0] === 'src' && (p[1] === 'exporters' || p[1] === 'middleware')) return p.slice(0, 3).join('/');
  if (p[0] === 'runtimes') return p.slice(0, 2).join('/');
  if (p[0] === 'src') return p.slice(0, 2).join('/');
  return p[0] === 'node_modules' ? `node_modules/${p[1]}` : file;
}

const total = files.reduce((s, [, b]) => s + b, 0);
const rows = process.env.FILES
  ? files
  : Object.entries(files.reduce((g, [f, b]) => ((g[part(f)] = (g[part(f)] ?? 0) + b), g), {}));
rows.sort((a, b) => b[1] - a[1]);
console.log(`${bundle}: ${(total / 1024).toFixed(1)} KB of minified code (gzip of the whole: see npm run size)`);
for (const [name, bytes] of rows) {
  console.log(`${(bytes / 1024).toFixed(1).padStart(6)} KB  ${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}
