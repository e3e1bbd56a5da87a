/**
 * The published package as a consumer meets it: `npm pack` (which runs `prepack` → build, in a
 * staging copy of the sources), an install of the tarball into an empty project with no network,
 * then every entry point used through its package specifier from that project, in Node, in a Worker bundled by esbuild and
 * run in workerd (miniflare), under the TypeScript compiler (bundler and node16 resolution),
 * in Deno and in Bun. Nothing here imports the repository's sources: only the installed copy.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const IN_CI = process.env.CI === 'true';
const NAME = '@lexigram/monitor';

/** What each subpath must export (a subpath added to package.json must be added here too). */
const EXPECTED_EXPORTS: Record<string, string[]> = {
  '.': ['createMonitor', 'Monitor', 'MemoryBackend', 'ConsoleBackend', 'NoOpBackend', 'configFromEnv', 'handleRequest', 'instrumentFetch', 'HealthCheckRegistry', 'SLO', 'traced', 'metered', 'VERSION'],
  './testing': ['createTestMonitor', 'MemoryBackend', 'NoOpBackend'],
  './otlp': ['OtlpBackend', 'otlpOptionsFromEnv', 'isExporterRequest', 'encodeTracesProto', 'encodeTracesJson'],
  './prometheus': ['PrometheusBackend', 'metricsHandler', 'renderPrometheus', 'renderSnapshot'],
  './pushgateway': ['PushgatewayBackend', 'groupingPath'],
  './otel': ['registerOpenTelemetry', 'unregisterOpenTelemetry', 'OpenTelemetryBackend', 'W3CPropagator'],
  './node': ['instrument', 'serve', 'instrumentListener', 'toNodeListener', 'flushOnExit', 'useAsyncLocalStorage'],
  './deno': ['instrument', 'serve', 'flushOnExit', 'denoOtelEnabled'],
  './bun': ['instrument', 'serve', 'flushOnExit'],
  './serverless': ['wrapFunction', 'detectKind', 'traceRecord'],
  './hono': ['monitorMiddleware', 'tracedMiddleware', 'mountMonitoring', 'MONITOR_KEY'],
  './cloudflare-workers': ['instrument', 'instrumentDO', 'pagesMiddleware', 'getRequestTelemetry', 'getActiveSpan', 'traceRecord'],
};

/**
 * Type-only packages and peers a consumer adds next to ours, at the versions this repository locks.
 * Installed with --prefer-offline: from npm's cache when it holds them (a machine that ran `npm ci`
 * before), else from the registry.
 */
const CONSUMER_DEV_DEPENDENCIES = ['hono', '@opentelemetry/api', '@types/node', '@cloudflare/workers-types'];

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  command: string;
}

/** Runs a command to completion; never rejects (the caller decides what a failure means). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = { cwd: ROOT }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : -1) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr: e && typeof e.code !== 'number' ? `${stderr}\n${e.message}` : stderr,
          command: [command, ...args].join(' '),
        });
      },
    );
  });
}

function describeRun(r: Run): string {
  return `\`${r.command}\` exited with ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** The run, or an Error carrying its whole output. */
function ok(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} failed: ${describeRun(r)}`);
  return r;
}

/** The `REPORT {...}` line a consumer program prints. */
function report<T = Report>(r: Run, what: string): T {
  ok(r, what);
  const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
  if (!line) throw new Error(`${what} printed no REPORT line: ${describeRun(r)}`);
  return JSON.parse(line.slice('REPORT '.length)) as T;
}

interface Report {
  runtime: string;
  served: { status: number; body: string };
  service: string;
  spans: { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; attributes: Record<string, unknown> }[];
  logs: { body: unknown; attributes: Record<string, unknown>; traceId?: string; spanId?: string }[];
  metrics: { name: string; type: string; points: { attributes: Record<string, unknown>; value?: number; count?: number }[] }[];
}

// ---- the consumer's files -------------------------------------------------------------------

/** A span, a counter and a log on the memory backend, then one request through the runtime's adapter. */
const PROGRAM_CORE = `
import { createMonitor, MemoryBackend } from '${NAME}';

const memory = new MemoryBackend();
const monitor = createMonitor({
  serviceName: 'packed-consumer',
  backends: [memory],
  onDiagnostic: (d) => console.error('diagnostic', d.kind, d.message),
});
const orders = monitor.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
await monitor.tracer.startActiveSpan('place-order', async (span) => {
  span.setAttribute('order.id', 'ord-42');
  orders.increment(2, { status: 'ok' });
  monitor.logger.info('order placed', { userId: 'usr-7', password: 'never exported' });
});
await monitor.flush();
const app = async (request) => new Response('served ' + new URL(request.url).pathname);
`;

const PROGRAM_REPORT = `
console.log('REPORT ' + JSON.stringify({
  runtime: RUNTIME,
  served,
  service: memory.resource?.attributes?.['service.name'],
  spans: memory.spans.map(({ name, kind, traceId, spanId, parentSpanId, attributes }) => ({ name, kind, traceId, spanId, parentSpanId, attributes })),
  logs: memory.logs.map(({ body, attributes, traceId, spanId }) => ({ body, attributes, traceId, spanId })),
  metrics: (memory.metrics?.metrics ?? []).map(({ name, type, points }) => ({ name, type, points: points.map(({ attributes, value, count }) => ({ attributes, value, count })) })),
}));
`;

const PROGRAMS: Record<'node' | 'deno' | 'bun', string> = {
  node: `${PROGRAM_CORE}
import { serve } from '${NAME}/node';
const RUNTIME = 'node ' + process.version;
const server = await serve(app, monitor, { port: 0, hostname: '127.0.0.1', flushOnExit: false });
const res = await fetch(server.url + '/adapter');
const served = { status: res.status, body: await res.text() };
await server.close();
${PROGRAM_REPORT}`,
  deno: `${PROGRAM_CORE}
import { instrument } from '${NAME}/deno';
const RUNTIME = 'deno ' + Deno.version.deno;
const handler = instrument(app, monitor);
const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler);
const res = await fetch('http://127.0.0.1:' + server.addr.port + '/adapter');
const served = { status: res.status, body: await res.text() };
await server.shutdown();
await handler.flush();
${PROGRAM_REPORT}`,
  bun: `${PROGRAM_CORE}
import { instrument } from '${NAME}/bun';
const RUNTIME = 'bun ' + Bun.version;
const handler = instrument(app, monitor);
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
const res = await fetch('http://127.0.0.1:' + server.port + '/adapter');
const served = { status: res.status, body: await res.text() };
server.stop(true);
await handler.flush();
${PROGRAM_REPORT}`,
};

/** Imports every subpath by its package specifier and prints its export names (or the error). */
const IMPORT_ALL = `
const specifiers = JSON.parse(process.argv[1]);
const out = {};
for (const s of specifiers) {
  try { out[s] = { names: Object.keys(await import(s)) }; }
  catch (e) { out[s] = { error: String(e?.code ?? '') + ' ' + String(e?.message ?? e) }; }
}
console.log('REPORT ' + JSON.stringify(out));
`;

/**
 * The same from CommonJS: Node 20.19+ and 22.12+ load an ES module through require() when its
 * graph has no top-level await, which is how a CommonJS Lambda handler or Express app uses us.
 */
const REQUIRE_ALL = `
const specifiers = JSON.parse(process.argv[1]);
const out = {};
for (const s of specifiers) {
  try { out[s] = { names: Object.keys(require(s)) }; }
  catch (e) { out[s] = { error: String(e?.code ?? '') + ' ' + String(e?.message ?? e) }; }
}
console.log('REPORT ' + JSON.stringify(out));
`;

/** A CommonJS Lambda handler as users write one: exports.handler wrapped by wrapFunction. */
const LAMBDA_CJS = `const { wrapFunction } = require('${NAME}/serverless');
const { MemoryBackend, createMonitor } = require('${NAME}');
const memory = new MemoryBackend();
const monitor = createMonitor({ serviceName: 'cjs-lambda', backends: [memory] });
exports.handler = wrapFunction(async (event) => {
  monitor.logger.info('handled', { path: event.rawPath });
  return { statusCode: 201, body: 'made' };
}, monitor);
if (require.main === module) {
  const event = { version: '2.0', rawPath: '/orders', headers: {}, requestContext: { http: { method: 'POST', path: '/orders' } } };
  const context = { awsRequestId: 'req-1', functionName: 'orders', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders', getRemainingTimeInMillis: () => 3000 };
  exports.handler(event, context).then(async (result) => {
    await monitor.flush();
    const server = memory.spans.find((s) => s.kind === 2);
    console.log('REPORT ' + JSON.stringify({ result, server: server && { name: server.name, attributes: server.attributes, traceId: server.traceId }, logs: memory.logs.map((l) => ({ body: l.body, traceId: l.traceId })) }));
  });
}
`;

/** A CommonJS module in TypeScript (`.cts`: require() calls once compiled) importing our ES modules. */
const LAMBDA_CTS = `import { wrapFunction } from '${NAME}/serverless';
import { createMonitor } from '${NAME}';
import { OtlpBackend } from '${NAME}/otlp';
const monitor = createMonitor({ serviceName: 'orders', backends: [new OtlpBackend({ endpoint: 'http://collector:4318' })] });
export const handler = wrapFunction(async (event: { id: string }) => ({ statusCode: 200, body: event.id }), monitor);
`;

/** A Worker as a user writes it; typechecked against @cloudflare/workers-types, then bundled and run in workerd. */
const WORKER_TS = `import { instrument } from '${NAME}/cloudflare-workers';
import { OtlpBackend } from '${NAME}/otlp';
import { MemoryBackend } from '${NAME}';

interface Env {
  OTLP_ENDPOINT: string;
}

const worker = instrument(
  {
    async fetch(request: Request, env: Env, ctx: ExecutionContext, { monitor, span }) {
      span.setAttribute('consumer.check', 'packed');
      monitor.logger.info('hello from the packed Worker', { path: new URL(request.url).pathname });
      ctx.waitUntil(Promise.resolve());
      return new Response('hello from a Worker built on the packed package', { headers: { 'x-trace-id': span.spanContext().traceId } });
    },
  },
  (env: Env) => ({
    serviceName: 'packed-worker',
    backends: [new MemoryBackend(), new OtlpBackend({ endpoint: env.OTLP_ENDPOINT, protocol: 'http/json', retry: { maxAttempts: 1 } })],
  }),
);

export default worker satisfies ExportedHandler<Env>;
`;

/**
 * The same Worker with \`satisfies\` on the instrument() call itself: the handler's four
 * parameters, the telemetry one included, are still typed from instrument()'s own parameter
 * (its return type does not infer the handler from ExportedHandler's three-argument fetch).
 */
const WORKER_SATISFIES_TS = `import { instrument } from '${NAME}/cloudflare-workers';

interface Env {
  GREETING: string;
}

export default instrument(
  {
    async fetch(request: Request, env: Env, ctx: ExecutionContext, { monitor }) {
      monitor.logger.info('hi');
      return new Response(env.GREETING + new URL(request.url).pathname);
    },
  },
  { serviceName: 'packed-worker' },
) satisfies ExportedHandler<Env>;
`;

/** A Hono app given to the Workers instrument() as it is, or its fetch: Hono types ctx as workerd passes it. */
const WORKER_HONO_TS = `import { Hono } from 'hono';
import { instrument } from '${NAME}/cloudflare-workers';
import { monitorMiddleware } from '${NAME}/hono';

interface Env {
  GREETING: string;
}

const app = new Hono<{ Bindings: Env }>();
app.use(monitorMiddleware({ serviceName: 'packed-hono' }));
app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), greeting: c.env.GREETING }));

export default instrument(app, { serviceName: 'packed-hono' });
export const viaFetch = instrument({ fetch: app.fetch }, { serviceName: 'packed-hono' });
`;

/** A Node/bundler app using most subpaths, their types and the optional peers' types. */
const APP_TS = `import { createMonitor, MemoryBackend, SpanKind, type Monitor, type RecordedSpan } from '${NAME}';
import { createTestMonitor } from '${NAME}/testing';
import { OtlpBackend, otlpOptionsFromEnv } from '${NAME}/otlp';
import { PrometheusBackend, metricsHandler } from '${NAME}/prometheus';
import { PushgatewayBackend } from '${NAME}/pushgateway';
import { registerOpenTelemetry } from '${NAME}/otel';
import { instrument as instrumentNode, serve, type NodeServer } from '${NAME}/node';
import { wrapFunction } from '${NAME}/serverless';
import { monitorMiddleware } from '${NAME}/hono';
import { instrument as instrumentWorker, type ExecutionContext } from '${NAME}/cloudflare-workers';
import { instrument as instrumentDeno } from '${NAME}/deno';
import { instrument as instrumentBun } from '${NAME}/bun';
import { Hono } from 'hono';
import { trace } from '@opentelemetry/api';

const memory = new MemoryBackend();
const monitor: Monitor = createMonitor({
  serviceName: 'typed',
  backends: [
    memory,
    new OtlpBackend({ ...otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), protocol: 'http/json' }),
    new PrometheusBackend(),
    new PushgatewayBackend({ url: 'http://pushgateway:9091', job: 'typed' }),
  ],
});
const orders = monitor.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
orders.increment(1, { status: 'ok' });
const servers: RecordedSpan[] = memory.getSpans().filter((s) => s.kind === SpanKind.SERVER);
const metrics: (request: Request) => Promise<Response | undefined> | Response | undefined = metricsHandler(monitor);
registerOpenTelemetry(monitor);
trace.getTracer('typed').startSpan('via-otel-api').end();
const { memory: testMemory } = createTestMonitor();

const nodeHandler = instrumentNode(async (req) => new Response(req.url), monitor);
export const started = (): Promise<NodeServer> => serve(async () => new Response('ok'), { serviceName: 'api' }, { port: 0 });
export const lambda = wrapFunction(async (event: { id: string }) => ({ statusCode: 200, body: event.id }), { serviceName: 'fn' });

const hono = new Hono();
hono.use(monitorMiddleware({ serviceName: 'hono' }));
hono.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));

interface Env {
  OTLP_ENDPOINT: string;
}
export const worker = instrumentWorker(
  {
    async fetch(request: Request, env: Env, ctx: ExecutionContext, { monitor }) {
      monitor.logger.info('visit', { path: new URL(request.url).pathname });
      ctx.waitUntil(Promise.resolve());
      return new Response(env.OTLP_ENDPOINT);
    },
  },
  (env: Env) => ({ serviceName: 'worker', backends: [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT })] }),
);
export const denoHandler = instrumentDeno((req) => new Response(req.method), { serviceName: 'deno' });
export const bunHandler = instrumentBun((req) => new Response(req.method), { serviceName: 'bun' });

export { servers, metrics, testMemory, nodeHandler, hono };
`;

/**
 * tsconfig variants. `lib` unset means the target's default libraries (with DOM), what a
 * project gets without choosing; @types/node is picked up automatically.
 */
const TSCONFIGS: Record<string, { files: string[]; compilerOptions: Record<string, unknown> }> = {
  'tsconfig.bundler.json': {
    files: ['app.ts'],
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, skipLibCheck: false, noEmit: true },
  },
  'tsconfig.node16.json': {
    files: ['app.ts'],
    compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, skipLibCheck: false, noEmit: true },
  },
  // A Worker project (as `npm create cloudflare` sets one up: no DOM, workers-types, skipLibCheck).
  'tsconfig.workers.json': {
    files: ['worker.ts', 'worker-satisfies.ts', 'worker-hono.ts'],
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022'], types: ['@cloudflare/workers-types'], strict: true, skipLibCheck: true, noEmit: true },
  },
  // The same with every declaration file checked and the lib that declares Symbol.dispose.
  'tsconfig.workers-strict.json': {
    files: ['worker.ts'],
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2022', 'ESNext.Disposable'],
      types: ['@cloudflare/workers-types'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    },
  },
  // A CommonJS project as `tsc --init` with `module: commonjs` leaves it: node10 resolution, which
  // ignores package.json `exports`; the subpaths' types are found through `typesVersions`.
  'tsconfig.commonjs.json': {
    files: ['app.ts'],
    compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', strict: true, skipLibCheck: false, noEmit: true },
  },
  // CommonJS under nodenext, which (TypeScript 5.8+) lets a CommonJS file import an ES module as
  // Node 20.19+/22.12+ require() it; `module: node16` refuses that (TS1479), as Node 16 did.
  'tsconfig.cjs-nodenext.json': {
    files: ['lambda.cts'],
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false, noEmit: true },
  },
  // The strictest settings projects turn on (@tsconfig/strictest and more), every declaration file
  // checked: under exactOptionalPropertyTypes an optional field declared `?: T` did not match a
  // class field `T | undefined` implementing it (TS2420 in two declaration files).
  'tsconfig.strictest.json': {
    files: ['app.ts'],
    compilerOptions: {
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noPropertyAccessFromIndexSignature: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      useUnknownInCatchVariables: true,
      skipLibCheck: false,
      noEmit: true,
    },
  },
  // A Node project with no DOM lib: the declarations name no DOM-only type (RequestInfo, HeadersInit).
  'tsconfig.node-nodom.json': {
    files: ['app.ts'],
    compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'], strict: true, skipLibCheck: false, noEmit: true },
  },
  // A Worker project with no Disposable lib, every declaration file checked: the declarations
  // declare Symbol.dispose themselves, as @types/node does.
  'tsconfig.workers-es2022.json': {
    files: ['worker.ts', 'worker-satisfies.ts', 'worker-hono.ts'],
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022'], types: ['@cloudflare/workers-types'], strict: true, skipLibCheck: false, noEmit: true },
  },
};

// ---- setup: pack, install, build the Worker ------------------------------------------------

let tmp = '';
let consumer = '';
let tarball = '';
let packedFiles: string[] = [];
let packedManifest: Record<string, any> = {};
let installedAfterTarball: string[] = [];
type Imported = Record<string, { names?: string[]; error?: string }>;
let withoutPeers: Imported = {};

function hasBinary(name: string): boolean {
  return existsSync(join(BIN, name));
}

function skipReason(name: string): string | undefined {
  if (hasBinary(name) || IN_CI) return undefined;
  const reason = `${name} is not installed in node_modules/.bin (it comes from the \`${name}\` npm devDependency; run npm ci)`;
  console.warn(`\n[SKIPPED] package test in ${name}: ${reason}\n`);
  return reason;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lexigram-package-'));
  consumer = join(tmp, 'consumer');
  await mkdir(consumer);

  // 1. npm pack, which runs `prepack` (npm run build), from a copy of what the build reads: the
  // repository's own dist/ is left alone while other test files run.
  const stage = join(tmp, 'stage');
  await mkdir(stage);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(ROOT, f), join(stage, f));
  for (const d of ['src', 'runtimes']) await cp(join(ROOT, d), join(stage, d), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const pack = ok(await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: stage, timeoutMs: 150_000 }), 'npm pack');
  // npm 11 prints the prepack script's output on stderr; older npm may print its banner on stdout before the JSON.
  const json = pack.stdout.slice(Math.max(0, pack.stdout.search(/^\[/m)));
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  tarball = join(tmp, info.filename);
  packedFiles = info.files.map((f) => f.path);

  // 2. An empty ESM project installs the tarball with no network: possible only with no dependencies.
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'packed-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  ok(await run('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: consumer }), 'npm install --offline <tarball>');
  installedAfterTarball = readdirSync(join(consumer, 'node_modules')).filter((n) => !n.startsWith('.'));
  packedManifest = JSON.parse(await readFile(join(consumer, 'node_modules', '@lexigram', 'monitor', 'package.json'), 'utf8'));

  // 3. Every subpath with the optional peers absent.
  const specifiers = Object.keys(packedManifest.exports as object).filter((k) => k !== './package.json').map((k) => NAME + k.slice(1));
  withoutPeers = report<Imported>(await run(process.execPath, ['--input-type=module', '-e', IMPORT_ALL, JSON.stringify(specifiers)], { cwd: consumer }), 'importing every subpath without peers');

  // 4. Then the peers and type packages a user would add, at the versions locked here (from npm's cache when it has them).
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const devDeps = CONSUMER_DEV_DEPENDENCIES.map((n) => `${n}@${lock.packages[`node_modules/${n}`].version}`);
  ok(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...devDeps], { cwd: consumer }), `npm install ${devDeps.join(' ')}`);

  await Promise.all([
    ...Object.entries(PROGRAMS).map(([rt, code]) => writeFile(join(consumer, `program-${rt}.mjs`), code)),
    writeFile(join(consumer, 'worker.ts'), WORKER_TS),
    writeFile(join(consumer, 'worker-satisfies.ts'), WORKER_SATISFIES_TS),
    writeFile(join(consumer, 'worker-hono.ts'), WORKER_HONO_TS),
    writeFile(join(consumer, 'app.ts'), APP_TS),
    writeFile(join(consumer, 'lambda.cts'), LAMBDA_CTS),
    ...Object.entries(TSCONFIGS).map(([file, config]) => writeFile(join(consumer, file), JSON.stringify(config, null, 2))),
  ]);
}, 180_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// ---- the tests --------------------------------------------------------------------------------

describe('the tarball', () => {
  it('holds README.md, LICENSE and dist only, with no tests, fixtures, benchmarks or scratch files', () => {
    expect(packedFiles).toContain('README.md');
    expect(packedFiles).toContain('LICENSE');
    expect(packedFiles).toContain('package.json');
    const unexpected = packedFiles.filter((f) => !f.startsWith('dist/') && f !== 'README.md' && f !== 'LICENSE' && f !== 'package.json');
    expect(unexpected).toEqual([]);
    const leaked = packedFiles.filter((f) => /\.test\.|\.bench\.|(^|\/)(test|tests|fixtures|helpers|test-support|bench|\.tmp)\//.test(f) || f.endsWith('.map'));
    expect(leaked).toEqual([]);
    expect(packedFiles.every((f) => f === 'README.md' || f === 'LICENSE' || f === 'package.json' || /\.(js|d\.ts)$/.test(f))).toBe(true);
  });

  it('contains every file package.json exports, main and types point to', () => {
    const targets = new Set<string>([packedManifest.main, packedManifest.types]);
    // node10 resolution (a CommonJS TypeScript project) ignores `exports`: each subpath's types
    // must be given again in typesVersions, pointing at the same file.
    const typesVersions = (packedManifest.typesVersions as Record<string, Record<string, string[]>>)['*']!;
    const subpaths: string[] = [];
    for (const [key, target] of Object.entries(packedManifest.exports as Record<string, string | Record<string, string>>)) {
      if (key === './package.json') continue;
      expect(typeof target, key).toBe('object');
      const conditions = target as Record<string, string>;
      // TypeScript reads the first matching condition: `types` must come before `default`.
      expect(Object.keys(conditions), key).toEqual(['types', 'default']);
      targets.add(conditions.types).add(conditions.default);
      if (key !== '.') {
        subpaths.push(key.slice(2));
        expect(typesVersions[key.slice(2)], `typesVersions for ${key}`).toEqual([conditions.types]);
      }
    }
    expect(Object.keys(typesVersions).sort()).toEqual(subpaths.sort());
    const missing = [...targets].map((t) => t.replace(/^\.\//, '')).filter((t) => !packedFiles.includes(t));
    expect(missing).toEqual([]);
  });

  it('has no runtime dependencies; hono and @opentelemetry/api are optional peers', () => {
    expect(Object.keys(packedManifest.dependencies ?? {})).toEqual([]);
    expect(packedManifest.bundleDependencies ?? packedManifest.bundledDependencies).toBeUndefined();
    expect(Object.keys(packedManifest.peerDependencies ?? {}).sort()).toEqual(['@opentelemetry/api', 'hono']);
    expect(packedManifest.peerDependenciesMeta).toEqual({ '@opentelemetry/api': { optional: true }, hono: { optional: true } });
    // `npm install --offline` of the tarball alone added nothing else.
    expect(installedAfterTarball).toEqual(['@lexigram']);
  });

  // npm 11 warns at every install of a package whose manifest has an install-time script
  // (`prepare` included); the build runs at `prepack` (pack, publish, installs from git) instead.
  it('runs nothing when installed: no preinstall, install, postinstall or prepare script', () => {
    const scripts = Object.keys((packedManifest.scripts ?? {}) as Record<string, string>);
    expect(scripts.filter((k) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(k))).toEqual([]);
    expect(scripts).toContain('prepack');
  });

  it('lists a test below for every subpath it exports', () => {
    const subpaths = Object.keys(packedManifest.exports as object).filter((k) => k !== './package.json');
    expect(subpaths.sort()).toEqual(Object.keys(EXPECTED_EXPORTS).sort());
  });
});

describe('in Node, from the installed package', () => {
  it('loads every subpath without the optional peers, except ./otel, which needs @opentelemetry/api', () => {
    for (const [specifier, result] of Object.entries(withoutPeers)) {
      if (specifier === `${NAME}/otel`) {
        expect(result.error, specifier).toMatch(/ERR_MODULE_NOT_FOUND.*@opentelemetry\/api/);
      } else {
        expect(result.error, `${specifier}: ${result.error}`).toBeUndefined();
      }
    }
  });

  it('imports every subpath by its package specifier and finds its exports', async () => {
    const specifiers = Object.keys(EXPECTED_EXPORTS).map((k) => NAME + k.slice(1));
    const got = report<Imported>(await run(process.execPath, ['--input-type=module', '-e', IMPORT_ALL, JSON.stringify(specifiers)], { cwd: consumer }), 'importing every subpath');
    for (const [key, names] of Object.entries(EXPECTED_EXPORTS)) {
      const specifier = NAME + key.slice(1);
      expect(got[specifier]?.error, specifier).toBeUndefined();
      expect(got[specifier]?.names, specifier).toEqual(expect.arrayContaining(names));
    }
  });

  it('requires every subpath from CommonJS and finds its exports (Node loads ES modules through require)', async () => {
    const specifiers = Object.keys(EXPECTED_EXPORTS).map((k) => NAME + k.slice(1));
    const got = report<Imported>(await run(process.execPath, ['-e', REQUIRE_ALL, JSON.stringify(specifiers)], { cwd: consumer }), 'requiring every subpath');
    for (const [key, names] of Object.entries(EXPECTED_EXPORTS)) {
      const specifier = NAME + key.slice(1);
      expect(got[specifier]?.error, specifier).toBeUndefined();
      expect(got[specifier]?.names, specifier).toEqual(expect.arrayContaining(names));
    }
  });

  it('runs a CommonJS Lambda handler (exports.handler = wrapFunction(...)): its SERVER span and log reach the backend', async () => {
    await writeFile(join(consumer, 'lambda.cjs'), LAMBDA_CJS);
    const r = report<{ result: unknown; server?: { name: string; attributes: Record<string, unknown>; traceId: string }; logs: { body: string; traceId?: string }[] }>(
      await run(process.execPath, ['lambda.cjs'], { cwd: consumer, timeoutMs: 20_000 }),
      'node lambda.cjs',
    );
    expect(r.result).toEqual({ statusCode: 201, body: 'made' });
    expect(r.server, JSON.stringify(r)).toBeDefined();
    expect(r.server!.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 201, 'faas.invocation_id': 'req-1' });
    expect(r.logs).toEqual([{ body: 'handled', traceId: r.server!.traceId }]);
  });

  it('runs a program: a span, a counter and a log reach the memory backend; a request through @lexigram/monitor/node', async () => {
    checkProgram(report(await run(process.execPath, ['program-node.mjs'], { cwd: consumer, timeoutMs: 20_000 }), 'node program-node.mjs'));
  });
});

/** What the tiny program must have recorded, in any runtime. */
function checkProgram(r: Report): void {
  expect(r.service).toBe('packed-consumer');
  expect(r.served).toEqual({ status: 200, body: 'served /adapter' });

  const order = r.spans.find((s) => s.name === 'place-order');
  expect(order, JSON.stringify(r.spans)).toBeDefined();
  expect(order!.attributes).toMatchObject({ 'order.id': 'ord-42' });
  expect(order!.traceId).toMatch(/^[0-9a-f]{32}$/);

  const log = r.logs.find((l) => l.body === 'order placed');
  expect(log, JSON.stringify(r.logs)).toBeDefined();
  expect(log!.attributes).toEqual({ userId: 'usr-7', password: '[REDACTED]' });
  expect(log!.traceId).toBe(order!.traceId);
  expect(log!.spanId).toBe(order!.spanId);

  const counter = r.metrics.find((m) => m.name === 'orders_total');
  expect(counter, JSON.stringify(r.metrics)).toMatchObject({ type: 'counter', points: [{ attributes: { status: 'ok' }, value: 2 }] });

  // The adapter's SERVER span and HTTP server metric for the one request.
  const server = r.spans.find((s) => s.kind === 2 && s.attributes['url.path'] === '/adapter');
  expect(server, JSON.stringify(r.spans)).toBeDefined();
  expect(server!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
  const duration = r.metrics.find((m) => m.name === 'http.server.request.duration');
  expect(duration, JSON.stringify(r.metrics.map((m) => m.name))).toBeDefined();
  expect(duration!.points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(1);
}

/**
 * Runs a Worker bundle in workerd against a local OTLP receiver: the fetch returns the handler's
 * response and its spans and logs arrive as OTLP/JSON.
 */
async function checkWorkerRuns(code: string): Promise<void> {
  const posts: { url: string; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      posts.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }],
    compatibilityDate: '2026-04-01',
    bindings: { OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/hello');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello from a Worker built on the packed package');
    const traceId = res.headers.get('x-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // The export runs in waitUntil after the response: wait for it.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !['/v1/traces', '/v1/logs'].every((p) => posts.some((x) => x.url === p))) await new Promise((r) => setTimeout(r, 50));
    const traces = posts.find((p) => p.url === '/v1/traces');
    expect(traces, `OTLP posts received: ${JSON.stringify(posts.map((p) => p.url))}`).toBeDefined();
    const spans = JSON.parse(traces!.body).resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
    const server = spans.find((s: any) => s.traceId === traceId && s.kind === 2);
    expect(server, traces!.body).toBeDefined();
    expect(server.attributes).toEqual(expect.arrayContaining([{ key: 'consumer.check', value: { stringValue: 'packed' } }]));
    expect(posts.find((p) => p.url === '/v1/logs')!.body).toContain('hello from the packed Worker');
  } finally {
    await mf.dispose();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

describe('in a Worker bundled from the installed package', () => {
  let code = '';

  it('builds with the Worker settings (bundle, minify, ESM, browser platform, workerd conditions) and imports nothing from node:', async () => {
    const result = await build({
      entryPoints: [join(consumer, 'worker.ts')],
      absWorkingDir: consumer,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    code = result.outputFiles[0].text;
    // Everything came from the installed copy, nothing from the repository's sources.
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i !== 'worker.ts' && !i.startsWith('node_modules/@lexigram/monitor/dist/'))).toEqual([]);
    // No import is left in the bundle (a `node:` one would also have failed the browser-platform build).
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(imports).toEqual([]);
    expect(code).not.toMatch(/\bimport\s*\(?\s*["']node:|\bfrom\s*["']node:|\brequire\(\s*["']node:/);
    // (The string 'node:async_hooks' is there: getBuiltinModule() is asked for it at run time when the runtime has one.)
  });

  it('runs in workerd: a fetch returns the handler response and its telemetry leaves as OTLP/JSON', async () => {
    expect(code, 'the build test must pass first').not.toBe('');
    await checkWorkerRuns(code);
  });

  it('bundled by rolldown (the bundler of Vite 8 and the Cloudflare Vite plugin) with the workerd conditions, it runs in workerd the same way', async () => {
    const bundle = await rolldown({
      input: join(consumer, 'worker.ts'),
      cwd: consumer,
      platform: 'browser',
      resolve: { conditionNames: ['workerd', 'worker', 'browser', 'import', 'default'] },
      logLevel: 'silent',
    });
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    await bundle.close();
    expect(output).toHaveLength(1);
    const built = output[0].code;
    expect(built).not.toMatch(/\bimport\s*\(?\s*["']|\bfrom\s*["']/);
    await checkWorkerRuns(built);
  });
});

describe('under TypeScript, from the installed package (strict)', () => {
  const tsc = (config: string): Promise<Run> => run(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', config], { cwd: consumer, timeoutMs: 60_000 });
  // Started together: each program takes a few seconds.
  let runs: Promise<Record<string, Run>> | undefined;
  const results = (): Promise<Record<string, Run>> =>
    (runs ??= Promise.all(Object.keys(TSCONFIGS).map(async (c) => [c, await tsc(c)] as const)).then((entries) => Object.fromEntries(entries)));

  it.each([
    ['moduleResolution bundler, every declaration file checked (skipLibCheck false)', 'tsconfig.bundler.json'],
    ['module/moduleResolution node16, every declaration file checked (skipLibCheck false)', 'tsconfig.node16.json'],
    ['a Worker project: lib ES2022 + @cloudflare/workers-types, skipLibCheck true as Cloudflare templates set it', 'tsconfig.workers.json'],
    ['a Worker project with every declaration file checked (lib ES2022 + ESNext.Disposable)', 'tsconfig.workers-strict.json'],
    ['a CommonJS project (module commonjs, moduleResolution node10), every declaration file checked', 'tsconfig.commonjs.json'],
    ['a CommonJS file (.cts) under module/moduleResolution nodenext, every declaration file checked', 'tsconfig.cjs-nodenext.json'],
    ['the strictest options (exactOptionalPropertyTypes, noUncheckedIndexedAccess...), every declaration file checked', 'tsconfig.strictest.json'],
    ['a Node project without the DOM lib (lib ES2022 + @types/node), every declaration file checked', 'tsconfig.node-nodom.json'],
    ['a Worker project with lib ES2022 alone (no ESNext.Disposable, no @types/node), every declaration file checked', 'tsconfig.workers-es2022.json'],
  ])('typechecks %s', async (_title, config) => {
    const r = (await results())[config]!;
    expect(r.code, describeRun(r)).toBe(0);
  }, 90_000);
});

describe.each([
  ['deno', 'program-deno.mjs'],
  ['bun', 'program-bun.mjs'],
] as const)('in %s, from the installed package', (runtime, program) => {
  const reason = skipReason(runtime);

  it.skipIf(reason !== undefined)(`imports ${NAME} and ${NAME}/${runtime}, and runs the program: memory backend and a request through the adapter`, async () => {
    const args =
      runtime === 'deno'
        ? // Deno reads the consumer's node_modules (package.json present: node_modules dir "manual");
          // no lock file, no permission but the loopback network for the one request.
          ['run', '--node-modules-dir=manual', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', program]
        : [program];
    const r = await run(join(BIN, runtime), args, { cwd: consumer, timeoutMs: 20_000, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    const got = report(r, `${runtime} ${program}`);
    expect(got.runtime).toMatch(new RegExp(`^${runtime} \\d`));
    checkProgram(got);
  }, 60_000);

});

describe('under deno check, from the installed package', () => {
  // `deno run` does not typecheck: `deno check` reads the declarations with Deno's own libraries
  // (no DOM lib, its built-in Node types for node: imports).
  it.skipIf(skipReason('deno') !== undefined)('typechecks a TypeScript program importing every subpath with deno check', async () => {
    const keys = Object.keys(EXPECTED_EXPORTS);
    const m = (key: string): string => `m${keys.indexOf(key)}`;
    const imports = keys.map((k, i) => `import * as m${i} from '${NAME + k.slice(1)}';`);
    await writeFile(join(consumer, 'deno-check.ts'), `${imports.join('\n')}
import { Hono } from 'hono';
const memory = new ${m('.')}.MemoryBackend();
const monitor = ${m('.')}.createMonitor({ serviceName: 'deno-check', backends: [memory] });
const app = new Hono();
app.use(${m('./hono')}.monitorMiddleware(monitor));
export const handler = ${m('./deno')}.instrument((req: Request) => new Response(req.method), monitor);
export const all = [${keys.map((_, i) => `m${i}`).join(', ')}, app];
`);
    const r = await run(join(BIN, 'deno'), ['check', '--node-modules-dir=manual', '--no-lock', 'deno-check.ts'], { cwd: consumer, timeoutMs: 60_000, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    expect(r.code, describeRun(r)).toBe(0);
  }, 90_000);
});
