/** bench/workers/workerd-entry.ts bundled as a Worker build would make it, for the workerd benches and profiles. */
import { build } from 'esbuild';
import { join } from 'node:path';

export async function bundleBenchWorker(root = process.cwd()): Promise<string> {
  const r = await build({
    entryPoints: [join(root, 'bench/workers/workerd-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return r.outputFiles[0]!.text;
}
