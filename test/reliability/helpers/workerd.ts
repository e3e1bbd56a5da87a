/** Bundles test/reliability/workers/worker.ts with esbuild and runs it in workerd through miniflare. */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { resolve } from 'node:path';
import { REPO } from './scale.js';

let bundled: Promise<string> | undefined;

export function workerBundle(): Promise<string> {
  return (bundled ??= build({
    entryPoints: [resolve(REPO, 'test/reliability/workers/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text));
}

export interface WorkerStats {
  started: number;
  settled: { ms: number; ok: boolean; items: number }[];
  dropped: Record<string, number>;
  memorySpans: number;
  memoryLogs: number;
  unhandled: number;
  diagnostics: string[];
  pendingSpans: number;
  pendingLogs: number;
}

export async function startWorker(bindings: Record<string, string>): Promise<{ mf: Miniflare; stats(): Promise<WorkerStats>; dispose(): Promise<void> }> {
  const contents = await workerBundle();
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents }],
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
  });
  await mf.ready;
  return {
    mf,
    stats: async () => (await (await mf.dispatchFetch('http://w/__stats')).json()) as WorkerStats,
    dispose: () => mf.dispose(),
  };
}
