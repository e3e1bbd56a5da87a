// DN-01: with Deno's OpenTelemetry on and no OTEL_EXPORTER_OTLP_* variable, Deno exports to
// http://localhost:4318. A monitor given no backend follows it, so the spans it makes under
// Deno's SERVER span reach the same collector in the same trace (it printed them to the console
// before, splitting every trace); with OTEL_EXPORTER_OTLP_PROTOCOL=console both print.
import assert from 'node:assert/strict';

declare const Deno: any;
const opts = { sanitizeOps: false, sanitizeResources: false };
const fixture = new URL('./fixtures/otel-deno-default-endpoint.ts', import.meta.url).pathname;

interface Outcome {
  backends: { name: string; traces?: string }[];
  traceId?: string;
  diagnostics: string[];
}

async function runFixture(env: Record<string, string>, permissions = ['-A']): Promise<Outcome> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ['run', '--no-prompt', '--no-lock', '--sloppy-imports', ...permissions, fixture],
    env: { OTEL_DENO_CONSOLE: 'ignore', NO_COLOR: '1', ...env },
    clearEnv: true,
    stdout: 'piped',
    stderr: 'piped',
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
  const line = stdout.split('\n').find((l: string) => l.startsWith('{"backends"'));
  assert.ok(line, stdout);
  return JSON.parse(line);
}

/** A stand-in collector on Deno's default port, recording raw bodies; undefined if the port is taken. */
function collectorOn4318(): { bodies: { path: string; body: Uint8Array }[]; close(): Promise<void> } | undefined {
  const bodies: { path: string; body: Uint8Array }[] = [];
  try {
    const server = Deno.serve({ hostname: '127.0.0.1', port: 4318, onListen: () => {} }, async (req: Request) => {
      bodies.push({ path: new URL(req.url).pathname, body: new Uint8Array(await req.arrayBuffer()) });
      return new Response(null, { status: 200, headers: { 'content-type': 'application/x-protobuf' } });
    });
    return { bodies, close: () => server.shutdown() };
  } catch (err) {
    console.warn(`port 4318 is taken (${(err as Error).message}): only the backend's destination is checked`);
    return undefined;
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

Deno.test("DN-01: OTEL_DENO=true and no OTLP variable: the monitor exports where Deno does (localhost:4318), its span in Deno's trace", opts, async () => {
  const collector = collectorOn4318();
  try {
    const r = await runFixture({ OTEL_DENO: 'true', OTEL_BSP_SCHEDULE_DELAY: '50' });
    assert.deepEqual(r.backends, [{ name: 'otlp', traces: 'http://localhost:4318/v1/traces' }]);
    assert.deepEqual(r.diagnostics, []);
    if (!collector) return;
    // Deno exports its SERVER span on exit at the latest; both are protobuf bodies.
    const traceBytes = new Uint8Array(r.traceId!.match(/../g)!.map((h) => parseInt(h, 16)));
    const traces = collector.bodies.filter((b) => b.path === '/v1/traces' && contains(b.body, traceBytes));
    const work = new TextEncoder().encode('work');
    assert.ok(traces.some((b) => contains(b.body, work)), "the monitor's span arrived, in Deno's trace");
    assert.ok(traces.some((b) => !contains(b.body, work)), "Deno's own SERVER span arrived at the same collector");
  } finally {
    await collector?.close();
  }
});

Deno.test('DN-01: OTEL_EXPORTER_OTLP_PROTOCOL=console under OTEL_DENO=true: Deno prints, and so does the monitor', opts, async () => {
  const r = await runFixture({ OTEL_DENO: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: 'console' });
  assert.deepEqual(r.backends.map((b) => b.name), ['console']);
});

Deno.test('without OTEL_DENO the default stays the console backend', opts, async () => {
  const r = await runFixture({});
  assert.deepEqual(r.backends.map((b) => b.name), ['console']);
  assert.deepEqual(r.diagnostics, []);
});

Deno.test("OTEL_DENO=true but Deno's OTLP destination not readable: the console backend, and a diagnostic that says what to grant", opts, async () => {
  // Nothing granted, then the endpoint alone: a protocol set for Deno (console) could not be seen.
  for (const grant of ['--allow-env=OTEL_DENO', '--allow-env=OTEL_DENO,OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const r = await runFixture({ OTEL_DENO: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: 'console' }, [grant, '--allow-net', '--allow-read']);
    assert.deepEqual(r.backends.map((b) => b.name), ['console'], grant);
    assert.equal(r.diagnostics.filter((m) => m.includes('grant --allow-env=OTEL_EXPORTER_OTLP_ENDPOINT,')).length, 1, JSON.stringify(r.diagnostics));
  }
});
