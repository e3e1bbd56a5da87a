/**
 * The workerd reliability Worker with its exports held at a gate (workers/worker-gated.ts):
 * bundled and run like helpers/workerd.ts does the plain one, plus an `EXPORT_GATE_URL` binding
 * naming a gate server (runtimes/test-support/gate-server.ts).
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { resolve } from 'node:path';
import { REPO } from './scale.js';
import type { WorkerStats } from './workerd.js';

let bundled: Promise<string> | undefined;

function gatedBundle(): Promise<string> {
  return (bundled ??= build({
    entryPoints: [resolve(REPO, 'test/reliability/workers/worker-gated.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text));
}

export async function startGatedWorker(bindings: Record<string, string> & { EXPORT_GATE_URL: string }): Promise<{ mf: Miniflare; stats(): Promise<WorkerStats>; dispose(): Promise<void> }> {
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await gatedBundle() }],
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
