import { checkFlushOnExit, FLUSH_ON_EXIT_KEYS, isShutDown, type Drainable } from '../../../src/adapter/process-server.js';
import type { Monitor } from '../../../src/monitor.js';
import { timerMs } from '../../../src/time.js';
import { denoGlobal, type DenoGlobal, type DenoSignal } from './deno-types.js';

export interface DenoFlushOnExitOptions {
  /** Signals to handle. Default SIGTERM and SIGINT. */
  signals?: DenoSignal[];
  /** Bound on the whole flush, `beforeFlush` included. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Runs first, for example to stop the server (`serve()` calls `server.shutdown()`); waited for
   * at most half of `timeoutMs`, so connections that stay open (a stream) cannot hold the flush.
   */
  beforeFlush?: () => unknown;
  /**
   * Exit with 128 + the signal number once flushed. Default: only when the app has no listener
   * of its own for that signal (added with `Deno.addSignalListener` after `flushOnExit` was first
   * called); with one, the app's handler decides when and how the process exits. `true` always
   * exits, `false` never does (set it when the app added its listener before `flushOnExit`).
   */
  exit?: boolean;
}

interface Target {
  drain: (timeoutMs: number) => Promise<void>;
  /** Exports what waits without shutting down: the app's own shutdown comes later (absent on older copies). */
  flush?: (timeoutMs: number) => Promise<unknown>;
  before?: () => unknown;
  /** Its monitor was shut down (absent on targets of an older copy of this module). */
  gone?: () => boolean;
}

interface ExitState {
  readonly targets: Set<Target>;
  readonly listeners: Map<DenoSignal, () => void>;
  timeout: number;
  exiting: boolean;
  /** When the signal that started the flush arrived (see SAME_SIGNAL_MS). */
  signalledAt?: number;
  /** The signal that started it: only the same one, soon after, is that signal delivered twice. */
  firstSignal?: DenoSignal;
  exitOption: boolean | undefined;
  /** The app's own listeners per signal (see trackAppListeners). */
  readonly appListeners: Map<DenoSignal, Set<unknown>>;
  tracking: boolean;
}

/**
 * One state per process, shared by every copy of this module: a hot reload (`deno run
 * --watch-hmr`) evaluates it again, and a copy with its own listener exited as soon as its own
 * targets had drained, cutting the newer copy's flush short.
 */
const STATE = Symbol.for('@lexigram/monitor/deno-flush-on-exit/state/v1');
const state: ExitState = ((globalThis as { [STATE]?: ExitState })[STATE] ??= {
  targets: new Set(),
  listeners: new Map(),
  timeout: 10_000,
  exiting: false,
  exitOption: undefined,
  appListeners: new Map(),
  tracking: false,
});
const EXIT_CODES: Record<DenoSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const SIGNALS = Object.keys(EXIT_CODES) as DenoSignal[];

/** Marks the listeners of this module (any copy of it in the process): none is the app's. */
const OURS = Symbol.for('@lexigram/monitor/flush-on-exit');
type Listener = (() => void) & { [OURS]?: true };

/**
 * The app's own signal listeners. Deno cannot list them, so `Deno.addSignalListener` and
 * `removeSignalListener` are wrapped (once, when `flushOnExit` is first called) to note them;
 * the wrappers call Deno's functions unchanged.
 */
function trackAppListeners(deno: DenoGlobal): void {
  if (state.tracking) return;
  state.tracking = true;
  const appListeners = state.appListeners;
  const add = deno.addSignalListener;
  const remove = deno.removeSignalListener;
  try {
    deno.addSignalListener = function addSignalListener(this: unknown, signal: DenoSignal, handler: Listener): void {
      add.call(this, signal, handler);
      if (typeof handler === 'function' && !handler[OURS]) {
        let set = appListeners.get(signal);
        if (!set) appListeners.set(signal, (set = new Set()));
        set.add(handler);
      }
    };
    deno.removeSignalListener = function removeSignalListener(this: unknown, signal: DenoSignal, handler: Listener): void {
      remove.call(this, signal, handler);
      appListeners.get(signal)?.delete(handler);
    };
  } catch {
    // a read-only Deno namespace: app listeners stay unknown, and the flush exits as before
  }
}

/**
 * A signal this soon after the one that started the flush is that one delivered again: a Ctrl-C
 * reaches the whole process group, and a task runner (`deno task`, `npm run`) may forward it too.
 */
const SAME_SIGNAL_MS = 500;

/** `work`, or the end of `ms`, whichever comes first (false). */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = await Promise.race([work.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(r, timerMs(Math.max(0, ms)), false)))]);
  clearTimeout(timer);
  return done;
}

/** What the exit flush had not exported is lost: said, not silent. */
function cutShort(why: string): void {
  console.warn(`[lexigram/monitor] exit flush cut short ${why}; telemetry not exported by then is lost`);
}

async function onSignal(signal: DenoSignal): Promise<void> {
  // Decided when the signal arrives, before the app's listener may remove itself.
  const exit = state.exitOption ?? !state.appListeners.get(signal)?.size;
  if (state.exiting) {
    // A second signal during the flush (a second Ctrl-C) is someone who will not wait: exit now,
    // with the code the first one would have exited with after the flush. One that comes at once
    // is the same Ctrl-C.
    if (exit && (signal !== state.firstSignal || Date.now() - (state.signalledAt ?? 0) >= SAME_SIGNAL_MS)) {
      cutShort(`by a second signal (${signal})`);
      denoGlobal().exit(EXIT_CODES[signal]);
    }
    return;
  }
  state.exiting = true;
  state.signalledAt = Date.now();
  state.firstSignal = signal;
  const list = [...state.targets];
  const timeout = state.timeout;
  const deadline = Date.now() + timeout;
  // `beforeFlush` (serve() shutting its server down) resolves once open connections end, which a
  // streaming response (SSE) may never do: it gets half the budget, the flush the rest.
  // A target whose monitor the app shut down has left: its server is not closed for it. Its
  // drain only waits for that shutdown to end (a monitor shuts down once).
  await within(timeout / 2, Promise.allSettled(list.map(async (t) => t.gone?.() || t.before?.())));
  const left = deadline - Date.now();
  // The app handles the signal and winds down itself (finishes a batch, logs, flushes, shuts
  // down): its targets are flushed, not shut down. Shut down here, the monitor dropped the app's
  // wind-down telemetry (after_shutdown) and its own flush() found nothing.
  const end = (t: Target): Promise<unknown> => (!exit && t.flush ? t.flush(left) : t.drain(left));
  if (!(await within(left, Promise.allSettled(list.map(end))))) cutShort(`after ${timeout} ms (flushOnExit timeoutMs)`);
  const deno = denoGlobal();
  for (const [s, l] of state.listeners) deno.removeSignalListener(s, l);
  state.listeners.clear();
  // Done: a later flushOnExit (an app that handled this signal itself, then reloaded or
  // registered again) installs listeners that must act on the next signal.
  state.exiting = false;
  // The app listens for the signal itself: its handler finishes the shutdown and exits.
  if (!exit) return;
  // The exit status a shell reports for a process killed by this signal (128 + number).
  deno.exit(EXIT_CODES[signal]);
}

/**
 * Flushes `target` (a monitor, or an instrumented handler with its pending exports) on
 * SIGTERM/SIGINT, then exits with 128 + the signal number, as the signal would have; a second
 * signal during the flush (a second Ctrl-C, 500 ms or more after the first) exits at once, with
 * its own code; one sooner is the same Ctrl-C delivered twice (a task runner forwards it). When the
 * app has a listener of its own for that signal (`Deno.addSignalListener`, added after the first
 * `flushOnExit` call), it does not exit and the target is flushed, not shut down: the app's
 * handler finishes its shutdown (ending with `monitor.shutdown()`, so what it records while winding
 * down still leaves) and decides the exit code, as without this library (see the `exit` option).
 * Installed once per process; returns a function that unregisters the target; a target whose
 * monitor was shut down (`monitor.shutdown()`) leaves by itself.
 *
 * @example
 * ```ts
 * const handler = instrument(app.fetch, { serviceName: 'api' });
 * Deno.serve(handler);
 * flushOnExit(handler);
 * ```
 */
export function flushOnExit(target: Pick<Monitor, 'shutdown'> | Drainable, options: DenoFlushOnExitOptions = {}): () => void {
  checkFlushOnExit(target, options, SIGNALS, { ...FLUSH_ON_EXIT_KEYS, exit: 0 });
  if (options.exit !== undefined && typeof options.exit !== 'boolean') throw new TypeError(`flushOnExit: \`exit\` must be true, false or left out, got ${String(options.exit)}.`);
  if (options.timeoutMs !== undefined) state.timeout = options.timeoutMs;
  if (options.exit !== undefined) state.exitOption = options.exit;
  const flush = (target as { flush?: (ms?: number) => Promise<unknown> }).flush;
  const t: Target = {
    drain: (ms) => target.shutdown(ms),
    // A target with no flush() (a custom one) is shut down, as before.
    flush: typeof flush === 'function' ? (ms) => flush.call(target, ms) : undefined,
    before: options.beforeFlush,
    gone: () => isShutDown(target),
  };
  // Targets whose monitor the app shut down (`monitor.shutdown()` alone) leave: a process that
  // creates and shuts down monitors in turn kept each one, and its server, for a signal.
  for (const o of state.targets) if (o.gone?.()) state.targets.delete(o);
  state.targets.add(t);
  const deno = denoGlobal();
  trackAppListeners(deno);
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    if (state.listeners.has(signal)) continue;
    const l: Listener = Object.assign((): void => void onSignal(signal), { [OURS]: true as const });
    state.listeners.set(signal, l);
    deno.addSignalListener(signal, l);
  }
  return () => {
    state.targets.delete(t);
  };
}
