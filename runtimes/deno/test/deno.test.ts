// Runs under `deno test -A --no-lock --sloppy-imports runtimes/deno/test/` (npm run test:deno).
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.ts';
import { createMonitor, MemoryBackend } from '../../../src/index.ts';
import { monitorMiddleware } from '../../../src/middleware/hono/index.ts';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.ts';
import { instrument } from '../index.ts';
import { hotReloadExitScenario, signalAfterReloadScenario } from '../../test-support/hot-reload-exit.ts';
import { sigtermAppListenerScenario, sigtermScenario, sigtermStreamingScenario } from '../../test-support/sigterm.ts';
import { otelDenoScenario } from './otel-deno.ts';
import { CALLER_TRACE, joinOptionsRun, LIBRARY_SECRETS } from './otel-deno-join-options.ts';

declare const Deno: any;

const deno: RuntimeUnderTest = {
  name: 'deno',
  protocol: 'http/json',
  start(handler, monitor) {
    const h = instrument(handler, monitor);
    return new Promise((resolve) => {
      const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, h);
      resolve({ url: `http://127.0.0.1:${server.addr.port}`, flush: () => h.flush(), stop: () => server.shutdown() });
    });
  },
};

for (const s of scenarios(deno)) {
  Deno.test({ name: s.name, sanitizeOps: false, sanitizeResources: false, fn: () => s.run() });
}

const UPSTREAM_TEXT = 'upstream-body-' + 'z'.repeat(200);

/** An upstream that answers gzip with its compressed Content-Length, as a CDN or an API would. */
async function gzipUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const gz = new Uint8Array(await new Response(new Blob([UPSTREAM_TEXT]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, () =>
    new Response(gz, { headers: { 'content-encoding': 'gzip', 'content-length': String(gz.length), 'content-type': 'text/plain' } }),
  );
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

/** Serves `handler` with Deno.serve and returns what a client gets (or the client's error). */
async function served(handler: (request: Request, info: any) => Response | Promise<Response>): Promise<{ status: number; headers: Headers; text: string }> {
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, handler);
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    return { status: res.status, headers: res.headers, text: await res.text() };
  } finally {
    await server.shutdown();
  }
}

Deno.test({
  name: 'deno: returning fetch() of a gzip upstream never breaks the host app (DESIGN 5), under instrument() and the Hono middleware',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const up = await gzipUpstream();
    try {
      const proxy = () => fetch(up.url);
      const backends = () => [new MemoryBackend()];
      for (const [name, handler] of [
        ['instrument()', instrument(proxy, { serviceName: 'gz', backends: backends() })],
        ['instrument() with waitForBody: true', instrument(proxy, { serviceName: 'gz', backends: backends() }, { waitForBody: true })],
        ['Hono middleware', honoProxy(up.url, {})],
        ['Hono middleware with waitForBody: true', honoProxy(up.url, { waitForBody: true })],
      ] as const) {
        const res = await served(handler).catch((err: Error) => ({ status: 0, headers: new Headers(), text: `client error: ${err.message}` }));
        assert.equal(res.text, UPSTREAM_TEXT, name);
        assert.equal(res.status, 200, name);
        assert.equal(res.headers.get('content-type'), 'text/plain', name);
      }
    } finally {
      await up.close();
    }
  },
});

function honoProxy(upstream: string, options: { waitForBody?: boolean }): (request: Request) => Response | Promise<Response> {
  const app = new Hono();
  app.use(monitorMiddleware(createMonitor({ serviceName: 'gz-hono', backends: [new MemoryBackend()] }), options));
  app.get('/', () => fetch(upstream));
  return (request) => app.fetch(request);
}

Deno.test({
  name: 'deno: the response keeps the Content-Length Deno gives a string body (DESIGN 5)',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const handler = () => new Response('x'.repeat(20000));
    const plain = await served(handler);
    const memory = new MemoryBackend();
    const h = instrument(handler, { serviceName: 'cl', backends: [memory] }, { traceFetch: false });
    const instrumented = await served(h);
    assert.equal(plain.headers.get('content-length'), '20000');
    assert.equal(instrumented.headers.get('content-length'), '20000');
    assert.equal(instrumented.headers.get('transfer-encoding'), null);
    assert.equal(instrumented.text, plain.text);
    await h.flush();
    assert.equal(memory.spans.filter((s) => s.kind === 2).length, 1);
  },
});

Deno.test({ name: 'restore fetch', fn: () => untraceGlobalFetch() });

Deno.test({
  name: 'deno: flushOnExit flushes pending telemetry on SIGTERM, then exits with 143',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sigtermScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]),
});

Deno.test({
  name: 'deno: a response that never ends (SSE) does not hold the flush: SIGTERM still flushes, then exits within the bound',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sigtermStreamingScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]),
});

Deno.test({
  name: 'deno: an app with its own SIGTERM listener keeps its shutdown: flushed, then the app exits with its own code',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sigtermAppListenerScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]),
});

Deno.test({
  name: 'deno: two copies of flushOnExit (deno --watch-hmr) share one listener, and SIGTERM drains both before the exit',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    hotReloadExitScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('../../test-support/hot-reload-child.ts', import.meta.url).pathname, new URL('../src/flush-on-exit.ts', import.meta.url).href]),
});

Deno.test({
  name: 'deno: after the app handled a first SIGINT itself, a re-registered flushOnExit (--watch-hmr) drains and exits on the next one',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    signalAfterReloadScenario(Deno.execPath(), ['run', '-A', '--no-lock', '--sloppy-imports', new URL('../../test-support/hot-reload-second-signal-child.ts', import.meta.url).pathname, new URL('../src/flush-on-exit.ts', import.meta.url).href]),
});

Deno.test({
  name: 'deno: DN-02/DN-06 with OTEL_DENO=true, one SERVER span (Deno’s), named by the Hono route, parent of ours',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => otelDenoScenario(),
});

let joinRun: ReturnType<typeof joinOptionsRun> | undefined;

Deno.test({
  name: 'deno: OTEL_DENO=true join, what the library and the app set on Deno’s SERVER span is redacted before Deno exports it',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { spans, raw } = await (joinRun ??= joinOptionsRun('join'));
    const servers = spans.filter((s) => s.kind === 2);
    assert.equal(servers.length, 1, `one SERVER span (Deno’s), got ${JSON.stringify(servers.map((s) => s.name))}`);
    for (const secret of LIBRARY_SECRETS) assert.ok(!raw.includes(secret), `${secret} reached the exported spans`);
    const a = servers[0]!.attributes;
    assert.equal(a['app.password'], '[REDACTED]');
    assert.equal(a['http.request.header.authorization'], '[REDACTED]');
    assert.equal(a['db.secret'], '[REDACTED]', 'set through getActiveSpan()');
    assert.match(String(a['app.user']), /"api_key":"\[REDACTED\]"/);
    assert.ok(raw.includes('https://REDACTED:REDACTED@h/?token=REDACTED&page=2'), 'url.full masked');
    assert.ok(raw.includes('"login"'), 'the event is kept');
  },
});

Deno.test({
  name: 'deno: OTEL_DENO=true join, route and captureHeaders are set on Deno’s SERVER span (secret headers redacted)',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { spans } = await (joinRun ??= joinOptionsRun('join'));
    const server = spans.find((s) => s.kind === 2)!;
    assert.equal(server.name, 'GET /users/:id');
    assert.equal(server.attributes['http.route'], '/users/:id');
    assert.deepEqual(server.attributes['http.request.header.x-tenant'], ['acme']);
    assert.deepEqual(server.attributes['http.response.header.x-request-id'], ['rid-1']);
    assert.deepEqual(server.attributes['http.response.header.set-cookie'], ['[REDACTED]']);
  },
});

Deno.test({
  name: 'deno: OTEL_DENO=true with trustIncomingTrace: false, the request gets its own SERVER span in a new trace (not the caller’s), reported once',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { spans, raw, stdout } = await joinOptionsRun('untrusted');
    const ours = spans.filter((s) => s.kind === 2 && s.resource['service.name'] === 'ours');
    assert.equal(ours.length, 1, `our SERVER span, got ${JSON.stringify(spans.map((s) => [s.name, s.resource['service.name']]))}`);
    const server = ours[0]!;
    assert.notEqual(server.traceId, CALLER_TRACE, 'the caller’s trace is not continued');
    assert.equal(server.parentSpanId, '');
    assert.equal(server.name, 'GET /users/:id');
    assert.deepEqual(server.attributes['http.request.header.x-tenant'], ['acme']);
    assert.equal(server.attributes['app.password'], '[REDACTED]');
    for (const secret of LIBRARY_SECRETS) assert.ok(!raw.includes(secret), `${secret} reached the exported spans`);
    assert.equal(stdout.match(/DIAG config .*trustIncomingTrace: false/g)?.length, 1, stdout);
  },
});
