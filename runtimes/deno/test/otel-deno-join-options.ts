/**
 * Join mode (OTEL_DENO=true) keeps the promises of the library's own spans: what is set on
 * Deno's SERVER span through the library is redacted (Deno exports that span, not the monitor),
 * `route` and `captureHeaders` land on it, and `trustIncomingTrace: false` is not defeated by
 * Deno's span having been made from the caller's traceparent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { spansOf, startReceiver, waitFor, type FlatSpan, type Receiver } from '../../test-support/receiver.ts';
import { readyPort } from '../../test-support/sigterm.ts';

export const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';

/** Runs the fixture with OTEL_DENO=true, sends one request with a traceparent, returns what arrived and what it printed. */
export async function joinOptionsRun(mode: 'join' | 'untrusted'): Promise<{ spans: FlatSpan[]; raw: string; stdout: string }> {
  const r: Receiver = await startReceiver();
  const child = spawn(process.execPath, ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/otel-deno-join-options.ts', import.meta.url).pathname, mode], {
    env: {
      ...process.env,
      OTEL_DENO: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'deno-own',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_DENO_CONSOLE: 'ignore',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (c: Uint8Array) => (stdout += new TextDecoder().decode(c)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = await readyPort(child);
    const res = await fetch(`http://127.0.0.1:${port}/users/7?token=SECRET_REQ_QS`, {
      headers: { 'x-tenant': 'acme', authorization: 'Bearer SECRET_REQ_AUTH', traceparent: `00-${CALLER_TRACE}-b7ad6b7169203331-01` },
    });
    assert.equal(await res.text(), 'ok');
    const servers = () => spansOf(r).filter((s) => s.kind === 2);
    await waitFor(() => servers().length >= (mode === 'untrusted' ? 2 : 1), 10_000);
    await new Promise((res) => setTimeout(res, 300));
    child.kill('SIGTERM');
    await exited;
    const raw = JSON.stringify(r.received.filter((e) => e.signal === 'traces').map((e) => e.body));
    return { spans: spansOf(r), raw, stdout };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await r.close();
  }
}

/** The secrets the fixture sets through the library; none may reach any exported span. */
export const LIBRARY_SECRETS = ['SECRET_PW_1', 'SECRET_TOKEN_2', 'SECRET_URLPW_3', 'SECRET_QS_4', 'SECRET_KEY_5', 'SECRET_EVENT_6', 'SECRET_ACTIVE_7', 'SECRET_COOKIE_8', 'SECRET_REQ_AUTH'];
