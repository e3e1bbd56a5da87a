/**
 * Bundles a reliability Worker (test/reliability/workers/<entry>) with esbuild and runs it in
 * workerd through miniflare: `worker.ts`, or `worker-gated.ts`, the same Worker with its exports
 * held at a gate (an `EXPORT_GATE_URL` binding naming runtimes/test-support/gate-server.ts).
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { resolve } from 'node:path';
import { REPO } from './scale.js';

const bundles = new Map<string, Promise<string>>();

export function workerBundle(entry = 'worker.ts'): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    bundled = build({
      entryPoints: [resolve(REPO, 'test/reliability/workers', entry)],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['node:*'],
      write: false,
      logLevel: 'silent',
    }).then((r) => r.outputFiles[0].text);
    bundles.set(entry, bundled);
  }
  return bundled;
}

export interface WorkerStats {
  started: number;
  settled: { ms: number; ok: boolean; items: number; spansAndLogs: number; points: number; self: number }[];
  dropped: Record<string, number>;
  memorySpans: number;
  memoryLogs: number;
  unhandled: number;
  diagnostics: string[];
  pendingSpans: number;
  pendingLogs: number;
}

export async function startWorker(bindings: Record<string, string>, entry = 'worker.ts'): Promise<{ mf: Miniflare; stats(): Promise<WorkerStats>; dispose(): Promise<void> }> {
  const contents = await workerBundle(entry);
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

/** The Worker whose exports wait at the gate `EXPORT_GATE_URL` names until the test opens it. */
export function startGatedWorker(bindings: Record<string, string> & { EXPORT_GATE_URL: string }): ReturnType<typeof startWorker> {
  return startWorker(bindings, 'worker-gated.ts');
}
