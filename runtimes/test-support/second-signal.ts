/**
 * A second Ctrl-C: a child server (see the runtimes' fixtures/second-signal-server.ts) whose
 * backend holds its export far longer than the test waits. The first SIGINT starts the exit
 * flush, which the backend holds; a second SIGINT must end the process at once by that signal
 * (130), as most servers do, not wait for the flush. Order, not time: the held export never ends
 * before the exit, and the exit comes within a generous deadline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const DEADLINE_MS = 20_000;

export async function secondSignalScenario(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (err += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const describe = (): string => `stdout: ${out} stderr: ${err}`;
  const until = <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms (${describe()})`)), DEADLINE_MS)));
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  };
  const printed = (pattern: RegExp): Promise<void> =>
    until(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) resolve();
          else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`child exited before ${pattern} (${describe()})`));
          else setTimeout(check, 20);
        };
        check();
      }),
      String(pattern),
    );
  try {
    await printed(/READY/);
    // By pid: Deno's node:child_process marks a child it signalled through kill() as killed at
    // once, and sends no later signal.
    process.kill(child.pid!, 'SIGINT');
    await printed(/EXPORT HELD/);
    process.kill(child.pid!, 'SIGINT');
    const { code, signal } = await until(exited, 'exit after the second SIGINT');
    assert.doesNotMatch(out, /EXPORT RELEASED/, `the process exited while the flush was still held (${describe()})`);
    assert.ok(signal === 'SIGINT' || code === 130, `exit by SIGINT, got code ${code} signal ${signal} (${describe()})`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * The fixtures' backend: its export is held for two minutes (a ref'd timer, as a collector's
 * socket that never answers would keep the process alive), printing when it starts and ends.
 */
export function heldBackend(): { name: string; export(): Promise<{ ok: true }>; forceFlush(): Promise<void>; shutdown(): Promise<void> } {
  return {
    name: 'held',
    export: () => {
      console.log('EXPORT HELD');
      return new Promise((resolve) =>
        setTimeout(() => {
          console.log('EXPORT RELEASED');
          resolve({ ok: true });
        }, 120_000),
      );
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
