import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, test } from 'vitest';
import { boundScenario, otherSignalSoonScenario, sameSignalTwiceScenario, secondSignalScenario } from '../../test-support/second-signal.js';

let outfile: string;
beforeAll(async () => {
  outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'second-signal-server.mjs');
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', entryPoints: [join(import.meta.dirname, 'fixtures/second-signal-server.ts')], outfile });
}, 30_000);

test('node: a second SIGINT during the exit flush exits at once by the signal, without waiting for the held flush', async () => {
  await secondSignalScenario(process.execPath, [outfile]);
}, 30_000);

test('node: one Ctrl-C delivered twice (npm run forwards it) does not cut the flush short: it ends, then the process exits by the signal', async () => {
  await sameSignalTwiceScenario(process.execPath, [outfile]);
}, 30_000);

test('node: SIGINT right after the SIGTERM that started the flush is not that signal twice: it exits at once by SIGINT', async () => {
  await otherSignalSoonScenario(process.execPath, [outfile]);
}, 30_000);

test("node: a flush still held when flushOnExit's timeoutMs ends exits by the signal and says what was lost", async () => {
  await boundScenario(process.execPath, [outfile]);
}, 30_000);
