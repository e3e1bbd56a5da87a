// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
// README ("Deno, Bun, Node"): a response that never ends (SSE) cannot hold the exit flush. With
// `instrumentation: { waitForBody: true }` its span is still open at SIGTERM: shutdown ends it as
// http.response.body.incomplete, so the flush runs to its end and the span reaches the collector
// (it used to hold the flush for the whole timeoutMs and be lost).
import { test } from 'bun:test';
import { sigtermOpenStreamScenario } from '../../test-support/sigterm.js';

test('bun: serve() with waitForBody: an SSE stream open at SIGTERM does not cut the exit flush short, and its span is exported', async () => {
  await sigtermOpenStreamScenario(process.execPath, ['run', new URL('./fixtures/e2e-sigterm-wfb-server.ts', import.meta.url).pathname]);
}, 30_000);
