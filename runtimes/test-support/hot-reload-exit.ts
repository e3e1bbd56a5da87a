/**
 * Two copies of the flush-on-exit module in one process, as a hot reload leaves them (`bun --hot`,
 * `deno run --watch-hmr`, a dev server re-importing the app): the child registers a target that
 * drains at once with the first copy and one that takes 300 ms with the second. SIGTERM must
 * drain both before the process exits by the signal, through one listener.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

export async function hotReloadExitScenario(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/READY/.test(stdout)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      void exited.then(() => {
        clearInterval(timer);
        reject(new Error(`child exited before it was ready: ${stdout} ${stderr}`));
      });
    });
    assert.match(stdout, /LISTENERS 1\b/, `one signal listener for both copies (stdout: ${stdout})`);
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.match(stdout, /FIRST DRAINED/, `the first copy's target drained (stdout: ${stdout}, stderr: ${stderr})`);
    assert.match(stdout, /SECOND DRAINED/, `the second copy's slower target drained before the exit (stdout: ${stdout}, stderr: ${stderr})`);
    assert.ok(signal === 'SIGTERM' || code === 143, `exit by SIGTERM, got code ${code} signal ${signal}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
