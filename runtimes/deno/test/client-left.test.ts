// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// A client that leaves before any response was sent (curl --max-time on a slow route). Node and
// Bun record it without `http.response.status_code`, as `connection_closed` (README, "Deno, Bun,
// Node"). Deno.serve gives no warning-free way to tell (Deno 2.9): `info.completed` resolves for
// it as for a delivered response, and `request.signal` prints a warning once a request whose
// signal was read succeeds, and read when the handler settles it is not aborted yet (Deno aborts
// it a macrotask later). So the adapter never reads it, and such a request keeps the status its
// handler returned; under waitForBody, Deno cancels a streamed body, and the request is a 200
// whose body was cut (`connection_closed`, ERROR). These tests pin that, as the README states it;
// the last one is the control showing the warning the others check for would be seen.
import assert from 'node:assert/strict';

declare const Deno: any;

async function run(mode: string): Promise<{ result: { span: unknown[]; point: unknown[] }; printed: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/client-left-server.ts', import.meta.url).pathname, mode],
    env: { NO_COLOR: '1' },
    stdout: 'piped',
    stderr: 'piped',
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stdout + stderr);
  return { result: JSON.parse(stdout.trim().split('\n').at(-1)!), printed: stdout + stderr };
}

const WARNING = /request\.signal aborts on successful responses/;

Deno.test({
  name: 'deno: serve(), a client that left before the answer keeps the status its handler returned (no warning-free way to tell on Deno), and request.signal is not read',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { result, printed } = await run('plain');
    assert.deepEqual(result, { span: [200, null, null, 0], point: [200, null] });
    assert.equal(WARNING.test(printed), false, printed);
  },
});

Deno.test({
  name: 'deno: serve() with waitForBody, a client that left before a streamed answer is a 200 whose body was cut: connection_closed and ERROR, on the span as on the duration',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { result, printed } = await run('wait-for-body');
    assert.deepEqual(result, { span: [200, 'connection_closed', true, 2], point: [200, 'connection_closed'] });
    assert.equal(WARNING.test(printed), false, printed);
  },
});

Deno.test({
  name: "deno: control: a handler that reads request.signal itself gets Deno's warning (what the tests above check is absent)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { printed } = await run('app-reads-signal');
    assert.equal(WARNING.test(printed), true, printed);
  },
});
