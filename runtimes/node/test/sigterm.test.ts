import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, test } from 'vitest';
import { pathToFileURL } from 'node:url';
import { hotReloadExitScenario, signalAfterReloadScenario } from '../../test-support/hot-reload-exit.js';
import { sigtermAppListenerScenario, sigtermScenario, sigtermStreamingScenario } from '../../test-support/sigterm.js';

let outfile: string;
let hotChild: string;
let secondSignalChild: string;
let flushModule: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-node-'));
  outfile = join(dir, 'server.mjs');
  hotChild = join(dir, 'hot-reload-child.mjs');
  secondSignalChild = join(dir, 'hot-reload-second-signal-child.mjs');
  flushModule = join(dir, 'flush-on-exit.mjs');
  const common = { bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' } as const;
  await build({ ...common, entryPoints: [join(import.meta.dirname, 'fixtures/sigterm-server.ts')], outfile });
  await build({ ...common, entryPoints: [join(import.meta.dirname, '../../test-support/hot-reload-child.ts')], outfile: hotChild });
  await build({ ...common, entryPoints: [join(import.meta.dirname, '../../test-support/hot-reload-second-signal-child.ts')], outfile: secondSignalChild });
  await build({ ...common, entryPoints: [join(import.meta.dirname, '../src/flush-on-exit.ts')], outfile: flushModule });
}, 30_000);

test('node: serve() flushes pending telemetry on SIGTERM, then exits by the signal', async () => {
  await sigtermScenario(process.execPath, [outfile]);
}, 30_000);

test('node: a response that never ends (SSE) does not hold the flush: SIGTERM still flushes, then exits within the bound', async () => {
  await sigtermStreamingScenario(process.execPath, [outfile]);
}, 30_000);

test('node: an app with its own process.once(SIGTERM) shutdown keeps it: flushed, then the app exits with its own code', async () => {
  await sigtermAppListenerScenario(process.execPath, [outfile]);
}, 30_000);

test('node: two copies of flushOnExit (a hot reload) share one listener, and SIGTERM drains both before the exit', async () => {
  await hotReloadExitScenario(process.execPath, [hotChild, pathToFileURL(flushModule).href]);
}, 30_000);

test('node: after the app handled a first SIGINT itself, a re-registered flushOnExit (a reload) drains and exits on the next one', async () => {
  await signalAfterReloadScenario(process.execPath, [secondSignalChild, pathToFileURL(flushModule).href]);
}, 30_000);
