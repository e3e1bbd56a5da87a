// instrument() under restricted env permissions: it never asks for one (in a terminal, Deno's
// prompt would stop the app), never throws, and reads the variables it was granted. A prompt
// needs a TTY; here `--no-prompt` turns any ungranted access into a NotCapable error, and the
// fixture records each access made without a grant.
import assert from 'node:assert/strict';

declare const Deno: any;

async function run(
  flags: string[],
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<{ serviceName?: string; spans?: number; threw?: string; ungranted: string[]; seen?: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ['run', '--no-prompt', '--no-lock', '--sloppy-imports', '--allow-read', ...flags, new URL('./fixtures/env-permissions.ts', import.meta.url).pathname, ...args],
    env: { OTEL_SERVICE_NAME: 'checkout', NO_COLOR: '1', ...env },
    stdout: 'piped',
    stderr: 'piped',
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

Deno.test('deno: without --allow-env, instrument() requests no env permission and works', async () => {
  const r = await run([]);
  assert.equal(r.threw, undefined);
  assert.deepEqual(r.ungranted, []);
  assert.equal(r.spans, 1);
  assert.equal(r.serviceName, 'unknown_service');
});

Deno.test('deno: with --allow-env=PORT only, instrument() requests no other env permission', async () => {
  const r = await run(['--allow-env=PORT'], { PORT: '8000' });
  assert.deepEqual(r.ungranted, []);
  assert.equal(r.spans, 1);
});

Deno.test('deno: with --allow-env=OTEL_SERVICE_NAME, the granted variable is read', async () => {
  const r = await run(['--allow-env=OTEL_SERVICE_NAME']);
  assert.deepEqual(r.ungranted, []);
  assert.equal(r.serviceName, 'checkout');
});

Deno.test('deno: with --allow-env, the environment is read as before', async () => {
  const r = await run(['--allow-env']);
  assert.deepEqual(r.ungranted, []);
  assert.equal(r.serviceName, 'checkout');
});

Deno.test('deno: granted one by one, every OTEL_* variable the library reads is read (per-signal exporter, protocol, compression and timeout ones too)', async () => {
  const granted = {
    OTEL_SERVICE_NAME: 'checkout',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip',
    OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2000',
    OTEL_PROPAGATORS: 'tracecontext',
    OTEL_BLRP_SCHEDULE_DELAY: '1000',
    OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '8',
    OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '8',
    OTEL_METRICS_EXEMPLAR_FILTER: 'always_off',
  };
  const r = await run([`--allow-env=${Object.keys(granted).join(',')}`], granted, ['--seen']);
  assert.deepEqual(r.ungranted, []);
  assert.deepEqual(r.seen, Object.keys(granted).sort());
});
