/** Bundles a test Worker with esbuild and runs it in workerd through miniflare (testing-recipes.md). */
import { build } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bundles = new Map<string, Promise<string>>();

/** The Worker bundle, as a Worker build would make it: ESM, browser platform, workerd conditions. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export function bundleWorker(entry = fixture('worker.ts'), alias?: Record<string, string>): Promise<string> {
  let b = bundles.get(entry);
  if (!b) {
    b = build({
      alias,
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      external: ['cloudflare:*', 'node:*'],
      keepNames: true,
    }).then((r) => r.outputFiles[0].text);
    bundles.set(entry, b);
  }
  return b;
}

export interface WorkerOptions {
  flags: string[];
  vars: Record<string, string>;
  extra?: Partial<MiniflareOptions>;
  entry?: string;
}

export async function startWorker(o: WorkerOptions): Promise<Miniflare> {
  const contents = await bundleWorker(o.entry);
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: o.flags,
    kvNamespaces: ['KV'],
    d1Databases: ['DB'],
    r2Buckets: ['R2'],
    queueProducers: { Q: { queueName: 'q1' } },
    durableObjects: { COUNTER: 'CounterDO' },
    bindings: o.vars,
    ...(o.extra ?? {}),
  } as MiniflareOptions);
  await mf.ready;
  return mf;
}

/**
 * A Worker written inline in a test file, bundled as a Worker build would bundle it (as
 * bundleWorker does a fixture); its imports resolve from the folder of `importMetaUrl`.
 */
export async function bundleSource(contents: string, importMetaUrl: string): Promise<string> {
  const r = await build({
    stdin: { contents, resolveDir: dirname(fileURLToPath(importMetaUrl)), loader: 'ts', sourcefile: 'worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*', 'cloudflare:*'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

/** A Miniflare running an inline Worker (see bundleSource), ready; no compatibility flag. */
export async function startInlineWorker(contents: string, importMetaUrl: string): Promise<Miniflare> {
  const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleSource(contents, importMetaUrl) }], compatibilityDate: '2026-04-01' });
  await mf.ready;
  return mf;
}
