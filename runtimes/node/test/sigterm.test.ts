import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { test } from 'vitest';
import { sigtermScenario } from '../../test-support/sigterm.js';

test('node: serve() flushes pending telemetry on SIGTERM, then exits by the signal', async () => {
  const outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'server.mjs');
  await build({ entryPoints: [join(import.meta.dirname, 'fixtures/sigterm-server.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
  await sigtermScenario(process.execPath, [outfile]);
}, 30_000);
