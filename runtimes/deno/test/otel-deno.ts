/**
 * DN-01…DN-06: with OTEL_DENO=true the adapter joins Deno's telemetry. A child `deno run` with
 * Deno's exporter and ours pointed at the same local receiver must deliver exactly one SERVER
 * span per request (Deno's), named by the Hono route, with our spans as its children.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spansOf, startReceiver, waitFor } from '../../test-support/receiver.ts';
import { readyPort } from '../../test-support/sigterm.ts';

export async function otelDenoScenario(): Promise<void> {
  const r = await startReceiver();
  const child = spawn(process.execPath, ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/otel-deno-server.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      OTEL_DENO: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'otel-deno',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_DENO_CONSOLE: 'ignore',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await readyPort(child);
    const res = await fetch(`http://127.0.0.1:${port}/users/7`);
    assert.deepEqual(await res.json(), { id: '7' });
    await waitFor(() => spansOf(r).some((s) => s.kind === 2) && spansOf(r).some((s) => s.name === 'db'), 10_000);
    await new Promise((res) => setTimeout(res, 300));
    child.kill('SIGTERM');
    await exited;
    const spans = spansOf(r);
    const servers = spans.filter((s) => s.kind === 2);
    assert.equal(servers.length, 1, `one SERVER span, got ${JSON.stringify(servers.map((s) => s.name))}`);
    const server = servers[0]!;
    const db = spans.find((s) => s.name === 'db')!;
    assert.equal(db.parentSpanId, server.spanId);
    assert.equal(db.traceId, server.traceId);
    assert.equal(server.attributes['http.route'], '/users/:id');
    assert.equal(server.name, 'GET /users/:id');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}
