/**
 * Bundle size of the entry points users import, built the way a Worker is built:
 * esbuild --bundle --minify --format=esm --platform=browser --conditions=workerd,worker,browser,
 * then gzip at level 9. Our two budgets are enforced (exit 1 when exceeded); the incumbents'
 * sizes are printed beside them from the same run. `@lexigram/monitor/*` resolves to the
 * sources, as the published subpath exports would to their compiled files.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// Run from the repository root (npm run size); this file runs bundled from .tmp/bench.
const root = process.cwd();
const dir = join(root, 'bench', 'size');
const out = join(root, '.tmp', 'size');
mkdirSync(out, { recursive: true });

const alias: Record<string, string> = {
  '@lexigram/monitor/cloudflare-workers': join(root, 'runtimes/cloudflare-workers/index.ts'),
  '@lexigram/monitor/otlp': join(root, 'src/exporters/otlp/index.ts'),
  '@lexigram/monitor/prometheus': join(root, 'src/exporters/prometheus/index.ts'),
  '@lexigram/monitor/hono': join(root, 'src/middleware/hono/index.ts'),
  '@lexigram/monitor': join(root, 'src/index.ts'),
};

interface Entry {
  name: string;
  file: string;
  budget?: number;
  external?: string[];
  note?: string;
  alias?: Record<string, string>;
}

const KB = 1024;
const entries: Entry[] = [
  { name: '(a) core + Workers adapter + OTLP (traces, metrics, logs)', file: 'worker-a.ts', budget: 10 * KB },
  { name: '(b) (a) + Prometheus handler + Hono middleware + health', file: 'worker-b.ts', budget: 16 * KB, external: ['hono', 'hono/*'], note: 'hono itself external' },
  {
    name: '@microlabs/otel-cf-workers 1.0.0-rc.52 (traces)',
    file: 'otel-cf-workers.ts', external: ['node:*', 'cloudflare:*'],
    note: 'node:* and cloudflare:* external; semconv shim, see semconv-incubating-shim.ts',
    alias: { '@opentelemetry/semantic-conventions/incubating': join(root, 'bench/size/semconv-incubating-shim.ts') },
  },
  { name: 'sdk-trace-base 2.12.1 + exporter-trace-otlp-http 0.223.1 (traces)', file: 'sdk-otlp-http.ts' },
];

export interface SizeResult {
  name: string;
  file: string;
  minified: number;
  gzip: number;
  budget?: number;
  ok?: boolean;
  error?: string;
}

export async function measureSizes(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const e of entries) {
    const options: BuildOptions = {
      entryPoints: [join(dir, e.file)],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      write: false,
      alias: { ...alias, ...e.alias },
      external: e.external,
      logLevel: 'silent',
      metafile: true,
    };
    try {
      const r = await build(options);
      const code = r.outputFiles![0]!.contents;
      writeFileSync(join(out, e.file.replace(/\.ts$/, '.min.mjs')), code);
      writeFileSync(join(out, e.file.replace(/\.ts$/, '.meta.json')), JSON.stringify(r.metafile));
      const gz = gzipSync(code, { level: 9 }).length;
      results.push({ name: e.name, file: e.file, minified: code.length, gzip: gz, budget: e.budget, ok: e.budget === undefined ? undefined : gz <= e.budget });
    } catch (err) {
      results.push({ name: e.name, file: e.file, minified: 0, gzip: 0, budget: e.budget, ok: e.budget === undefined ? undefined : false, error: (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? String(err) });
    }
  }
  return results;
}

const kb = (n: number): string => `${(n / KB).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
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
