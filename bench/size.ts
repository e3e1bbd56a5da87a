/**
 * Bundle size of the entry points users import (see lib/bundles.ts for how they are built).
 * Our two budgets are enforced: exits 1 when one is exceeded. The incumbents' sizes are printed
 * beside them from the same run. `npm run size`.
 */
import { entries, KB, measureSizes } from './lib/bundles.js';

const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;

{
  const results = await measureSizes();
  console.log('\n## Worker bundle size (esbuild --minify, platform browser, conditions workerd,worker,browser; gzip -9)');
  console.log(`${'bundle'.padEnd(68)}  ${'minified'.padStart(9)}  ${'min+gzip'.padStart(9)}  budget`);
  for (const r of results) {
    const e = entries.find((x) => x.file === r.file)!;
    const budget = r.budget === undefined ? '' : `${kb(r.budget)} ${r.ok ? 'ok' : 'EXCEEDED'}`;
    const line = r.error ? `build failed: ${r.error}` : `${kb(r.minified).padStart(9)}  ${kb(r.gzip).padStart(9)}  ${budget}`;
    console.log(`${r.name.padEnd(68)}  ${line}${e.note ? `  (${e.note})` : ''}`);
  }
  console.log('JSON ' + JSON.stringify({ title: 'size', results }));
  const failed = results.filter((r) => r.ok === false);
  if (failed.length) {
    console.error(`\nsize budget exceeded: ${failed.map((r) => `${r.name}: ${kb(r.gzip)} > ${kb(r.budget!)}`).join('; ')}`);
    process.exit(1);
  }
}
