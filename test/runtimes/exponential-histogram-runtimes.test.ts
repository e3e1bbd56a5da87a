/**
 * Exponential histograms on every runtime: the same values give the same scale, offsets, counts,
 * minimum, maximum and OTLP protobuf bytes under real Deno, Bun and workerd as under Node (the
 * bucket index reads a double's bits through typed-array views; the logarithm comes from each engine).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { findBinary } from '../prometheus/processes.js';
import { run } from './exponential-histogram-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('./exponential-histogram-main.ts', import.meta.url));
const node = JSON.parse(JSON.stringify([run(20), run(160)]));

function binary(name: string): string {
  return findBinary(name) ?? fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
}

function output(cmd: string, args: string[]): unknown {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('exponential histogram: the same point and bytes on Node, Deno, Bun and workerd', () => {
  it('sanity: Node’s point holds every value (20 buckets a side, so the scale dropped)', () => {
    const [small] = node as [{ point: { count: number; zeroCount: number; scale: number; positive: { bucketCounts: number[] }; negative: { bucketCounts: number[] } } }];
    expect(small.point.count).toBe(25);
    expect(small.point.zeroCount).toBe(2);
    expect(small.point.scale).toBeLessThan(0);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(small.point.positive.bucketCounts) + sum(small.point.negative.bucketCounts)).toBe(23);
  });

  it('Deno', () => {
    expect(output(binary('deno'), ['run', '-A', '--no-lock', '--sloppy-imports', MAIN])).toEqual(node);
  });

  it('Bun', () => {
    expect(output(binary('bun'), [MAIN])).toEqual(node);
  });

  it('workerd (miniflare)', async () => {
    const out = await build({
      stdin: { contents: `import { run } from './test/runtimes/exponential-histogram-run.ts'; export default { fetch: () => Response.json([run(20), run(160)]) };`, resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      write: false,
    });
    const mf = new Miniflare({ modules: true, script: out.outputFiles[0]!.text, compatibilityDate: '2026-04-01' });
    try {
      expect(await (await mf.dispatchFetch('http://x/')).json()).toEqual(node);
    } finally {
      await mf.dispose();
    }
  }, 60_000);
});
