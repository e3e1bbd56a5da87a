/**
 * Helpers to run the real Prometheus tools from tests: find a binary (fail in CI, skip with a
 * visible message locally), pick a free port, start and stop a process, poll until ready.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const IN_CI = process.env.CI === 'true';

/** Path of a binary on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path !== '' ? path : undefined;
}

/**
 * Whether tests needing `name` should run. Locally a missing binary skips with a visible
 * message; in CI (CI=true) the tests run and fail through `requireBinary`.
 */
export function shouldRun(name: string): boolean {
  if (findBinary(name) !== undefined || IN_CI) return true;
  console.warn(
    `\n[SKIPPED] ${name} not found: install it with apt-get install prometheus prometheus-pushgateway.` +
      ' With CI=true these tests fail instead of skipping.\n',
  );
  return false;
}

export function requireBinary(name: string): string {
  const path = findBinary(name);
  if (path === undefined) {
    throw new Error(
      `${name} is required for this test but was not found on PATH (Debian packages prometheus / prometheus-pushgateway; .ci/run installs them)`,
    );
  }
  return path;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

export function start(binary: string, args: string[]): Running {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Polls `fn` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ': ' + String(last) : ''}`);
}

/**
 * A Prometheus server on a free port that scrapes every second, its config (`scrapeConfigs`, YAML
 * lines) and data in `dir`; resolves once it is ready, with its query API's base URL.
 */
export async function startPrometheus(binary: string, dir: string, scrapeConfigs: string[], extraArgs: string[] = []): Promise<{ prometheus: Running; api: string }> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, ['global: { scrape_interval: 1s, scrape_timeout: 1s }', 'scrape_configs:', ...scrapeConfigs, ''].join('\n'));
  const prometheus = start(binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, ...extraArgs]);
  try {
    await poll('prometheus ready', async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined), 15_000);
  } catch (err) {
    await prometheus.stop();
    throw err;
  }
  return { prometheus, api: `http://127.0.0.1:${port}/api/v1` };
}

/** One instant-vector result of the query API. */
export interface PromRow {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs the PromQL query `q` through the query API at `api` (as startPrometheus gives it). */
export async function queryPrometheus(api: string, q: string): Promise<PromRow[]> {
  const json = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; data: { result: PromRow[] } };
  if (json.status !== 'success') throw new Error(JSON.stringify(json));
  return json.data.result;
}

/** Runs `promtool check metrics` on a body; returns exit code and output. */
export function promtoolCheck(body: string): { code: number | null; output: string } {
  const r = spawnSync(requireBinary('promtool'), ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return { code: r.status, output: (r.stdout ?? '') + (r.stderr ?? '') };
}
