/**
 * flushOnExit(target) for a server the app runs itself (instrumentListener, toNodeListener): a
 * request still being answered when SIGTERM arrives is waited for (within half of timeoutMs, as
 * a beforeFlush) before the monitor shuts down. Shut down at once, its span was dropped
 * (after_shutdown) though the client got its answer: with the app's own graceful handler
 * (`server.close(async () => { await target.shutdown(); process.exit(0) })`, as the README pairs
 * them) and with the signal's own exit alike.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, expect, test } from 'vitest';
import { spansOf, startReceiver, waitFor } from '../../test-support/receiver.js';
import { readyPort } from '../../test-support/sigterm.js';

let outfile: string;
beforeAll(async () => {
  outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'server.mjs');
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', entryPoints: [join(import.meta.dirname, 'fixtures/open-request-server.ts')], outfile });
}, 30_000);

async function slowDuringSigterm(args: string[]): Promise<{ exit: string | number | null; paths: unknown[]; body: string; output: string }> {
  const r = await startReceiver();
  const child = spawn(process.execPath, [outfile, ...args], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'open-request', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (c) => (output += String(c)));
  const exited = new Promise<string | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  try {
    const port = await readyPort(child);
    child.stdout.on('data', (c) => (output += String(c)));
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((res) => res.text());
    await new Promise((res) => setTimeout(res, 150));
    child.kill('SIGTERM');
    const body = await slow;
    const exit = await exited;
    await waitFor(() => spansOf(r).some((s) => s.kind === 2), 2000).catch(() => undefined);
    return { exit, paths: spansOf(r).map((s) => s.attributes['url.path']), body, output };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}

for (const [name, flag] of [
  ['instrumentListener', '--listener'],
  ['toNodeListener(instrument())', '--fetch'],
] as const) {
  test(`${name} + flushOnExit + the app's own SIGTERM handler: the request in flight is exported, the app exits 0`, async () => {
    const { exit, paths, body, output } = await slowDuringSigterm([flag, '--own-handler']);
    expect(body).toBe('done');
    expect(output).toContain('APP EXIT 0');
    expect(output).not.toContain('after_shutdown');
    expect(paths).toContain('/slow');
    expect(exit).toBe(0);
  }, 30_000);

  test(`${name} + flushOnExit alone: the request in flight is answered and exported, then the signal exits`, async () => {
    const { exit, paths, body, output } = await slowDuringSigterm([flag]);
    expect(body).toBe('done');
    expect(output).not.toContain('after_shutdown');
    expect(paths).toContain('/slow');
    expect(exit).toBe('SIGTERM');
  }, 30_000);
}
