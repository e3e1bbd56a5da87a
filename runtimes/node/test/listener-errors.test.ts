import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, expect, test } from 'vitest';

// Without instrumentation, Node reports a listener's synchronous throw as an uncaught exception
// and an async listener's rejection as an unhandled rejection; instrumentListener keeps both.
let outfile: string;
beforeAll(async () => {
  outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'listener-errors.mjs');
  await build({ entryPoints: [join(import.meta.dirname, 'fixtures/listener-errors.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
}, 30_000);

const run = (mode: string): string[] => execFileSync(process.execPath, [outfile, mode], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n');

test('node: instrumentListener, a listener that throws synchronously is an uncaught exception, as without it', () => {
  expect(run('sync')).toEqual(['uncaughtException: boom-sync', 'span status: 2:2']);
});

test('node: instrumentListener, an async listener that rejects stays an unhandled rejection', () => {
  expect(run('async')).toEqual(['unhandledRejection: boom-async', 'span status: 2:2']);
});
