// What a Worker bundle would weigh without some modules: each path fragment given on the
// command line replaces the matching source files with empty stubs of the same exports, then
// bundle (a) or (b) is built as `npm run size` builds it (esbuild, browser, minify, gzip -9).
// The result runs nowhere; it sizes a design change before anyone makes it.
//
//   node bench/profile/size-without.mjs otlp/json- health/ metrics/summary
//   BUNDLE=worker-b.ts node bench/profile/size-without.mjs config/env
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = process.cwd();
const alias = {
  '@lexigram/monitor/cloudflare-workers': join(root, 'runtimes/cloudflare-workers/index.ts'),
  '@lexigram/monitor/otlp': join(root, 'src/exporters/otlp/index.ts'),
  '@lexigram/monitor/prometheus': join(root, 'src/exporters/prometheus/index.ts'),
  '@lexigram/monitor/hono': join(root, 'src/middleware/hono/index.ts'),
  '@lexigram/monitor': join(root, 'src/index.ts'),
};
const without = process.argv.slice(2);
const stub = {
  name: 'stub',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      if (!without.some((s) => a.path.includes(s))) return undefined;
      const names = [...readFileSync(a.path, 'utf8').matchAll(/export (?:abstract )?(?:class|function|const|let) (\w+)/g)].map((m) => m[1]);
      return { contents: names.map((n) => `export const ${n} = function () {};`).join('\n'), loader: 'ts' };
    });
  },
};
const bundle = process.env.BUNDLE ?? 'worker-a.ts';
const r = await build({
  entryPoints: [join(root, 'bench/size', bundle)],
  bundle: true, minify: true, format: 'esm', platform: 'browser', conditions: ['workerd', 'worker', 'browser'], target: 'es2022',
  write: false, alias, external: ['hono', 'hono/*'], logLevel: 'silent', plugins: [stub],
});
const code = r.outputFiles[0].contents;
console.log(`${bundle} without [${without.join(', ') || 'nothing'}]: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(1)} KB min+gzip`);
