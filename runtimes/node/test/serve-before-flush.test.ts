import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test("node: serve() with flushOnExit.beforeFlush runs the app's beforeFlush on SIGTERM, after its server closed, then exits by the signal", async () => {
  const outfile = join(mkdtempSync(join(tmpdir(), 'lexigram-node-')), 'server.mjs');
  await build({ bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', entryPoints: [join(import.meta.dirname, 'fixtures/before-flush-server.ts')], outfile });
  const child = spawn(process.execPath, [outfile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (out += c));
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no READY: ${out}`)), 10_000);
    child.stdout.on('data', () => {
      if (out.includes('READY')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const port = /READY (\d+)/.exec(out)![1];
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello');
  child.kill('SIGTERM');
  expect(await exited).toBe('SIGTERM');
  expect(out).toContain('APP-BEFORE-FLUSH listening=false');
}, 30_000);
