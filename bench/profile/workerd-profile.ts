/**
 * A CPU profile of the bench Worker inside workerd (through its inspector): VARIANT (default
 * noop-unbatched) run N times (default 20000) by the Worker's /loop route, with the sampling
 * profiler on. Writes .tmp/workerd-<variant>.cpuprofile; summarise it with summarize.mjs.
 *   npx esbuild bench/profile/workerd-profile.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.tmp/workerd-profile.mjs && node .tmp/workerd-profile.mjs
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';
import { bundleBenchWorker } from '../lib/workerd-entry-bundle.js';

const variant = process.env.VARIANT ?? 'noop-unbatched';
const n = Number(process.env.N ?? 20000);
const inspectorPort = 9239;
const mf = new Miniflare({
  name: 'bench',
  modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleBenchWorker() }],
  modulesRoot: '/',
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
  bindings: { OTLP_ENDPOINT: 'http://127.0.0.1:9' },
  inspectorPort,
  handleRuntimeStdio: (stdout, stderr) => {
    stdout.resume();
    stderr.pipe(process.stderr);
  },
});
const base = await mf.ready;
const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
const target = list.find((t) => t.webSocketDebuggerUrl.includes('core:user:bench')) ?? list[0]!;
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once('open', r));
let id = 0;
const waiting = new Map<number, (v: any) => void>();
ws.on('message', (d) => {
  const m = JSON.parse(String(d));
  if (m.id !== undefined) waiting.get(m.id)?.(m.result);
});
const send = (method: string, params: object = {}): Promise<any> =>
  new Promise((r) => {
    waiting.set(++id, r);
    ws.send(JSON.stringify({ id, method, params }));
  });

const run = async (count: number): Promise<number> => Number(await (await fetch(`${base.origin}/loop?variant=${variant}&n=${count}`)).text());
await run(2000); // warm-up
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 50 });
await send('Profiler.start');
const ms = await run(n);
const { profile } = await send('Profiler.stop');
const file = join(process.cwd(), '.tmp', `workerd-${variant}.cpuprofile`);
writeFileSync(file, JSON.stringify(profile));
console.log(`${variant}: ${((ms / n) * 1000).toFixed(1)} µs per request (workerd clock); profile in ${file}`);
ws.close();
await mf.dispose();
