/**
 * README ("Deno, Bun, Node"): closing the server gets at most half of `flushOnExit.timeoutMs`,
 * "so a response that never ends (server-sent events) cannot hold the exit". The same should hold
 * with `waitForBody: true`, where that response's span is still open at SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, it } from 'vitest';
import { sigtermStreamingScenario, readyPort } from '../../test-support/sigterm.js';
import { spansOf, startReceiver } from '../../test-support/receiver.js';

let outfile: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-node-'));
  outfile = join(dir, 'server.mjs');
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', entryPoints: [join(import.meta.dirname, 'fixtures/e2e-sigterm-wfb-server.ts')], outfile });
}, 30_000);

it('node: serve({ waitForBody: true }) with an SSE response open at SIGTERM still flushes the buffered telemetry and exits within the bound', async () => {
  await sigtermStreamingScenario(process.execPath, [outfile]);
}, 30_000);

// The open SSE response's span ends at shutdown (http.response.body.incomplete): it used to hold
// the exit flush for the whole timeoutMs, the flush was reported cut short, and the span was lost.
it('node: serve({ waitForBody: true }): an SSE stream open at SIGTERM does not cut the exit flush short, and its span is exported', async () => {
  const r = await startReceiver();
  const child = spawn(process.execPath, [outfile], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'wfb-child' },
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
    stream.abort();
    assert.doesNotMatch(stderr, /cut short/, 'the exit flush ran to its end');
    const sse = spansOf(r).find((s) => s.attributes['url.path'] === '/events');
    assert.ok(sse, 'the SSE request span was exported');
  } finally {
    stream.abort();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}, 30_000);
