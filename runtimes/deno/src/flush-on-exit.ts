import type { Drainable } from '../../../src/adapter/process-server.js';
import type { Monitor } from '../../../src/monitor.js';
import { denoGlobal, type DenoSignal } from './deno-types.js';

export interface DenoFlushOnExitOptions {
  /** Signals to handle. Default SIGTERM and SIGINT. */
  signals?: DenoSignal[];
  /** Bound on the whole flush. Default 10 000 ms. */
  timeoutMs?: number;
  /** Runs first, for example to stop the server (`serve()` calls `server.shutdown()`). */
  beforeFlush?: () => unknown;
}

interface Target {
  drain: (timeoutMs: number) => Promise<void>;
  before?: () => unknown;
}

const targets = new Set<Target>();
const listeners = new Map<DenoSignal, () => void>();
let timeout = 10_000;
let exiting = false;
const EXIT_CODES: Record<DenoSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

async function onSignal(signal: DenoSignal): Promise<void> {
  if (exiting) return;
  exiting = true;
  const list = [...targets];
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    (async () => {
      await Promise.allSettled(list.map(async (t) => t.before?.()));
      await Promise.allSettled(list.map((t) => t.drain(timeout)));
    })(),
    new Promise((r) => (timer = setTimeout(r, timeout))),
  ]);
  clearTimeout(timer);
  const deno = denoGlobal();
  for (const [s, l] of listeners) deno.removeSignalListener(s, l);
  listeners.clear();
  // The exit status a shell reports for a process killed by this signal (128 + number).
  deno.exit(EXIT_CODES[signal]);
}

/**
 * Flushes `target` (a monitor, or an instrumented handler with its pending exports) on
 * SIGTERM/SIGINT, then exits with 128 + the signal number. Installed once per process; returns
 * a function that unregisters the target.
 *
 * @example
 * ```ts
 * const handler = instrument(app.fetch, { serviceName: 'api' });
 * Deno.serve(handler);
 * flushOnExit(handler);
 * ```
 */
export function flushOnExit(target: Pick<Monitor, 'shutdown'> | Drainable, options: DenoFlushOnExitOptions = {}): () => void {
  if (options.timeoutMs !== undefined) timeout = options.timeoutMs;
  const t: Target = { drain: (ms) => target.shutdown(ms), before: options.beforeFlush };
  targets.add(t);
  const deno = denoGlobal();
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    if (listeners.has(signal)) continue;
    const l = (): void => void onSignal(signal);
    listeners.set(signal, l);
    deno.addSignalListener(signal, l);
  }
  return () => {
    targets.delete(t);
  };
}
