/**
 * flushOnExit across module copies, as a hot reload leaves them (`bun --hot`, `deno run
 * --watch-hmr`, a dev server re-importing the app). Each scenario runs a child (see
 * hot-reload-child.ts and hot-reload-second-signal-child.ts), signals it and checks its output
 * and exit; every wait has a deadline, and the child is killed whatever happens.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';

const DEADLINE_MS = 15_000;

interface Child {
  readonly out: () => string;
  /** Resolves once stdout matches `pattern`; rejects if the child exits first or at the deadline. */
  readonly waitFor: (pattern: RegExp) => Promise<void>;
  /** The exit, or a rejection at the deadline. */
  readonly exit: () => Promise<{ code: number | null; signal: string | null }>;
  readonly process: ChildProcess;
  /**
   * Sends `signal` by pid: Deno's node:child_process marks a child it signalled through `kill()`
   * as killed at once (reporting an exit that has not happened) and sends no later signal.
   */
  readonly signal: (signal: 'SIGINT' | 'SIGTERM') => void;
}

function start(command: string, args: string[]): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const describe = () => `stdout: ${stdout} stderr: ${stderr}`;
  const deadline = <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms (${describe()})`)), DEADLINE_MS)))]).finally(() => clearTimeout(timer));
  };
  return {
    out: () => stdout,
    process: child,
    signal: (signal) => process.kill(child.pid!, signal),
    waitFor: (pattern) =>
      deadline(
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (pattern.test(stdout)) resolve();
            else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`child exited before ${pattern} (${describe()})`));
            else setTimeout(check, 20);
          };
          check();
        }),
        String(pattern),
      ),
    exit: () => deadline(exited, 'exit'),
  };
}

function stop(child: Child): void {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
}

/**
 * Two copies of the module: a target that drains at once registered with the first, one that
 * takes 300 ms with the second. SIGTERM must drain both before the process exits by the signal,
 * through one listener.
 */
export async function hotReloadExitScenario(command: string, args: string[]): Promise<void> {
  const child = start(command, args);
  try {
    await child.waitFor(/READY/);
    assert.match(child.out(), /LISTENERS 1\b/, `one signal listener for both copies (stdout: ${child.out()})`);
    child.signal('SIGTERM');
    const { code, signal } = await child.exit();
    assert.match(child.out(), /FIRST DRAINED/, `the first copy's target drained (stdout: ${child.out()})`);
    assert.match(child.out(), /SECOND DRAINED/, `the second copy's slower target drained before the exit (stdout: ${child.out()})`);
    assert.ok(signal === 'SIGTERM' || code === 143, `exit by SIGTERM, got code ${code} signal ${signal}`);
  } finally {
    stop(child);
  }
}

/**
 * The app handles the first SIGINT itself (so the process stays up after the flush), then a
 * reload registers again with a new copy of the module: the second SIGINT must drain the new
 * target and end the process by the signal, not be ignored as if the first flush still ran.
 */
export async function signalAfterReloadScenario(command: string, args: string[]): Promise<void> {
  const child = start(command, args);
  try {
    await child.waitFor(/READY 1/);
    child.signal('SIGINT');
    await child.waitFor(/READY 2/);
    assert.match(child.out(), /DRAIN 1/, `the first SIGINT drained (stdout: ${child.out()})`);
    assert.match(child.out(), /APP HANDLED/, `the app's own listener ran (stdout: ${child.out()})`);
    child.signal('SIGINT');
    const { code, signal } = await child.exit();
    assert.match(child.out(), /DRAIN 2/, `the second SIGINT drained the reloaded target (stdout: ${child.out()})`);
    assert.ok(signal === 'SIGINT' || code === 130, `exit by SIGINT, got code ${code} signal ${signal} (stdout: ${child.out()})`);
  } finally {
    stop(child);
  }
}
