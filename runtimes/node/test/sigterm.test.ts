import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, test } from 'vitest';
import { sigtermAppListenerScenario, sigtermScenario } from '../../test-support/sigterm.js';

let outfile: string;
beforeAll(async () => {
  outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'server.mjs');
  await build({ entryPoints: [join(import.meta.dirname, 'fixtures/sigterm-server.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
}, 30_000);

test('node: serve() flushes pending telemetry on SIGTERM, then exits by the signal', async () => {
  await sigtermScenario(process.execPath, [outfile]);
}, 30_000);

test('node: an app with its own process.once(SIGTERM) shutdown keeps it: flushed, then the app exits with its own code', async () => {
  await sigtermAppListenerScenario(process.execPath, [outfile]);
}, 30_000);
