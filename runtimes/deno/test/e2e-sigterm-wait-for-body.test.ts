// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// README ("Deno, Bun, Node"): a response that never ends (SSE) cannot hold the exit flush. With
// `instrumentation: { waitForBody: true }` its span is still open at SIGTERM: shutdown ends it as
// http.response.body.incomplete, so the flush runs to its end and the span reaches the collector
// (it used to hold the flush for the whole timeoutMs and be lost).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readyPort } from '../../test-support/sigterm.ts';
import { spansOf, startReceiver } from '../../test-support/receiver.ts';

declare const Deno: any;

Deno.test({
  name: 'deno: serve() with waitForBody: an SSE stream open at SIGTERM does not cut the exit flush short, and its span is exported',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const r = await startReceiver();
    const child = spawn(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/e2e-sigterm-wfb-server.ts', import.meta.url).pathname], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'wfb-child', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: unknown) => (stderr += String(c)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stream = new AbortController();
    try {
      const port = await readyPort(child as any);
      const res = await fetch(`http://127.0.0.1:${port}/events`, { signal: stream.signal });
      await res.body!.getReader().read();
      child.kill('SIGTERM');
      await exited;
      assert.doesNotMatch(stderr, /cut short/, 'the exit flush ran to its end');
      assert.ok(spansOf(r).some((s) => s.attributes['url.path'] === '/events'), 'the SSE request span was exported');
    } finally {
      stream.abort();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await r.close();
    }
  },
});
