// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
// README ("Deno, Bun, Node"): a response that never ends (SSE) cannot hold the exit flush. With
// `instrumentation: { waitForBody: true }` its span is still open at SIGTERM: shutdown ends it as
// http.response.body.incomplete, so the flush runs to its end and the span reaches the collector
// (it used to hold the flush for the whole timeoutMs and be lost).
import { sigtermOpenStreamScenario } from '../../test-support/sigterm.ts';

declare const Deno: any;

Deno.test({
  name: 'deno: serve() with waitForBody: an SSE stream open at SIGTERM does not cut the exit flush short, and its span is exported',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sigtermOpenStreamScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/e2e-sigterm-wfb-server.ts', import.meta.url).pathname]),
});
