/**
 * The Worker bundles compared by size.ts and startup.ts, built the way a Worker is built:
 * esbuild --bundle --minify --format=esm --platform=browser --conditions=workerd,worker,browser,
 * then gzip at level 9. `@lexigram/monitor/*` resolves to the sources, as the published subpath
 * exports would to their compiled files. Bundles are written to .tmp/size/<name>.min.mjs.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export interface Entry {
  name: string;
  file: string;
  /** The size target set for this bundle (reported: met or missed, and by how much). */
  budget?: number;
  /**
   * The enforced ceiling: `npm run size` fails above it. It sits just over today's size, so a
   * change that grows the bundle has to say so, while the target above stays the goal.
   */
  ceiling?: number;
  external?: string[];
  note?: string;
  alias?: Record<string, string>;
}

export const KB = 1024;
export const entries: Entry[] = [
  { name: '(a) core + Workers adapter + OTLP (traces, metrics, logs)', file: 'worker-a.ts', budget: 10 * KB, ceiling: 67.1 * KB },
  { name: '(b) (a) + Prometheus handler + Hono middleware + health', file: 'worker-b.ts', budget: 16 * KB, ceiling: 76.6 * KB, external: ['hono', 'hono/*'], note: 'hono itself external' },
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
  /** Path of the written bundle. */
  path: string;
  file: string;
  minified: number;
  gzip: number;
  budget?: number;
  /** Within the target. */
  ok?: boolean;
  ceiling?: number;
  /** Within the enforced ceiling. */
  underCeiling?: boolean;
  error?: string;
}

/** How a Worker is built: one minified ESM file for workerd. */
const WORKER_BUILD = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  conditions: ['workerd', 'worker', 'browser'],
  target: 'es2022',
  write: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

export async function measureSizes(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const e of entries) {
    const options: BuildOptions = {
      ...WORKER_BUILD,
      conditions: [...WORKER_BUILD.conditions],
      entryPoints: [join(dir, e.file)],
      alias: { ...alias, ...e.alias },
      external: e.external,
      metafile: true,
    };
    try {
      const r = await build(options);
      const code = r.outputFiles![0]!.contents;
      const path = join(out, e.file.replace(/\.ts$/, '.min.mjs'));
      writeFileSync(path, code);
      writeFileSync(join(out, e.file.replace(/\.ts$/, '.meta.json')), JSON.stringify(r.metafile));
      const gz = gzipSync(code, { level: 9 }).length;
      results.push({
        name: e.name,
        file: e.file,
        path,
        minified: code.length,
        gzip: gz,
        budget: e.budget,
        ok: e.budget === undefined ? undefined : gz <= e.budget,
        ceiling: e.ceiling,
        underCeiling: e.ceiling === undefined ? undefined : gz <= e.ceiling,
      });
    } catch (err) {
      results.push({ name: e.name, file: e.file, path: '', minified: 0, gzip: 0, budget: e.budget, ok: e.budget === undefined ? undefined : false, ceiling: e.ceiling, underCeiling: e.ceiling === undefined ? undefined : false, error: (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? String(err) });
    }
  }
  return results;
}


export interface EntryPointSize {
  /** The subpath users import (`@lexigram/monitor/otlp`). */
  specifier: string;
  minified: number;
  gzip: number;
  error?: string;
}

/**
 * Every public entry point of package.json `exports`, bundled alone with all it exports kept
 * (`export * from`), as a Worker build would: what importing it costs at most, before tree
 * shaking keeps only what is used. Peer and runtime imports (`hono`, `@opentelemetry/api`,
 * `node:*`, `cloudflare:*`) stay external.
 */
export async function measureEntryPoints(): Promise<EntryPointSize[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> };
  const sizes: EntryPointSize[] = [];
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const built = typeof target === 'string' ? target : target.default;
    if (!built.startsWith('./dist/')) continue;
    const source = join(root, built.slice('./dist/'.length).replace(/\.js$/, '.ts'));
    const specifier = `@lexigram/monitor${sub === '.' ? '' : sub.slice(1)}`;
    try {
      const r = await build({
        ...WORKER_BUILD,
        conditions: [...WORKER_BUILD.conditions],
        stdin: { contents: `export * from ${JSON.stringify(source)};`, resolveDir: root, loader: 'ts' },
        external: ['hono', 'hono/*', '@opentelemetry/api', 'node:*', 'cloudflare:*'],
      });
      const code = r.outputFiles[0]!.contents;
      sizes.push({ specifier, minified: code.length, gzip: gzipSync(code, { level: 9 }).length });
    } catch (err) {
      sizes.push({ specifier, minified: 0, gzip: 0, error: (err as { errors?: { text: string }[] }).errors?.[0]?.text ?? String(err) });
    }
  }
  return sizes;
}
