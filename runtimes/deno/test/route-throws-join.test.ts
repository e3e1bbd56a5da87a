// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// A `route` option that throws is reported once (a config diagnostic) by every adapter, and the
// request is served: joined to Deno's SERVER span (OTEL_DENO=true) it was dropped silently, every
// request left unnamed with nobody told why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startReceiver } from '../../test-support/receiver.ts';
import { readyPort } from '../../test-support/sigterm.ts';

declare const Deno: any;

Deno.test("deno: joined to Deno's SERVER span, a route option that throws is reported once and the request served", async () => {
  const r = await startReceiver();
  const child = spawn(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/route-throws-join.ts', import.meta.url).pathname], {
    env: { ...Deno.env.toObject(), OTEL_DENO: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_DENO_CONSOLE: 'ignore' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (b: unknown) => void (out += String(b)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await readyPort(child);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/users/7`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
    }
    child.kill('SIGTERM');
    await exited;
    const lines = out.split('\n');
    const diags = lines.filter((l) => l.startsWith('DIAG') && l.includes('route threw'));
    assert.equal(diags.length, 1, lines.join('\n'));
    assert.match(diags[0]!, /^DIAG config route threw \(no route table yet\)/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
});
