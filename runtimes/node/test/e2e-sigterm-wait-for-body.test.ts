/**
 * README ("Deno, Bun, Node"): closing the server gets at most half of `flushOnExit.timeoutMs`,
 * "so a response that never ends (server-sent events) cannot hold the exit". The same should hold
 * with `waitForBody: true`, where that response's span is still open at SIGTERM.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, it } from 'vitest';
import { sigtermOpenStreamScenario, sigtermStreamingScenario } from '../../test-support/sigterm.js';

let outfile: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-node-'));
  outfile = join(dir, 'server.mjs');
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', entryPoints: [join(import.meta.dirname, 'fixtures/e2e-sigterm-wfb-server.ts')], outfile });
}, 30_000);

it('node: serve({ waitForBody: true }) with an SSE response open at SIGTERM still flushes the buffered telemetry and exits within the bound', async () => {
  await sigtermStreamingScenario(process.execPath, [outfile]);
}, 30_000);

// The open SSE response's span ends at shutdown (http.response.body.incomplete): it used to hold
// the exit flush for the whole timeoutMs, the flush was reported cut short, and the span was lost.
it('node: serve({ waitForBody: true }): an SSE stream open at SIGTERM does not cut the exit flush short, and its span is exported', async () => {
  await sigtermOpenStreamScenario(process.execPath, [outfile]);
}, 30_000);
