// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { afterAll, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MemoryBackend, SpanStatus } from '../../../src/index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.js';
import { instrument, serve } from '../index.js';
import { hotReloadExitScenario, signalAfterReloadScenario } from '../../test-support/hot-reload-exit.js';
import { sigtermAppListenerScenario, sigtermScenario, sigtermStreamingScenario } from '../../test-support/sigterm.js';

declare const Bun: any;

const bun: RuntimeUnderTest = {
  name: 'bun',
  protocol: 'http/json',
  async start(handler, monitor) {
    const h = instrument(handler, monitor);
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
    return { url: `http://127.0.0.1:${server.port}`, flush: () => h.flush(), stop: async () => void server.stop(true) };
  },
};


/** Sends 'hi' once the socket opens and resolves with the first message back. */
function echoOnce(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    ws.onopen = () => ws.send('hi');
    ws.onmessage = (e) => resolve(e.data);
    ws.onerror = () => reject(new Error('websocket failed'));
  });
}

afterAll(() => untraceGlobalFetch());
for (const s of scenarios(bun)) test(s.name, () => s.run(), 30_000);

test('bun: flushOnExit flushes pending telemetry on SIGTERM, then exits by the signal', () =>
  sigtermScenario(process.execPath, ['run', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]), 30_000);

test('bun: a response that never ends (SSE) does not hold the flush: SIGTERM still flushes, then exits within the bound', () =>
  sigtermStreamingScenario(process.execPath, ['run', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]), 30_000);

test('bun: an app with its own process.once(SIGTERM) shutdown keeps it: flushed, then the app exits with its own code', () =>
  sigtermAppListenerScenario(process.execPath, ['run', new URL('./fixtures/sigterm-server.ts', import.meta.url).pathname]), 30_000);

test('bun: two copies of flushOnExit (bun --hot) share one listener, and SIGTERM drains both before the exit', () =>
  hotReloadExitScenario(process.execPath, ['run', new URL('../../test-support/hot-reload-child.ts', import.meta.url).pathname, new URL('../../node/src/flush-on-exit.ts', import.meta.url).pathname]), 30_000);

test('bun: after the app handled a first SIGINT itself, a re-registered flushOnExit (bun --hot) drains and exits on the next one', () =>
  signalAfterReloadScenario(process.execPath, ['run', new URL('../../test-support/hot-reload-second-signal-child.ts', import.meta.url).pathname, new URL('../../node/src/flush-on-exit.ts', import.meta.url).pathname]), 30_000);

test('bun: serve() traces routes handlers with the pattern as http.route; static routes stay native', async () => {
  const memory = new MemoryBackend();
  const server = serve(() => new Response('fallback', { status: 404 }), { serviceName: 'bun-routes', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, traceFetch: false },
    routes: {
      '/users/:id': (req: Request & { params: Record<string, string> }) => Response.json({ id: req.params.id }),
      '/items': { GET: () => new Response('list'), POST: async () => new Response('made', { status: 201 }) },
      '/static': new Response('static'),
    },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/users/42`)).json()).toEqual({ id: '42' });
    expect(await (await fetch(`${base}/items`)).text()).toBe('list');
    expect((await fetch(`${base}/items`, { method: 'POST' })).status).toBe(201);
    expect(await (await fetch(`${base}/static`)).text()).toBe('static');
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  } finally {
    server.stop(true);
  }
  await waitFor(() => memory.spans.length >= 4);
  const byName = (n: string) => memory.spans.filter((s) => s.name === n);
  expect(byName('GET /users/:id')).toHaveLength(1);
  expect(byName('GET /users/:id')[0]!.attributes).toMatchObject({ 'http.route': '/users/:id', 'http.response.status_code': 200, 'url.path': '/users/42' });
  expect(byName('GET /items')).toHaveLength(1);
  expect(byName('POST /items')[0]!.attributes).toMatchObject({ 'http.route': '/items', 'http.response.status_code': 201 });
  // The fetch fallback is traced without a route; the static Response never runs JavaScript.
  expect(byName('GET')).toHaveLength(1);
  expect(memory.spans.some((s) => s.attributes['url.path'] === '/static')).toBe(false);
  const routes = memory.getMetric('http.server.request.duration')?.points.map((p) => p.attributes['http.route']);
  expect(routes).toEqual(expect.arrayContaining(['/users/:id', '/items']));
}, 30_000);

test('BN-01: Bun.serve calls fetch(req, server): client.address comes from server.requestIP (client.port is opt-in: not recorded); with no waitUntil the span leaves in the background, no flush() called', async () => {
  const memory = new MemoryBackend();
  const h = instrument(() => new Response('ok'), { serviceName: 'bun-bn01', backends: [memory] }, { traceFetch: false });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  try {
    expect(await (await fetch(`http://127.0.0.1:${server.port}/ip`)).text()).toBe('ok');
    await waitFor(() => memory.spans.length >= 1);
  } finally {
    server.stop(true);
  }
  const span = memory.spans[0]!;
  expect(span.attributes['url.path']).toBe('/ip');
  expect(span.attributes['client.address']).toBe('127.0.0.1');
  expect(span.attributes['client.port']).toBeUndefined();
}, 30_000);

test('bun: a WebSocket upgrade is recorded as status 101, not as a handler error', async () => {
  const memory = new MemoryBackend();
  const h = instrument(
    (req, server) => (server.upgrade?.(req) ? undefined : new Response('no upgrade', { status: 400 })),
    { serviceName: 'bun-ws', backends: [memory] },
    { traceFetch: false },
  );
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h, websocket: { message: (ws: any, m: string) => ws.send(`echo:${m}`) } });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket`);
    const reply = await echoOnce(ws);
    expect(reply).toBe('echo:hi');
    ws.close();
    expect((await fetch(`http://127.0.0.1:${server.port}/socket`)).status).toBe(400);
  } finally {
    server.stop(true);
  }
  await h.flush();
  const spans = memory.spans.filter((s) => s.name === 'GET');
  expect(spans.map((s) => s.attributes['http.response.status_code']).sort()).toEqual([101, 400]);
  const upgrade = spans.find((s) => s.attributes['http.response.status_code'] === 101)!;
  expect(upgrade.status.code).not.toBe(SpanStatus.ERROR);
  expect(upgrade.status.message).toBeUndefined();
}, 30_000);

test('bun: a response keeps the Content-Type and Content-Length Bun gives a string body or a Bun.file (DESIGN 5)', async () => {
  const page = `${tmpdir()}/lexigram-bun-${process.pid}.html`;
  await Bun.write(page, '<h1>hi</h1>');
  const handler = (req: Request) => (new URL(req.url).pathname === '/page.html' ? new Response(Bun.file(page)) : new Response('hello world'));
  const memory = new MemoryBackend();
  const h = instrument(handler, { serviceName: 'bun-head', backends: [memory] }, { traceFetch: false });
  const plain = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
  const instrumented = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  const head = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { type: res.headers.get('content-type'), length: res.headers.get('content-length'), body: await res.text() };
  };
  try {
    for (const path of ['/', '/page.html']) {
      const expected = await head(plain.port, path);
      expect(expected.type).toMatch(path === '/' ? /^text\/plain/ : /^text\/html/);
      expect(await head(instrumented.port, path)).toEqual(expected);
    }
  } finally {
    plain.stop(true);
    instrumented.stop(true);
    rmSync(page, { force: true });
  }
  await h.flush();
  expect(memory.spans.filter((s) => s.name === 'GET')).toHaveLength(2);
}, 30_000);

test('bun: a traced fetch keeps Bun’s own options (unix, verbose): instrument() never breaks the host app (DESIGN 5)', async () => {
  const socket = `${tmpdir()}/lexigram-bun-${process.pid}.sock`;
  rmSync(socket, { force: true });
  const traceparents: string[] = [];
  const unixServer = Bun.serve({
    unix: socket,
    fetch: (req: Request) => {
      traceparents.push(req.headers.get('traceparent') ?? '');
      return new Response(`unix ${req.method} ${req.headers.get('x-app')} ${new URL(req.url).pathname}`);
    },
  });
  const memory = new MemoryBackend();
  const h = instrument(
    async () => {
      const res = await fetch('http://localhost/items', { method: 'POST', headers: { 'x-app': '1' }, body: 'b', unix: socket, verbose: false } as RequestInit);
      return new Response(await res.text());
    },
    { serviceName: 'bun-unix', backends: [memory] },
  );
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await res.text()).toBe('unix POST 1 /items');
  } finally {
    server.stop(true);
    unixServer.stop(true);
    rmSync(socket, { force: true });
  }
  await h.flush();
  const client = memory.spans.find((s) => s.kind === 3);
  expect(client?.attributes['http.response.status_code']).toBe(200);
  expect(traceparents).toEqual([`00-${client!.traceId}-${client!.spanId}-01`]);
}, 30_000);

test('bun: fetch and routes handlers (a function, a method map) get the server as `this`, as Bun gives it, with serve() and with instrument()', async () => {
  const memory = new MemoryBackend();
  const isServer = (self: any) => `${typeof self?.upgrade === 'function' && typeof self?.requestIP === 'function'}`;
  const server = serve(function (this: any) {
    return new Response(`fetch ${isServer(this)}`);
  }, { serviceName: 'bun-this', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, traceFetch: false },
    routes: {
      '/r': function (this: any) {
        return new Response(`route ${isServer(this)}`);
      },
      '/m': { POST: async function (this: any) { return new Response(`method ${isServer(this)}`); } },
    },
  });
  // The Bun idiom: `this.upgrade(req)` in a handler given to Bun.serve through instrument().
  const h = instrument(function (req) {
    if (new URL(req.url).pathname === '/ws') return this.upgrade?.(req) ? undefined : new Response('no upgrade', { status: 400 });
    return new Response(`instrument ${isServer(this)}`);
  }, { serviceName: 'bun-this', backends: [memory] }, { traceFetch: false });
  const plain = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h, websocket: { message: (ws: any, m: string) => ws.send(`echo:${m}`) } });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/`)).text()).toBe('fetch true');
    expect(await (await fetch(`${base}/r`)).text()).toBe('route true');
    expect(await (await fetch(`${base}/m`, { method: 'POST' })).text()).toBe('method true');
    expect(await (await fetch(`http://127.0.0.1:${plain.port}/`)).text()).toBe('instrument true');
    const ws = new WebSocket(`ws://127.0.0.1:${plain.port}/ws`);
    const reply = await echoOnce(ws);
    expect(reply).toBe('echo:hi');
    ws.close();
  } finally {
    server.stop(true);
    plain.stop(true);
  }
  await h.flush();
  await waitFor(() => memory.spans.length >= 5);
  expect(memory.spans.map((s) => s.attributes['http.response.status_code']).sort()).toEqual([101, 200, 200, 200, 200]);
  expect(memory.spans.some((s) => s.status.code === SpanStatus.ERROR)).toBe(false);
}, 30_000);

test("bun: serve()'s error option answers a thrown error: the span and http.server.request.duration record its status (503), with the exception on the span", async () => {
  const memory = new MemoryBackend();
  const seen: string[] = [];
  const server = serve(() => {
    throw new Error('boom');
  }, { serviceName: 'bun-error', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, traceFetch: false },
    error(this: any, e: Error) {
      seen.push(`${e.message} ${typeof this?.upgrade === 'function'}`);
      return new Response(`maintenance: ${e.message}`, { status: 503 });
    },
    routes: {
      '/async': async () => {
        throw new Error('async boom');
      },
      '/m': { POST: () => { throw new Error('method boom'); } },
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const r = await fetch(`${base}/x`);
    expect([r.status, await r.text()]).toEqual([503, 'maintenance: boom']);
    const a = await fetch(`${base}/async`);
    expect([a.status, await a.text()]).toEqual([503, 'maintenance: async boom']);
    expect((await fetch(`${base}/m`, { method: 'POST' })).status).toBe(503);
  } finally {
    server.stop(true);
  }
  // Called once per error, with the server as `this`, as Bun calls it.
  expect(seen).toEqual(['boom true', 'async boom true', 'method boom true']);
  await waitFor(() => memory.spans.length >= 3);
  for (const [path, message] of [['/x', 'boom'], ['/async', 'async boom'], ['/m', 'method boom']] as const) {
    const span = memory.spans.find((s) => s.attributes['url.path'] === path)!;
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status).toEqual({ code: SpanStatus.ERROR, message });
    expect(span.events.map((e) => e.attributes['exception.message'])).toEqual([message]);
  }
  const points = memory.getMetric('http.server.request.duration')?.points.map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code']]);
  expect(points).toEqual(expect.arrayContaining([[undefined, 503], ['/async', 503], ['/m', 503]]));
  expect(points).toHaveLength(3);
}, 30_000);

test("bun: an error option with no Response to give (returns nothing, throws) leaves Bun's 500, as without the library, and is called once", async () => {
  // In a child: Bun logs the unanswered error, which fails a test in this process.
  const child = Bun.spawn([process.execPath, 'run', new URL('./fixtures/error-option-fallback.ts', import.meta.url).pathname], { stdout: 'pipe', stderr: 'pipe' });
  const out = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.statuses).toEqual({ '/pass': 500, '/again': 500 });
  expect(result.seen).toEqual(['pass', 'again']);
  expect(result.spans).toEqual({
    '/pass': { status: 500, exceptions: ['pass'] },
    '/again': { status: 500, exceptions: ['again', 'error handler failed'] },
  });
  expect(result.points).toEqual(expect.arrayContaining([['/pass', 500], ['/again', 500]]));
  expect(result.points).toHaveLength(2);
}, 30_000);

test('bun: a handler that returns no Response (nothing, a string, null, a promise of a number) gets a plain 500, as on Node and Deno, and the span records the same 500', async () => {
  const memory = new MemoryBackend();
  const answer = (req: Request): any => {
    const path = new URL(req.url).pathname;
    return path === '/undefined' ? undefined : path === '/string' ? 'hello' : path === '/null' ? null : Promise.resolve(42);
  };
  const logged: unknown[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void logged.push(args[0]);
  const h = instrument(answer, { serviceName: 'bun-not-response', backends: [memory] }, { traceFetch: false });
  const plain = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: h });
  const routed = serve(answer, { serviceName: 'bun-not-response', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    instrumentation: { flushOnExit: false, traceFetch: false },
    routes: { '/route/:id': () => undefined as any },
  });
  const got: Record<string, [number, string, string | null]> = {};
  try {
    for (const [port, path] of [[plain.port, '/undefined'], [plain.port, '/string'], [plain.port, '/null'], [plain.port, '/async'], [routed.port, '/route/1'], [routed.port, '/undefined']] as const) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      got[`${port === plain.port ? 'instrument' : 'serve'} ${path}`] = [res.status, await res.text(), res.headers.get('content-type')];
    }
  } finally {
    plain.stop(true);
    routed.stop(true);
    console.error = consoleError;
  }
  for (const [key, value] of Object.entries(got)) expect([key, ...value]).toEqual([key, 500, 'Internal Server Error', 'text/plain; charset=utf-8']);
  // The error is printed, as Bun prints it without the library.
  expect(logged).toHaveLength(6);
  expect(logged.every((e) => e instanceof TypeError && /not a Response/.test(e.message))).toBe(true);
  await h.flush();
  await waitFor(() => memory.spans.length >= 6);
  expect(memory.spans.map((s) => s.attributes['http.response.status_code'])).toEqual([500, 500, 500, 500, 500, 500]);
  expect(memory.spans.every((s) => s.status.code === SpanStatus.ERROR && s.status.message === 'handler did not return a Response')).toBe(true);
}, 30_000);

/** Polls until the exports handed off after the responses have arrived. */
async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

test('bun: a misspelled key under serve()\'s `instrumentation` throws, listing the known ones', () => {
  expect(() => serve(() => new Response('x'), { serviceName: 'typo', backends: [] }, { port: 0, instrumentation: { traceFech: false } as never })).toThrow(
    /^serve: instrumentation: unknown option `traceFech`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch, trustProxy, flushOnExit\.$/,
  );
});

test("bun: an option of the library beside Bun's own (traceFetch: false at the top, as on Node) throws saying it goes under `instrumentation`, before the server starts; Bun ignored it, so fetch stayed traced", () => {
  for (const [k, v] of [['traceFetch', false], ['waitForBody', true], ['flushOnExit', false], ['captureHeaders', {}]] as const) {
    expect(() => serve(() => new Response('x'), { serviceName: 'placed', backends: [] }, { port: 0, [k]: v } as never)).toThrow(
      new RegExp(`^serve: \`${k}\` goes under \`instrumentation\` \\(\\{ instrumentation: \\{ ${k} \\} \\}\\); the other keys are the runtime's own\\.$`),
    );
  }
});

test("bun: instrument()'s misspelled option throws, listing the known ones", () => {
  expect(() => instrument(() => new Response('x'), { serviceName: 'typo', backends: [] }, { traceFech: false } as never)).toThrow(
    /^instrument: unknown option `traceFech`; known options are route, trustIncomingTrace, captureHeaders, waitForBody, ignoreRequest, traceFetch, trustProxy\.$/,
  );
});

test("bun: option values of the wrong type throw where they are given (traceFetch: 'false' traced every fetch)", () => {
  expect(() => serve(() => new Response('x'), { serviceName: 'typed', backends: [] }, { port: 0, instrumentation: { traceFetch: 'false' } as never })).toThrow(
    /^serve: instrumentation: `traceFetch` must be true, false or fetch options \(\{ propagateTo \}\), got "false"\.$/,
  );
  expect(() => instrument(() => new Response('x'), { serviceName: 'typed', backends: [] }, { captureHeaders: { requestHeaders: 'x-id' } } as never)).toThrow(/^instrument: `captureHeaders\.requestHeaders` must be an array of header names/);
});

test('bun: a wrong flushOnExit option under serve() throws before the server starts (it was left listening)', async () => {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('probe') });
  const port = probe.port;
  probe.stop(true);
  expect(() => serve(() => new Response('x'), { serviceName: 'typo', backends: [] }, { port, hostname: '127.0.0.1', instrumentation: { flushOnExit: { timeoutMS: 5 } as never } })).toThrow(/unknown option `timeoutMS`/);
  // Nothing listens on the port: it can be taken again.
  const again = Bun.serve({ port, hostname: '127.0.0.1', fetch: () => new Response('again') });
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('again');
  again.stop(true);
});
