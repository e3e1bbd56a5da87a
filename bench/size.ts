/**
 * Bundle size of the entry points users import (see lib/bundles.ts for how they are built).
 * Each of our bundles has a target (10 KB and 16 KB, reported as met or missed) and an enforced
 * ceiling just above today's size: exits 1 when a ceiling is exceeded, so growth is caught. The
 * incumbents' sizes are printed beside them from the same run. `npm run size`.
 */
import { entries, KB, measureEntryPoints, measureSizes } from './lib/bundles.js';

const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;

{
  const results = await measureSizes();
  console.log('\n## Worker bundle size (esbuild --minify, platform browser, conditions workerd,worker,browser; gzip -9)');
  console.log(`${'bundle'.padEnd(68)}  ${'minified'.padStart(9)}  ${'min+gzip'.padStart(9)}  target / enforced ceiling`);
  for (const r of results) {
    const e = entries.find((x) => x.file === r.file)!;
    const target = r.budget === undefined ? '' : `target ${kb(r.budget)} ${r.ok ? 'met' : `MISSED (${(r.gzip / r.budget).toFixed(1)}×)`}`;
    const ceiling = r.ceiling === undefined ? '' : `; ceiling ${kb(r.ceiling)} ${r.underCeiling ? 'ok' : 'EXCEEDED'}`;
    const budget = target + ceiling;
    const line = r.error ? `build failed: ${r.error}` : `${kb(r.minified).padStart(9)}  ${kb(r.gzip).padStart(9)}  ${budget}`;
    console.log(`${r.name.padEnd(68)}  ${line}${e.note ? `  (${e.note})` : ''}`);
  }
  const entryPoints = await measureEntryPoints();
  console.log('\n## Each entry point alone, everything it exports kept (the most importing it can add; peers, node:* and cloudflare:* external)');
  console.log(`${'entry point'.padEnd(68)}  ${'minified'.padStart(9)}  ${'min+gzip'.padStart(9)}`);
  for (const e of entryPoints) console.log(`${e.specifier.padEnd(68)}  ${e.error ? `build failed: ${e.error}` : `${kb(e.minified).padStart(9)}  ${kb(e.gzip).padStart(9)}`}`);
  console.log('JSON ' + JSON.stringify({ title: 'size', results, entryPoints }));
  const missed = results.filter((r) => r.ok === false);
  if (missed.length) console.log(`\nsize target missed (see BENCHMARKS.md): ${missed.map((r) => `${r.name}: ${kb(r.gzip)} > ${kb(r.budget!)}`).join('; ')}`);
  const failed = results.filter((r) => r.underCeiling === false);
  if (failed.length) {
    console.error(`\nsize ceiling exceeded: ${failed.map((r) => `${r.name}: ${kb(r.gzip)} > ${kb(r.ceiling!)}`).join('; ')}`);
    process.exit(1);
  }
}
