// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
/**
 * With OTEL_DENO=true (Deno's SERVER span joined), a Hono middleware registered before
 * monitorMiddleware that throws after next() is answered 500 by onError once the middleware has
 * returned: Deno's span gets ERROR with one exception event, and the web.request hook fires once
 * with the 500 sent and the error; a plain request fires it once, with 200.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spansOf, startReceiver, waitFor } from '../../test-support/receiver.ts';
import { readyPort } from '../../test-support/sigterm.ts';

declare const Deno: any;

Deno.test({ name: 'deno (OTEL_DENO joined) + Hono: a throw after next() before monitorMiddleware: span ERROR with its exception, hooks once each (500 with the error, 200)', sanitizeOps: false, sanitizeResources: false }, async () => {
  const r = await startReceiver();
  const child = spawn(process.execPath, ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/otel-deno-hono-outer-throw.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      OTEL_DENO: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'otel-deno-hono',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_DENO_CONSOLE: 'ignore',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await readyPort(child);
    const base = `http://127.0.0.1:${port}`;
    const statuses: number[] = [];
    for (const p of ['/x/1', '/ok']) {
      const res = await fetch(base + p);
      await res.text();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [500, 200]);
    assert.deepEqual(await (await fetch(base + '/seen')).json(), [
      ['/x/:id', 500, 'after next'],
      ['/ok', 200, null],
    ]);
    await waitFor(() => spansOf(r).filter((s) => s.kind === 2 && s.attributes['http.route']).length >= 2, 10_000);
    child.kill('SIGTERM');
    await exited;
    const raw = r.received.filter((e) => e.signal === 'traces').flatMap((e) => (e.body.resourceSpans ?? []).flatMap((rs: any) => (rs.scopeSpans ?? []).flatMap((ss: any) => ss.spans ?? [])));
    const servers = raw.filter((s: any) => s.kind === 2 && s.name !== 'GET' && !String(s.name).includes('/seen'));
    const view = servers.map((s: any) => ({
      name: s.name,
      status: s.status?.code ?? 0,
      exceptions: (s.events ?? []).filter((e: any) => e.name === 'exception').length,
    }));
    assert.deepEqual(view.sort((a: any, b: any) => a.name.localeCompare(b.name)), [
      { name: 'GET /ok', status: 0, exceptions: 0 },
      { name: 'GET /x/:id', status: 2, exceptions: 1 },
    ]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
});
