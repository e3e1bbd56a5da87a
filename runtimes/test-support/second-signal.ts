/**
 * A second Ctrl-C during the exit flush. The child server (the runtimes'
 * fixtures/second-signal-server.ts) has a backend that holds its export: two minutes, or 1.5 s
 * when started with `--soon`. Order, not time, is asserted; every wait has a generous deadline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const DEADLINE_MS = 20_000;

/**
 * The first SIGINT starts the exit flush, which the backend holds; a second SIGINT sent a second
 * later (a second Ctrl-C) must end the process at once by that signal (130), as most servers do,
 * while the export is still held.
 */
export async function secondSignalScenario(command: string, args: string[]): Promise<void> {
  await run(command, args, async (child) => {
    child.signal('SIGINT');
    await child.printed(/EXPORT HELD/);
    await new Promise((r) => setTimeout(r, 1000)); // a person pressing Ctrl-C again
    child.signal('SIGINT');
    await cutShortBySigint(child);
  });
}

/**
 * One Ctrl-C delivered twice, as under `npm run` (the terminal signals the process group, and npm
 * forwards the signal to its child): the second SIGINT, right after the first, must not cut the
 * flush short. The export (held 1.5 s) ends, then the process exits by the signal.
 */
export async function sameSignalTwiceScenario(command: string, args: string[]): Promise<void> {
  await run(command, [...args, '--soon'], async (child) => {
    child.signal('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    child.signal('SIGINT');
    const { code, signal } = await child.exit();
    assert.match(child.out(), /EXPORT HELD[\s\S]*EXPORT RELEASED/, `the flush ran to its end (${child.describe()})`);
    assert.ok(signal === 'SIGINT' || code === 130, `exit by SIGINT, got code ${code} signal ${signal} (${child.describe()})`);
  });
}

/**
 * Another signal right after the first (SIGTERM from an orchestrator, then a person's Ctrl-C) is
 * not the first delivered twice: it exits at once by its own signal, the export still held.
 */
export async function otherSignalSoonScenario(command: string, args: string[]): Promise<void> {
  await run(command, args, async (child) => {
    child.signal('SIGTERM');
    await child.printed(/EXPORT HELD/);
    child.signal('SIGINT');
    await cutShortBySigint(child);
  });
}

/**
 * A flush still held when `flushOnExit`'s `timeoutMs` (1 s with `--bound`) ends: the process
 * exits by the signal and says that what was not exported is lost.
 */
export async function boundScenario(command: string, args: string[]): Promise<void> {
  await run(command, [...args, '--bound'], async (child) => {
    child.signal('SIGTERM');
    const { code, signal } = await child.exit();
    assert.doesNotMatch(child.out(), /EXPORT RELEASED/, child.describe());
    assert.ok(signal === 'SIGTERM' || code === 143, `exit by SIGTERM, got code ${code} signal ${signal} (${child.describe()})`);
    assert.match(child.err(), /exit flush cut short after 1000 ms \(flushOnExit timeoutMs\); telemetry not exported by then is lost/, child.describe());
  });
}

/** The process ended by the second SIGINT while its export was held, and said what was lost. */
async function cutShortBySigint(child: Child): Promise<void> {
  const { code, signal } = await child.exit();
  assert.doesNotMatch(child.out(), /EXPORT RELEASED/, `the process exited while the flush was still held (${child.describe()})`);
  assert.ok(signal === 'SIGINT' || code === 130, `exit by SIGINT, got code ${code} signal ${signal} (${child.describe()})`);
  // What the flush had not exported is lost: said, not silent.
  assert.match(child.err(), /exit flush cut short by a second signal \(SIGINT\); telemetry not exported by then is lost/, child.describe());
}

interface Child {
  out(): string;
  err(): string;
  describe(): string;
  /** Sends by pid: Deno's node:child_process marks a child it signalled through kill() as killed at once, and sends no later signal. */
  signal(signal: 'SIGINT' | 'SIGTERM'): void;
  printed(pattern: RegExp): Promise<void>;
  exit(): Promise<{ code: number | null; signal: string | null }>;
}

async function run(command: string, args: string[], scenario: (child: Child) => Promise<void>): Promise<void> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c) => (out += String(c)));
  proc.stderr!.on('data', (c) => (err += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
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
          else if (proc.exitCode !== null || proc.signalCode !== null) reject(new Error(`child exited before ${pattern} (${describe()})`));
          else setTimeout(check, 20);
        };
        check();
      }),
      String(pattern),
    );
  try {
    await printed(/READY/);
    await scenario({ out: () => out, err: () => err, describe, signal: (s) => process.kill(proc.pid!, s), printed, exit: () => until(exited, 'exit') });
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}

/**
 * The fixtures' backend: its export is held `ms` (a ref'd timer, as a collector's socket that
 * does not answer keeps the process alive), printing when it starts and ends.
 */
export function heldBackend(ms: number): { name: string; export(): Promise<{ ok: true }>; forceFlush(): Promise<void>; shutdown(): Promise<void> } {
  return {
    name: 'held',
    export: () => {
      console.log('EXPORT HELD');
      return new Promise((resolve) =>
        setTimeout(() => {
          console.log('EXPORT RELEASED');
          resolve({ ok: true });
        }, ms),
      );
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
