/**
 * Request-level cost on Node: the same `node:http` route (see node-server/app.ts) plain, under
 * `instrumentListener` (SERVER span, a child span, two metric updates, a log line; NoOp backend),
 * and under the OpenTelemetry JS SDK with `@opentelemetry/instrumentation-http` doing the same
 * (node-server/otel-app.cjs; exporters that drop everything). Each round starts one server process
 * per variant, interleaved; CONCURRENCY keep-alive clients in this process load it for ROUND_MS
 * after a warm-up; the server's own CPU time per request (process.cpuUsage there) and requests
 * per second are reported, as medians and paired by round against the plain server.
 * Knobs: NODE_SERVER_ROUNDS (5), NODE_SERVER_ROUND_MS (1500), NODE_SERVER_CONCURRENCY (8).
 */
import { build } from 'esbuild';
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { NODE_BUILD } from './lib/node-build.mjs';

const ROUNDS = Number(process.env.NODE_SERVER_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.NODE_SERVER_ROUND_MS ?? 1500);
const CONCURRENCY = Number(process.env.NODE_SERVER_CONCURRENCY ?? 8);
const root = process.cwd();
const out = join(root, '.tmp', 'bench', 'node-server-app.mjs');
await build({ ...NODE_BUILD, entryPoints: [join(root, 'bench/node-server/app.ts')], outfile: out });

const variants = [
  { name: 'plain', label: 'node:http, no telemetry', script: out, mode: 'plain' },
  { name: 'ours', label: 'instrumentListener + NoOpBackend', script: out, mode: 'ours' },
  { name: 'otel', label: 'OpenTelemetry SDK + instrumentation-http', script: join(root, 'bench/node-server/otel-app.cjs'), mode: 'otel' },
  // The fetch-handler way (`serve()`): Node's request and response converted to Web ones.
  { name: 'fetch', label: 'toNodeListener(fetch handler), no telemetry', script: out, mode: 'fetch' },
  { name: 'ours-fetch', label: 'toNodeListener(instrument(fetch handler)) + NoOpBackend', script: out, mode: 'ours-fetch' },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Round {
  cpu: number;
  rps: number;
}

async function load(port: number, agent: Agent, ms: number): Promise<number> {
  let stop = false;
  let n = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/orders/7', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
        .on('error', reject)
        .end();
    });
  const client = async (): Promise<void> => {
    while (!stop) {
      await one();
      n++;
    }
  };
  const clients = Array.from({ length: CONCURRENCY }, client);
  await new Promise((r) => setTimeout(r, ms));
  stop = true;
  await Promise.all(clients);
  return n;
}

async function round(v: (typeof variants)[number]): Promise<Round> {
  const child = fork(v.script, { env: { ...process.env, MODE: v.mode }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await load(port, agent, 400); // warm-up: JIT and the first-request set-up out of the count
  child.send('start');
  const t0 = performance.now();
  const n = await load(port, agent, ROUND_MS);
  const seconds = (performance.now() - t0) / 1000;
  child.send('stop');
  const { cpu } = await new Promise<{ cpu: number }>((r) => child.once('message', (m) => r(m as { cpu: number })));
  agent.destroy();
  await new Promise((r) => child.once('exit', r));
  return { cpu: cpu / n, rps: n / seconds };
}

const results = new Map<string, Round[]>(variants.map((v) => [v.name, []]));
for (let i = 0; i < ROUNDS; i++) for (const v of variants) results.get(v.name)!.push(await round(v));

const plainRounds = results.get('plain')!;
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
console.log(`Node ${process.version}, ${ROUNDS} rounds × ${ROUND_MS} ms, ${CONCURRENCY} keep-alive clients; server CPU per request (process.cpuUsage)`);
console.log('| variant | req/s | vs plain | CPU / request | vs plain (medians) | vs plain (paired by round) | CPU by round (µs) |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const v of variants) {
  const rs = results.get(v.name)!;
  const cpu = median(rs.map((r) => r.cpu));
  const rps = median(rs.map((r) => r.rps));
  const first = v.name === 'plain';
  const paired = median(rs.map((r, i) => r.cpu / plainRounds[i]!.cpu - 1));
  const plainCpu = median(plainRounds.map((r) => r.cpu));
  const plainRps = median(plainRounds.map((r) => r.rps));
  console.log(
    `| ${v.label} | ${rps.toFixed(0)} | ${first ? '' : pct(rps / plainRps - 1)} | ${cpu.toFixed(1)} µs | ${first ? '' : `${pct(cpu / plainCpu - 1)} (+${(cpu - plainCpu).toFixed(1)} µs)`} | ${first ? '' : pct(paired)} | ${rs.map((r) => r.cpu.toFixed(0)).join(', ')} |`,
  );
}
const ours = median(results.get('ours')!.map((r) => r.cpu)) - median(plainRounds.map((r) => r.cpu));
const otel = median(results.get('otel')!.map((r) => r.cpu)) - median(plainRounds.map((r) => r.cpu));
console.log(`\nadded CPU per request: ours +${ours.toFixed(1)} µs, OpenTelemetry SDK +${otel.toFixed(1)} µs: ${(otel / ours).toFixed(2)}× less with ours`);
const fetchPlain = median(results.get('fetch')!.map((r) => r.cpu));
const fetchOurs = median(results.get('ours-fetch')!.map((r) => r.cpu));
const fetchPaired = median(results.get('ours-fetch')!.map((r, i) => r.cpu / results.get('fetch')![i]!.cpu - 1));
console.log(`fetch handler: the conversion +${(fetchPlain - median(plainRounds.map((r) => r.cpu))).toFixed(1)} µs over node:http; instrument() +${(fetchOurs - fetchPlain).toFixed(1)} µs over it (${pct(fetchPaired)} paired)`);
