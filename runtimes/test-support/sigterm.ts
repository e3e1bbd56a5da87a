/**
 * Flush on SIGTERM: a child server process (configured only through OTEL_* variables) answers
 * one request, then ends a span after its scope closed, which waits in memory for the next
 * flush. SIGTERM must export it before the process exits by that signal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spansOf, startReceiver, waitFor, type Decoder } from './receiver.js';

export async function sigtermScenario(command: string, args: string[], decode?: Decoder): Promise<void> {
  await runSigterm(command, args, decode, ({ code, signal }) => {
    assert.ok(signal === 'SIGTERM' || code === 143, `exit by SIGTERM, got code ${code} signal ${signal}`);
  });
}

/**
 * The same child, started with `--app-listener`: the app listens for SIGTERM itself (a `once`
 * listener on Node and Bun, `Deno.addSignalListener` on Deno) and finishes its own shutdown
 * 500 ms later with exit code 0. The flush must still happen, and the app's shutdown must not
 * be cut short nor its exit code changed.
 */
export async function sigtermAppListenerScenario(command: string, args: string[], decode?: Decoder): Promise<void> {
  await runSigterm(command, [...args, '--app-listener'], decode, ({ code, signal }, stdout) => {
    assert.match(stdout, /APP CLEANUP DONE/, `the app's own shutdown ran to its end (stdout: ${stdout})`);
    // Deno's node:child_process reports a child it sent a signal to as killed by it, whatever
    // its exit code: there the line above (printed just before exit(0)) is the proof.
    if ('Deno' in globalThis) return;
    assert.equal(signal, null, `not killed by ${signal}`);
    assert.equal(code, 0, `the app's exit code`);
  });
}

/**
 * The same child, started with `--stream` (flush bound 2000 ms): a client holds a response that
 * never ends (SSE) when SIGTERM arrives. Closing the server waits for that connection, so the
 * flush must not wait for it past half its bound: the late span is still exported, and the
 * process exits by the signal, not on a SIGKILL at the end of the grace period.
 */
export async function sigtermStreamingScenario(command: string, args: string[], decode?: Decoder): Promise<void> {
  let stream: AbortController | undefined;
  let signalledAt = 0;
  await runSigterm(
    command,
    [...args, '--stream'],
    decode,
    ({ code, signal }) => {
      stream?.abort();
      assert.ok(signal === 'SIGTERM' || code === 143, `exit by SIGTERM, got code ${code} signal ${signal}`);
      const ms = Date.now() - signalledAt;
      assert.ok(ms < 6000, `exited ${ms} ms after SIGTERM, with a flush bound of 2000 ms`);
    },
    async (port) => {
      stream = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/events`, { signal: stream.signal });
      await res.body!.getReader().read(); // the first event: the response stays open
      signalledAt = Date.now();
    },
  );
}

/**
 * A server with `waitForBody` (fixtures e2e-sigterm-wfb-server.ts) has an SSE response open when
 * SIGTERM arrives: shutdown ends its span as incomplete, so the exit flush runs to its end (no
 * "cut short" warning) and the SSE request's span reaches the collector.
 */
export async function sigtermOpenStreamScenario(command: string, args: string[]): Promise<void> {
  const r = await startReceiver();
  const child = spawn(command, args, {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'wfb-child', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stream = new AbortController();
  try {
    const port = await readyPort(child);
    const res = await fetch(`http://127.0.0.1:${port}/events`, { signal: stream.signal });
    await res.body!.getReader().read(); // the first event: the response stays open
    child.kill('SIGTERM');
    await exited;
    assert.doesNotMatch(stderr, /cut short/, 'the exit flush ran to its end');
    assert.ok(spansOf(r).some((s) => s.attributes['url.path'] === '/events'), 'the SSE request span was exported');
  } finally {
    stream.abort();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}

async function runSigterm(
  command: string,
  args: string[],
  decode: Decoder | undefined,
  check: (exit: { code: number | null; signal: string | null }, stdout: string) => void,
  beforeSignal?: (port: number) => Promise<void>,
): Promise<void> {
  const r = await startReceiver(decode);
  const child = spawn(command, args, {
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'sigterm-child',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const port = await readyPort(child);
    const res = await fetch(`http://127.0.0.1:${port}/hello`);
    assert.equal(await res.text(), 'hello');
    await waitFor(() => spansOf(r).some((s) => s.kind === 2), 10_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.ok(!spansOf(r).some((s) => s.name === 'after-response'), 'the late span waits for a flush');
    await beforeSignal?.(port);
    child.kill('SIGTERM');
    const exit = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the child did not exit within 15 s of SIGTERM')), 15_000))]);
    const late = spansOf(r).find((s) => s.name === 'after-response');
    assert.ok(late, 'the late span was flushed on SIGTERM');
    assert.equal(late.resource['service.name'], 'sigterm-child');
    check(exit, stdout);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}

/** The port a fixture server child prints as `READY <port>` on stdout; rejects if it exits first. */
export function readyPort(child: { stdout: { on(event: 'data', fn: (c: unknown) => void): unknown } | null; once(event: 'exit', fn: () => void): unknown }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += String(c);
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`child exited before it was ready: ${out}`)));
  });
}
