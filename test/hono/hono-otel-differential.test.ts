/**
 * Hono differential test: each scenario is a Hono app and a list of requests, run three ways:
 * with `@hono/otel` 1.1.2 (sdk-trace-base InMemorySpanExporter, sdk-metrics reader), with
 * `monitorMiddleware(monitor)` alone, and with the middleware under `instrument()` from the Node
 * adapter (the README's set-up on Node, Deno and Bun). The SERVER spans (name, kind, status,
 * HTTP attributes, exception events, parent) and the request-duration points (method, route,
 * status, count) are normalised and must be equal, apart from the differences listed in ACCEPTED.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, SpanKind as OtelKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { httpInstrumentationMiddleware } from '@hono/otel';
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { streamText } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { SpanKind } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { instrument } from '../../runtimes/node/index.js';

type Req = string | { path: string; method?: string };
interface Scenario {
  build(mw: MiddlewareHandler): { request: Hono['request']; fetch: Hono['fetch'] };
  requests: Req[];
  /** A difference accepted in this scenario only (see ACCEPTED). */
  accept?: (span: Norm) => Norm;
  /** Spans only `instrument()` records: requests no `use()` of the middleware matched. */
  adapterOnly?: Norm[];
}
/** One SERVER span, as both sides can say it. */
interface Norm {
  name: string;
  kind: string;
  status: string;
  method: unknown;
  route: unknown;
  url: unknown;
  code: unknown;
  errorType?: unknown;
  exceptions: string[];
  parent: string | null;
}

const text = (s: string) => (c: { text(t: string): Response }) => c.text(s);
const boom = () => {
  throw new TypeError('bad');
};

const scenarios: Record<string, Scenario> = {
  'params and wildcards': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/users/:id', text('u'));
      app.get('/files/*', text('f'));
      app.get('/posts/:id{[0-9]+}', text('p'));
      return app;
    },
    requests: ['/users/42', '/files/a/b.txt', '/posts/7', '/users/42?sort=asc'],
  },
  'route() mounted sub-app, with its own middleware': {
    build(mw) {
      const sub = new Hono();
      sub.use(async (_c, next) => next());
      sub.get('/items/:id', text('i'));
      const app = new Hono();
      app.use(mw);
      app.route('/api', sub);
      app.route('/:tenant/v2', sub);
      return app;
    },
    requests: ['/api/items/1', '/acme/v2/items/2'],
  },
  'sub-app with its own onError': {
    build(mw) {
      const sub = new Hono();
      sub.get('/fail', boom);
      sub.onError((e, c) => c.text(e.message, 502));
      const app = new Hono();
      app.use(mw);
      app.route('/api', sub);
      return app;
    },
    requests: ['/api/fail'],
  },
  basePath: {
    build(mw) {
      const app = new Hono().basePath('/v1');
      app.use(mw);
      app.get('/users/:id', text('u'));
      return app;
    },
    requests: ['/v1/users/1', '/users/1'],
    // The middleware is under basePath('/v1'): /users/1 reaches it nowhere; the adapter sees every request.
    adapterOnly: [{ name: 'GET', kind: 'SERVER', status: 'UNSET', method: 'GET', route: undefined, url: '/users/1', code: 404, exceptions: [], parent: null }],
  },
  'mount() of a plain fetch handler': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.mount('/legacy', (req) => new Response(`legacy ${new URL(req.url).pathname}`));
      return app;
    },
    requests: ['/legacy/a/b'],
  },
  'app.on([methods]), app.on(PURGE), app.all': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.on(['GET', 'POST'], '/form', text('form'));
      app.on('PURGE', '/cache/:key', text('purged'));
      app.all('/any', text('any'));
      return app;
    },
    requests: ['/form', { path: '/form', method: 'POST' }, { path: '/cache/k', method: 'PURGE' }, '/any', { path: '/any', method: 'DELETE' }],
  },
  'middleware-only match and 404s': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.use('/mw-only/*', async (c) => c.text('from middleware'));
      app.use('/api/*', async (_c, next) => next());
      app.get('/a', text('a'));
      return app;
    },
    // /api/nope: both sides name the 404 by the last middleware Hono ran ('/api/*'); Hono does not
    // say whether a handler or a middleware matched, so this is left as it is.
    requests: ['/mw-only/x', '/nope', '/api/nope'],
  },
  'a handler that throws, no onError': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/fail', boom);
      return app;
    },
    requests: ['/fail'],
  },
  'a handler that throws, onError answers 500 and 400': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/fail', boom);
      app.get('/bad-input', () => {
        throw new RangeError('input');
      });
      app.onError((e, c) => c.text(e.message, e instanceof RangeError ? 400 : 500));
      return app;
    },
    requests: ['/fail', '/bad-input'],
  },
  'HTTPException 401 and 503': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/private', () => {
        throw new HTTPException(401, { message: 'no token' });
      });
      app.get('/down', () => {
        throw new HTTPException(503, { message: 'maintenance' });
      });
      return app;
    },
    requests: ['/private', '/down'],
  },
  'a handler that returns no Response': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/nothing', (() => undefined) as never);
      return app;
    },
    requests: ['/nothing'],
    // Hono answers 500 ("Context is not finalized"), thrown after every middleware returned:
    // @hono/otel reads the placeholder c.res (200); the library records the 500 the client got.
    accept: (n) => ({ ...n, status: 'ERROR', code: 500, errorType: '500' }),
  },
  'HEAD and OPTIONS': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/users/:id', text('u'));
      app.options('/cors', (c) => c.body(null, 204));
      return app;
    },
    requests: [{ path: '/users/1', method: 'HEAD' }, { path: '/cors', method: 'OPTIONS' }, { path: '/users/1', method: 'OPTIONS' }],
  },
  'trailing slash, strict: false and strict': {
    build(mw) {
      const app = new Hono({ strict: false });
      app.use(mw);
      app.get('/users/:id', text('u'));
      return app;
    },
    requests: ['/users/1/', '/users/1'],
  },
  'trailing slash, strict (404)': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/users/:id', text('u'));
      return app;
    },
    requests: ['/users/1/'],
  },
  'a sub-app with its own copy of the middleware': {
    build(mw) {
      const sub = new Hono();
      sub.use(mw);
      sub.get('/items/:id', text('i'));
      const app = new Hono();
      app.use(mw);
      app.route('/api', sub);
      return app;
    },
    requests: ['/api/items/1'],
  },
  'a thrown non-Error, which Hono rethrows': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/str', () => {
        throw 'plain string';
      });
      return app;
    },
    requests: ['/str'],
    // Hono rethrows it and the server answers 500: @hono/otel reads the placeholder c.res (200);
    // the library records 500 and error.type = the thrown value's type (HTTP semconv).
    accept: (n) => ({ ...n, code: 500, errorType: 'string' }),
  },
  'a secret in the query': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/users/:id', text('u'));
      return app;
    },
    requests: ['/users/1?token=abc&sort=asc'],
    // The library redacts secrets in url.query (monitor.redactor); @hono/otel records url.full as it came.
    accept: (n) => ({ ...n, url: String(n.url).replace('token=abc', 'token=REDACTED') }),
  },
  'a middleware on /api/* before the route, and the middleware itself on /api/*': {
    build(mw) {
      const app = new Hono();
      app.use('/api/*', async (_c, next) => next());
      app.use('/api/*', mw);
      app.use('/api/*', async (c, next) => {
        await next();
        c.header('x-after', '1');
      });
      app.get('/api/users/:id', text('u'));
      app.get('/other', text('o'));
      return app;
    },
    requests: ['/api/users/1'],
  },
  'streamed responses': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/body', (c) => c.body(new ReadableStream({ start: (s) => (s.enqueue(new TextEncoder().encode('a')), s.close()) })));
      app.get('/text', (c) => streamText(c, async (s) => {
        await s.write('t');
      }));
      return app;
    },
    requests: ['/body', '/text'],
  },
  redirects: {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/old', (c) => c.redirect('/new'));
      app.get('/moved/:id', (c) => c.redirect(`/new/${c.req.param('id')}`, 301));
      return app;
    },
    requests: ['/old', '/moved/1'],
  },
  'a request the app makes to itself': {
    build(mw) {
      const app = new Hono();
      app.use(mw);
      app.get('/inner/:id', text('inner'));
      app.get('/outer', async (c) => c.text(`outer+${await (await app.request('/inner/1')).text()}`));
      return app;
    },
    requests: ['/outer'],
  },
};

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Send = (path: string, method: string) => Response | Promise<Response>;

/** Sends the requests one after the other and reads each body (a streamed one to its end). */
async function send(requests: Req[], fetch: Send): Promise<string[]> {
  const answers: string[] = [];
  for (const r of requests) {
    const { path, method = 'GET' } = typeof r === 'string' ? { path: r } : r;
    try {
      const res = await fetch(path, method);
      answers.push(`${res.status} ${await res.text()}`);
    } catch (err) {
      answers.push(`threw ${String(err)}`);
    }
  }
  return answers;
}

const statusName = (code: number) => ['UNSET', 'OK', 'ERROR'][code]!;
/** A duration point as text, each attribute value with its type (JSON): the status code 200 is not "200". */
const point = (a: Record<string, unknown>, count: number) =>
  `${JSON.stringify(a['http.request.method'])} ${JSON.stringify(a['http.route'] ?? '-')} ${JSON.stringify(a['http.response.status_code'])}${a['error.type'] !== undefined ? ` error.type=${JSON.stringify(a['error.type'])}` : ''} x${count}`;

interface Result {
  /** What the client got: status and body, or what app.request rejected with. */
  answers: string[];
  spans: Norm[];
  points: string[];
  active: number;
}

async function runOtel(s: Scenario): Promise<Result> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new Reader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const app = s.build(httpInstrumentationMiddleware({ tracerProvider, meterProvider }) as MiddlewareHandler);
  const answers = await send(s.requests, (path, method) => app.request(path, { method }));
  const finished: ReadableSpan[] = exporter.getFinishedSpans().filter((x) => x.kind === OtelKind.SERVER);
  const names = new Map(finished.map((x) => [x.spanContext().spanId, x.name]));
  const spans = finished.map((x): Norm => {
    const a = x.attributes;
    const url = new URL(String(a['url.full']));
    return {
      name: x.name,
      kind: 'SERVER',
      status: statusName(x.status.code),
      method: a['http.request.method'],
      route: a['http.route'],
      url: url.pathname + url.search,
      code: a['http.response.status_code'],
      exceptions: x.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes?.['exception.type'])}: ${String(e.attributes?.['exception.message'])}`),
      parent: x.parentSpanContext ? (names.get(x.parentSpanContext.spanId) ?? 'other') : null,
    };
  });
  const { resourceMetrics } = await reader.collect();
  const metrics = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics);
  const duration = metrics.find((m) => m.descriptor.name === 'http.server.request.duration');
  const points = (duration?.dataPoints ?? []).map((p) => point(p.attributes, (p.value as { count: number }).count));
  const active = metrics.find((m) => m.descriptor.name === 'http.server.active_requests')?.dataPoints.reduce((n, p) => n + (p.value as number), 0) ?? 0;
  return { answers, spans, points: points.sort(), active };
}

async function runOurs(s: Scenario, underAdapter: boolean): Promise<Result> {
  const { monitor, memory } = createTestMonitor();
  const app = s.build(monitorMiddleware(monitor));
  const handler = underAdapter ? instrument((req) => app.fetch(req), monitor, { traceFetch: false }) : undefined;
  const answers = await send(s.requests, (path, method) =>
    handler ? handler(new Request(`http://localhost${path}`, { method }), undefined) : app.request(path, { method }),
  );
  await monitor.flush();
  const servers = memory.spans.filter((x) => x.kind === SpanKind.SERVER);
  const names = new Map(servers.map((x) => [x.spanId, x.name]));
  const spans = servers.map((x): Norm => {
    const a = x.attributes;
    return {
      name: x.name,
      kind: 'SERVER',
      status: statusName(x.status.code),
      method: a['http.request.method'],
      route: a['http.route'],
      url: String(a['url.path']) + (a['url.query'] ? `?${String(a['url.query'])}` : ''),
      code: a['http.response.status_code'],
      errorType: a['error.type'],
      exceptions: x.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes['exception.type'])}: ${String(e.attributes['exception.message'])}`),
      parent: x.parentSpanId ? (names.get(x.parentSpanId) ?? 'other') : null,
    };
  });
  const snap = monitor.metrics.collect({ temporality: 'cumulative' });
  const duration = snap.metrics.find((m) => m.name === 'http.server.request.duration');
  const points = (duration?.points ?? []).map((p) => point(p.attributes, (p as { count: number }).count));
  const activeM = snap.metrics.find((m) => m.name === 'http.server.active_requests');
  const active = (activeM?.points ?? []).reduce((n, p) => n + ((p as { value: number }).value ?? 0), 0);
  await monitor.shutdown();
  return { answers, spans, points: points.sort(), active };
}

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/**
 * The accepted differences, each turning what @hono/otel records into what the library records.
 * Left out of the comparison altogether: attributes only the library sets (url.path, url.scheme,
 * server.address, server.port, user_agent.original, client.address and network.protocol.version
 * from the Node adapter; @hono/otel sets url.full instead, compared here as path and query), and
 * service.name (a resource attribute in the library). Metric names agree
 * (http.server.request.duration, http.server.active_requests); the library labels the duration
 * also by url.scheme and error.type, and not by service.name.
 */
const ACCEPTED: Array<{ why: string; apply(n: Norm): Norm }> = [
  {
    why: 'HTTP semconv: a method outside the known set is _OTHER (http.request.method_original keeps it) and names the span HTTP',
    apply: (n) => (KNOWN_METHODS.has(String(n.method)) ? n : { ...n, method: '_OTHER', name: n.name.replace(String(n.method), 'HTTP') }),
  },
  {
    why: "a 404 that matched no route has no http.route and a span named by the method; @hono/otel gives the path of its own use() ('/*')",
    apply: (n) => (n.route === '/*' ? { ...n, route: undefined, name: String(n.method) } : n),
  },
  {
    why: 'HTTP semconv: a server span with a 4xx is left unset, the exception still recorded (onError or HTTPException answering 4xx); @hono/otel sets ERROR whenever Hono caught an error',
    apply: (n) => (Number(n.code) < 500 && n.status === 'ERROR' ? { ...n, status: 'UNSET' } : n),
  },
  {
    why: 'HTTP semconv: error.type is the 5xx status when the response was sent; @hono/otel sets no error.type',
    apply: (n) => (n.errorType === undefined && Number(n.code) >= 500 ? { ...n, errorType: String(n.code) } : n),
  },
];

/**
 * What the library should record for @hono/otel's spans: the accepted differences applied, and
 * the span @hono/otel opens again for each copy of its middleware on the same request (a
 * sub-app's own use()) left out, since one monitor counts a request once.
 */
function expected(otel: Norm[], s: Scenario): Norm[] {
  const names = new Set(otel.map((n) => n.name));
  return otel
    .filter((n) => !(n.parent !== null && n.parent === n.name && names.has(n.name)))
    .map((n) => ACCEPTED.reduce((m, a) => a.apply(m), s.accept ? s.accept(n) : n));
}

const order = (spans: Norm[]): Norm[] => [...spans].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
/** One duration point per span, counted once: the metric says what the spans say. */
const pointsOf = (spans: Norm[]): string[] => {
  const counts = new Map<string, number>();
  for (const n of spans) {
    const key = point({ 'http.request.method': n.method, 'http.route': n.route, 'http.response.status_code': n.code, 'error.type': n.errorType }, 0).slice(0, -3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, c]) => `${k} x${c}`).sort();
};

describe('monitorMiddleware against @hono/otel 1.1.2: SERVER span and request-duration points', () => {
  for (const [name, s] of Object.entries(scenarios)) {
    test(name, async () => {
      const otel = await runOtel(s);
      const alone = await runOurs(s, false);
      const adapter = await runOurs(s, true);
      if (process.env.DIFF_DUMP) console.log(name, JSON.stringify({ otel, alone, adapter }, null, 1));
      // Neither middleware changes what the client gets.
      expect(alone.answers).toEqual(otel.answers);
      expect(adapter.answers).toEqual(otel.answers);
      const want = expected(otel.spans, s);
      expect(order(alone.spans)).toEqual(order(want));
      expect(order(adapter.spans)).toEqual(order([...want, ...(s.adapterOnly ?? [])]));
      // Each side's duration points are its spans, one each; nothing left active.
      expect(otel.points).toEqual(pointsOf(otel.spans));
      expect(alone.points).toEqual(pointsOf(alone.spans));
      expect(adapter.points).toEqual(pointsOf(adapter.spans));
      expect([otel.active, alone.active, adapter.active]).toEqual([0, 0, 0]);
    });
  }
});
