/// <reference types="node" />
/**
 * Flushes pending telemetry when the process is asked to stop (SIGTERM, SIGINT), then lets the
 * signal do what it would have done. Installed once per process; every monitor or handler
 * registered is drained. Used by the Node and Bun adapters (Bun implements `process` signals).
 */
import { checkFlushOnExit, isShutDown, type Drainable } from '../../../src/adapter/process-server.js';
import type { Monitor } from '../../../src/monitor.js';
import { timerMs } from '../../../src/time.js';

export type ExitSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

export interface FlushOnExitOptions {
  /** Signals to handle. Default SIGTERM and SIGINT. */
  signals?: ExitSignal[];
  /** Bound on the whole flush, `beforeFlush` included. Default 10 000 ms (Kubernetes allows 30 s by default). */
  timeoutMs?: number;
  /**
   * Runs first, for example to stop accepting connections (`serve()` closes its server); waited
   * for at most half of `timeoutMs`, so connections that stay open (a stream) cannot hold the exit.
   * Requests an instrumented listener or handler is still answering are waited for within the same bound.
   */
  beforeFlush?: () => unknown;
}

interface Target {
  drain: (timeoutMs: number) => Promise<void>;
  /** Exports what waits without shutting down: the app's own shutdown comes later (absent on older copies). */
  flush?: (timeoutMs: number) => Promise<unknown>;
  before?: () => unknown;
  /** Its monitor was shut down (absent on targets of an older copy of this module). */
  gone?: () => boolean;
  /** Resolves once the requests the target is answering have been (instrumentListener, toNodeListener). */
  answered?: () => Promise<void> | undefined;
}

interface ExitState {
  readonly targets: Set<Target>;
  readonly listeners: Map<ExitSignal, () => void>;
  timeout: number;
  exiting: Promise<void> | undefined;
  /** When the signal that started the flush arrived (see SAME_SIGNAL_MS). */
  signalledAt?: number;
  /** The signal that started it: only the same one, soon after, is that signal delivered twice. */
  firstSignal?: ExitSignal;
}

/**
 * One state per process, shared by every copy of this module: a hot reload (`bun --hot`, a dev
 * server re-importing the app) evaluates it again, and copies with their own listeners each
 * re-raised the signal as soon as their own targets had drained, cutting the others' flush short
 * (and added a listener per reload).
 */
const STATE = Symbol.for('@lexigram/monitor/flush-on-exit/state/v1');
const state: ExitState = ((globalThis as { [STATE]?: ExitState })[STATE] ??= {
  targets: new Set(),
  listeners: new Map(),
  timeout: 10_000,
  exiting: undefined,
});

/**
 * `work`, or the end of `ms`, whichever comes first (false); the timer never keeps the process alive.
 * Clamped: a longer delay than a timer holds fires at once (Node: after 1 ms), cutting the flush short.
 */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = await Promise.race([work.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(r, timerMs(Math.max(0, ms)), false)).unref?.())]);
  clearTimeout(timer);
  return done;
}

/**
 * `appHandles`: the app listens for the signal itself and winds down on its own (finishes a
 * batch, logs, flushes, shuts down): the targets are flushed, not shut down. Shut down here, the
 * monitor dropped the app's wind-down telemetry (after_shutdown) and its own flush() found nothing.
 */
async function drainAll(appHandles: boolean): Promise<void> {
  const list = [...state.targets];
  const timeout = state.timeout;
  const deadline = Date.now() + timeout;
  // `beforeFlush` (serve() closing its server) resolves once open connections end, which a
  // streaming response (SSE) may never do: it gets half the budget, the flush the rest.
  // A target whose monitor the app shut down has left: its server is not closed for it. Its
  // drain only waits for that shutdown to end (a monitor shuts down once).
  // Requests still being answered by a target on a server the app runs itself (instrumentListener,
  // toNodeListener) are waited for as a server's close is: shut down at once, the monitor dropped
  // the span of a request that finished during the app's own graceful close.
  // Each apart: a beforeFlush that fails must not end the wait for the requests.
  const run = async (f: (() => unknown) | undefined): Promise<unknown> => f?.();
  await within(timeout / 2, Promise.allSettled(list.flatMap((t) => (t.gone?.() ? [] : [run(t.before), run(t.answered)]))));
  const left = deadline - Date.now();
  const end = (t: Target): Promise<unknown> => (appHandles && t.flush ? t.flush(left) : t.drain(left));
  if (!(await within(left, Promise.allSettled(list.map(end))))) cutShort(`after ${timeout} ms (flushOnExit timeoutMs)`);
}

/**
 * A signal this soon after the one that started the flush is that one delivered again: a Ctrl-C
 * reaches the whole process group, and `npm run` (or a similar runner) forwards it to its child.
 */
const SAME_SIGNAL_MS = 500;

/** Marks the listeners of this module (any copy of it in the process), so none counts as the app's. */
const OURS = Symbol.for('@lexigram/monitor/flush-on-exit');

/** Listeners for `signal` that are not ours: the app's own (`once` ones included). */
function appListenerCount(signal: ExitSignal): number {
  return process.listeners(signal).filter((l) => !(l as { [OURS]?: true })[OURS]).length;
}

function onSignal(signal: ExitSignal): void {
  // Decided when the signal arrives: a `process.once` listener of the app removes itself as it
  // runs, so counting after the drain would miss it and cut its shutdown short.
  const appHandles = appListenerCount(signal) > 0;
  // A second signal during the flush (a second Ctrl-C) is someone who will not wait: exit now,
  // the way the first one would have after the flush. One that comes at once is the same Ctrl-C.
  if (state.exiting) {
    if (!appHandles && (signal !== state.firstSignal || Date.now() - (state.signalledAt ?? 0) >= SAME_SIGNAL_MS)) {
      cutShort(`by a second signal (${signal})`);
      reRaise(signal);
    }
    return;
  }
  state.signalledAt = Date.now();
  state.firstSignal = signal;
  state.exiting = drainAll(appHandles).finally(() => {
    // Done: a later flushOnExit (an app that handled this signal itself, then reloaded or
    // registered again) installs listeners that must act on the next signal.
    state.exiting = undefined;
    if (appHandles) removeListeners();
    else reRaise(signal);
  });
}

/** What the exit flush had not exported is lost: said, not silent. */
function cutShort(why: string): void {
  console.warn(`[lexigram/monitor] exit flush cut short ${why}; telemetry not exported by then is lost`);
}

function removeListeners(): void {
  for (const [s, l] of state.listeners) process.off(s, l);
  state.listeners.clear();
}

/**
 * With our listeners gone, Node's default action (exit by that signal) applies. When the app
 * listens for the signal itself (a `once` one may have been added meanwhile), it decides.
 */
function reRaise(signal: ExitSignal): void {
  removeListeners();
  if (appListenerCount(signal) === 0) process.kill(process.pid, signal);
}

const SIGNALS: readonly ExitSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Flushes `target` (a monitor, or an instrumented handler with its pending exports) on
 * SIGTERM/SIGINT, once the requests it is still answering have been (within half of
 * `timeoutMs`), then exits the way the signal would have; a second signal during the flush (a
 * second Ctrl-C, 500 ms or more after the first) exits at once, the way it would have. One sooner
 * is the same Ctrl-C delivered twice (`npm run` forwards it). When the app listens for the signal
 * itself (`process.on` or `process.once`, at the moment the signal arrives), the process is not
 * killed and the target is flushed, not shut down: the app's own shutdown (which ends with
 * `monitor.shutdown()`) decides when and with which code it exits, and what it records while
 * winding down still leaves, as it would without this library. Returns a function that
 * unregisters the target; a target whose monitor was shut down (`monitor.shutdown()`) leaves by itself.
 *
 * @example
 * ```ts
 * const handler = instrument(app.fetch, { serviceName: 'api' });
 * http.createServer(toNodeListener(handler)).listen(3000);
 * flushOnExit(handler);
 * ```
 */
export function flushOnExit(target: Pick<Monitor, 'shutdown'> | Drainable, options: FlushOnExitOptions = {}): () => void {
  checkFlushOnExit(target, options, SIGNALS); // the listed ones only: SIGKILL fails inside Node
  if (options.timeoutMs !== undefined) state.timeout = options.timeoutMs;
  const flush = (target as { flush?: (ms?: number) => Promise<unknown> }).flush;
  const t: Target = {
    drain: (ms) => target.shutdown(ms),
    // A target with no flush() (a custom one) is shut down, as before.
    flush: typeof flush === 'function' ? (ms) => flush.call(target, ms) : undefined,
    before: options.beforeFlush,
    gone: () => isShutDown(target),
    answered: () => (target as { open?: { idle(): Promise<void> } }).open?.idle(),
  };
  // Targets whose monitor the app shut down (`monitor.shutdown()` alone) leave: a process that
  // creates and shuts down monitors in turn kept each one, and its server, for a signal.
  for (const o of state.targets) if (o.gone?.()) state.targets.delete(o);
  state.targets.add(t);
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    if (state.listeners.has(signal)) continue;
    const l = Object.assign((): void => onSignal(signal), { [OURS]: true as const });
    state.listeners.set(signal, l);
    // First in line, so it sees the app's `once` listeners before they remove themselves.
    process.prependListener(signal, l);
  }
  return () => {
    state.targets.delete(t);
  };
}
