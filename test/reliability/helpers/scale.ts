/**
 * Sizes of the reliability runs. `RELIABILITY_SCALE=full` (what `npm run test:reliability` sets)
 * gives the figures in RELIABILITY.md; anything else (CI, plain `vitest run`) a shortened run.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FULL = process.env.RELIABILITY_SCALE === 'full';

export const SCALE = {
  loadRequests: FULL ? 10_000 : 1_000,
  loadConcurrency: FULL ? 200 : 50,
  soakUpdates: FULL ? 1_000_000 : 100_000,
  soakLabelSets: FULL ? 100_000 : 10_000,
  fuzzRuns: FULL ? 1_000 : 150,
  promtoolCases: FULL ? 1_000 : 200,
  backpressureRequests: FULL ? 5_000 : 1_000,
} as const;

/**
 * The fast-check seed: fixed in the shortened run so CI is reproducible (a failure there can be
 * replayed exactly); random in the full run, which explores. `FC_SEED` overrides both.
 */
export const FUZZ_SEED: number | undefined = process.env.FC_SEED ? Number(process.env.FC_SEED) : FULL ? undefined : 20261125;

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RESULTS = resolve(REPO, '.tmp/reliability/results.jsonl');

/** Appends one figure to .tmp/reliability/results.jsonl (the source of RELIABILITY.md's tables). */
export function record(section: string, name: string, data: Record<string, unknown>): void {
  try {
    mkdirSync(dirname(RESULTS), { recursive: true });
    appendFileSync(RESULTS, JSON.stringify({ at: new Date().toISOString(), scale: FULL ? 'full' : 'ci', section, name, ...data }) + '\n');
  } catch {
    // figures are a by-product; never fail a test on them
  }
}

/** Collects unhandled rejections for the duration of a test file. */
export function watchUnhandled(): { readonly list: unknown[]; stop(): void } {
  const list: unknown[] = [];
  const on = (r: unknown): void => void list.push(r);
  process.on('unhandledRejection', on);
  return { list, stop: () => void process.off('unhandledRejection', on) };
}

/** `global.gc` even without --expose-gc (v8 flag set at runtime, gc taken from a fresh context). */
export async function gcFn(): Promise<() => void> {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Heap used after full collections, in bytes. */
export async function settledHeap(): Promise<number> {
  const gc = await gcFn();
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
