#!/usr/bin/env node
/**
 * Keeps the README's first command true: starts the example Worker the way `npm start` does
 * (wrangler dev on 127.0.0.1), makes one request, and checks that spans, metrics and logs
 * appear in the terminal output. Exits 0 when they do, 1 otherwise (with the output).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const wanted = [/\[span\] GET server .*url\.path="\/"/, /\[span\] get KV client/, /\[span\] GET client .*\/quote/, /\[metric\] http\.server\.request\.duration/, /\[log\] INFO served a visit/];
let out = '';
const child = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port)], {
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
child.stdout.on('data', (d) => (out += d));
child.stderr.on('data', (d) => (out += d));
const stop = () => {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
};
const deadline = Date.now() + 90_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let ok = false;
try {
  while (!out.includes('Ready on') && Date.now() < deadline) await sleep(100);
  const res = await fetch(`http://127.0.0.1:${port}/`);
  const body = await res.json();
  if (res.status !== 200 || typeof body.visits !== 'number') throw new Error(`unexpected answer ${res.status} ${JSON.stringify(body)}`);
  while (!wanted.every((re) => re.test(out)) && Date.now() < deadline) await sleep(100);
  ok = wanted.every((re) => re.test(out));
} catch (err) {
  out += `\n[start:check] ${err}`;
} finally {
  stop();
}
if (ok) {
  console.log('[start:check] ok: spans, metrics and logs printed on the first request');
  console.log(out.split('\n').filter((l) => l.startsWith('[span]') || l.startsWith('[metric]') || l.startsWith('[log]')).join('\n'));
  process.exit(0);
}
console.error(out);
console.error(`[start:check] missing: ${wanted.filter((re) => !re.test(out)).join(', ')}`);
process.exit(1);
