#!/usr/bin/env node
// Bundles each bench/*.bench.ts (and the workerd/size/startup scripts) with esbuild to .tmp/bench
// and runs each in its own Node process. `npm run bench` runs them all; `npm run bench -- spans`
// runs those whose file name contains "spans".
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_BUILD } from './lib/node-build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(root, '.tmp', 'bench');
mkdirSync(out, { recursive: true });

const all = [
  ...readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort(),
  'size.ts',
  'startup.ts',
  'workerd-request.ts',
  'node-server.ts',
];
const filters = process.argv.slice(2);
const files = filters.length ? all.filter((f) => filters.some((x) => f.includes(x))) : all;

let failed = 0;
for (const f of files) {
  const outfile = join(out, f.replace(/\.ts$/, '.mjs'));
  await build({ ...NODE_BUILD, entryPoints: [join(here, f)], outfile });
  const flags = f.startsWith('memory') ? ['--expose-gc'] : [];
  console.log(`\n# ${f}  (node ${[...flags, outfile.slice(root.length + 1)].join(' ')})`);
  const r = spawnSync(process.execPath, [...flags, outfile], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failed++;
    console.error(`# ${f} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
