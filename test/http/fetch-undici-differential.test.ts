/**
 * Traced fetch differential test: each scenario is a call of Node's fetch to a local server, made
 * inside an active span (a child of an incoming traceparent with tracestate and baggage), run
 * three ways: with `@opentelemetry/instrumentation-undici` 0.33.0 (diagnostics_channel, in this
 * process; sdk-trace-base and sdk-metrics readers), with `instrumentFetch(monitor, fetch)`, and
 * with the global fetch as the adapters patch it (`traceGlobalFetch`). The CLIENT spans (name,
 * kind, status, attributes, exception events, parent), the trace headers the server received
 * and the `http.client.request.duration` points are normalised and must be equal, apart from the
 * differences listed in ACCEPTED; each accepted difference must still occur somewhere.
 * instrumentation-undici emits the stable HTTP conventions without OTEL_SEMCONV_STABILITY_OPT_IN;
 * it is enabled only while its side runs (else it would also inject into the library's fetches,
 * a second traceparent the recorded headers would show).
 */
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind as OtelKind, type Tracer as OtelTracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setContextStorage } from '../../src/index.js';
import { traceGlobalFetch, untraceGlobalFetch } from '../../src/adapter/process-server.js';
import { instrumentFetch, type FetchFn, type FetchInstrumentationOptions } from '../../src/http/instrument-fetch.js';
import { extractContext } from '../../src/trace/propagation/propagation.js';
import { SpanKind } from '../../src/model/span-data.js';
import type { Monitor } from '../../src/monitor.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { CollectingReader } from '../otel/helpers/sdk-reader.js';

/** The incoming request the parent span continues: a remote parent, a tracestate and baggage. */
const INCOMING = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'vendor=abc',
  baggage: 'user.id=42,tenant=acme',
};
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

interface Env {
  /** http://127.0.0.1:<port> of the test server. */
  base: string;
  /** http://127.0.0.1:<port> where nothing listens. */
  closed: string;
}
/** A call of fetch; the runner reads the body of what it returns. */
type Call = (f: FetchFn, env: Env) => Promise<Response>;
interface Scenario {
  call: Call;
  /** The library's options (instrumentFetch and traceGlobalFetch). */
  options?: FetchInstrumentationOptions;
  /** Called outside any span (at start-up, say) rather than inside the parent. */
  outside?: true;
}

/** A fetch to /slow, aborted once the server has the request (so its headers are recorded). */
const aborted = (reason?: unknown): Call => async (f, { base }) => {
  const ac = new AbortController();
  const arrived = nextArrival();
  const p = f(`${base}/slow`, { signal: ac.signal });
  await arrived;
  ac.abort(reason);
  return p;
};

const scenarios: Record<string, Scenario> = {
  '200 with a body': { call: (f, { base }) => f(`${base}/ok`) },
  '404': { call: (f, { base }) => f(`${base}/missing`) },
  '500': { call: (f, { base }) => f(`${base}/fail`) },
  'redirect 302 then 200': { call: (f, { base }) => f(`${base}/redirect`) },
  'a slow response the caller aborts (AbortController)': { call: aborted() },
  'a slow response the caller aborts with a reason of its own': { call: aborted(new Error('superseded')) },
  // As AbortSignal.timeout() aborts, without waiting for a timer.
  'a timeout (the signal aborted with a TimeoutError)': { call: aborted(new DOMException('The operation timed out.', 'TimeoutError')) },
  'connection refused (a closed port)': { call: (f, { closed }) => f(`${closed}/ok`) },
  HEAD: { call: (f, { base }) => f(`${base}/ok`, { method: 'HEAD' }) },
  'POST with a body': { call: (f, { base }) => f(`${base}/echo`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } }) },
  'a query with a secret': { call: (f, { base }) => f(`${base}/search?q=otel&token=abc`) },
  // Never sent, but part of the URL the caller asked for; a secret in it is redacted as in the query.
  'a URL with a fragment': { call: (f, { base }) => f(`${base}/ok#section-2&access_token=xyz`) },
  // fetch refuses it before sending anything (a Request cannot carry credentials): no span on either side.
  'userinfo in the URL': { call: (f, { base }) => f(base.replace('http://', 'http://user:pw@') + '/ok') },
  'an unknown method (PURGE)': { call: (f, { base }) => f(`${base}/cache/k`, { method: 'PURGE' }) },
  'a Request object with headers of its own': { call: (f, { base }) => f(new Request(`${base}/ok`, { headers: { 'x-app': '1' } })) },
  'outside any span': { call: (f, { base }) => f(`${base}/ok`), outside: true },
  'outside any span, requireParent: false': { call: (f, { base }) => f(`${base}/ok`), outside: true, options: { requireParent: false } },
  'a traceparent the caller set': {
    call: (f, { base }) => f(`${base}/ok`, { headers: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01', tracestate: 'old=1' } }),
  },
  'the connection lost while the body is read': { call: (f, { base }) => f(`${base}/cut`) },
  // No HTTP request at all: fetch answers it itself.
  'a data: URL': { call: (f) => f('data:text/plain,inline') },
  'a host propagateTo does not allow': { call: (f, { base }) => f(`${base}/ok`), options: { propagateTo: { allow: ['api.internal'] } } },
};

// ---- the server: answers the scenarios and records the trace headers each request carried ----

interface Arrival {
  method: string;
  path: string;
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
}
let arrivals: Arrival[] = [];
let arrivalWaiter: (() => void) | undefined;
const nextArrival = (): Promise<void> => new Promise((r) => (arrivalWaiter = r));

function answer(req: IncomingMessage, res: ServerResponse): void {
  const h = (n: string) => req.headers[n] as string | undefined;
  arrivals.push({ method: req.method!, path: req.url!, traceparent: h('traceparent'), tracestate: h('tracestate'), baggage: h('baggage') });
  const path = req.url!.split('?')[0];
  const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
  if (path === '/ok' || path === '/search' || path === '/cache/k') return send(200, 'hello');
  if (path === '/fail') return send(500, 'boom');
  if (path === '/redirect') return send(302, '', { location: '/ok' });
  if (path === '/echo') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => send(201, `got ${body}`));
    return;
  }
  if (path === '/cut') {
    // Headers and part of the body, then the connection is lost.
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    res.write('part', () => res.destroy());
    return;
  }
  if (path === '/slow') {
    // Never answered: the client aborts once it is here.
    arrivalWaiter?.();
    return;
  }
  send(404, 'no');
}

// ---- normalised results ----

/** One CLIENT span, as both sides can say it. */
interface Norm {
  name: string;
  kind: string;
  status: string;
  /** Whether the status has a description. */
  statusMessage: boolean;
  parent: string;
  attributes: Record<string, unknown>;
  exceptions: string[];
}
interface Result {
  /** What the caller got: status and body, or what fetch rejected with. */
  answer: string;
  spans: Norm[];
  /** What the server received: method, path and the trace headers, ids as span names. */
  headers: string[];
  /** The http.client.request.duration points: attributes and count. */
  points: Point[];
}
interface Point {
  attributes: Record<string, unknown>;
  count: number;
}

const statusName = (code: number) => ['UNSET', 'OK', 'ERROR'][code]!;
let ports: Record<string, string> = {};
/** Ports vary per run: named by what listens there. */
const portless = (v: unknown): unknown =>
  typeof v === 'string' ? Object.entries(ports).reduce((s, [p, n]) => s.split(p).join(n), v) : typeof v === 'number' && ports[String(v)] ? ports[String(v)] : v;
const norm = (a: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(a).sort().map((k) => [k, portless(a[k])]));

/** The trace headers a request carried, their ids named by the span they stand for. */
function describeHeaders(ids: Map<string, string>): string[] {
  return arrivals.map((a) => {
    let tp = 'none';
    if (a.traceparent) {
      const [v, trace, span, flags] = a.traceparent.split('-');
      tp = `${v}-${trace === TRACE_ID ? 'trace' : 'other-trace'}-${ids.get(span!) ?? 'other-span'}-${flags}`;
    }
    return `${a.method} ${String(portless(a.path))} traceparent=${tp} tracestate=${a.tracestate ?? 'none'} baggage=${a.baggage ?? 'none'}`;
  });
}

const point = (a: Record<string, unknown>, count: number): Point => ({ attributes: norm(a), count });
const sorted = (points: Point[]): Point[] => [...points].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

async function call(s: Scenario, f: FetchFn, env: Env): Promise<string> {
  try {
    const res = await s.call(f, env);
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return `threw ${e.name}: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
  }
}

// ---- the reference: @opentelemetry/instrumentation-undici ----

const undici = new UndiciInstrumentation();
undici.disable();

async function runReference(s: Scenario, env: Env): Promise<Result> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader('cumulative');
  const meterProvider = new MeterProvider({ readers: [reader] });
  undici.setTracerProvider(tracerProvider);
  undici.setMeterProvider(meterProvider);
  const tracer: OtelTracer = tracerProvider.getTracer('test');
  arrivals = [];
  let answer: string;
  undici.enable();
  try {
    const incoming = propagation.extract(ROOT_CONTEXT, INCOMING);
    answer = s.outside
      ? await call(s, fetch, env)
      : await tracer.startActiveSpan('parent', {}, incoming, async (parent) => {
          try {
            return await call(s, fetch, env);
          } finally {
            parent.end();
          }
        });
  } finally {
    undici.disable();
  }
  const finished = exporter.getFinishedSpans();
  const ids = new Map(finished.map((x) => [x.spanContext().spanId, x.kind === OtelKind.CLIENT ? `client${finished.filter((c) => c.kind === OtelKind.CLIENT).indexOf(x)}` : x.name]));
  const spans = finished
    .filter((x) => x.kind === OtelKind.CLIENT)
    .map((x): Norm => ({
      name: x.name,
      kind: 'CLIENT',
      status: statusName(x.status.code),
      statusMessage: !!x.status.message,
      parent: x.parentSpanContext ? (ids.get(x.parentSpanContext.spanId) ?? 'other') : 'none',
      attributes: norm(x.attributes),
      exceptions: x.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes?.['exception.type'])}: ${String(portless(e.attributes?.['exception.message']))}`),
    }));
  const { resourceMetrics } = await reader.collect();
  const duration = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).find((m) => m.descriptor.name === 'http.client.request.duration');
  const points = (duration?.dataPoints ?? []).map((p) => point(p.attributes, (p.value as { count: number }).count));
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  return { answer, spans, headers: describeHeaders(ids), points: sorted(points) };
}

// ---- the library: instrumentFetch, and the global fetch the adapters patch ----

async function runOurs(s: Scenario, env: Env, how: 'instrumentFetch' | 'global fetch'): Promise<Result> {
  const { monitor, memory } = createTestMonitor();
  let f: FetchFn;
  if (how === 'global fetch') {
    traceGlobalFetch(monitor, s.options);
    f = (input, init) => globalThis.fetch(input, init);
  } else {
    f = instrumentFetch(monitor, globalThis.fetch, s.options);
  }
  arrivals = [];
  let answer: string;
  try {
    answer = s.outside
      ? await call(s, f, env)
      : await monitor.tracer.startActiveSpan('parent', { parent: extractContext(INCOMING) }, async (parent) => {
          try {
            return await call(s, f, env);
          } finally {
            parent.end();
          }
        });
  } finally {
    if (how === 'global fetch') untraceGlobalFetch();
  }
  return collectOurs(monitor, memory.spans, answer);
}

async function collectOurs(monitor: Monitor, recorded: ReturnType<typeof createTestMonitor>['memory']['spans'], answer: string): Promise<Result> {
  await monitor.flush();
  const clients = recorded.filter((x) => x.kind === SpanKind.CLIENT);
  const ids = new Map(recorded.map((x) => [x.spanId, x.kind === SpanKind.CLIENT ? `client${clients.indexOf(x)}` : x.name]));
  const spans = clients.map((x): Norm => ({
    name: x.name,
    kind: 'CLIENT',
    status: statusName(x.status.code),
    statusMessage: !!x.status.message,
    parent: x.parentSpanId ? (ids.get(x.parentSpanId) ?? 'other') : 'none',
    attributes: norm(x.attributes),
    exceptions: x.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes['exception.type'])}: ${String(portless(e.attributes['exception.message']))}`),
  }));
  const snap = monitor.metrics.collect({ temporality: 'cumulative' });
  const duration = snap.metrics.find((m) => m.name === 'http.client.request.duration');
  const points = (duration?.points ?? []).map((p) => point(p.attributes, (p as { count: number }).count));
  await monitor.shutdown();
  return { answer, spans, headers: describeHeaders(ids), points: sorted(points) };
}

// ---- the accepted differences ----

const without = (a: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(a).filter(([k]) => !keys.includes(k)));
const spansOf = (r: Result, f: (n: Norm) => Norm): Result => ({ ...r, spans: r.spans.map(f) });
const pointsOf = (r: Result, f: (a: Record<string, unknown>) => Record<string, unknown>): Result => ({
  ...r,
  points: sorted(r.points.map((p) => ({ ...p, attributes: f(p.attributes) }))),
});
/** A span with no error: status unset, no error.type, no exception (a cancellation, an error after the span ended). */
const noError = (r: Result): Result => ({
  ...spansOf(r, (n) => ({ ...n, status: 'UNSET', statusMessage: false, exceptions: [], attributes: without(n.attributes, ['error.type']) })),
  points: sorted(r.points.map((p) => ({ ...p, attributes: without(p.attributes, ['error.type']) }))),
});

/**
 * Each turns what instrumentation-undici records for a scenario into what the library records,
 * with the reason. `used` counts the scenarios it changed: one that changes nothing anywhere
 * fails the last test (the difference is gone; take it out).
 */
const ACCEPTED: Array<{ why: string; apply(r: Result, scenario: string): Result; used?: number }> = [
  {
    why: "HTTP semconv, client span: url.scheme and user_agent.original are Opt-In; url.path and url.query are no client span attributes (undici's url.query even keeps the '?'); network.peer.address, network.peer.port and network.protocol.version are the connection's, which fetch does not expose",
    apply: (r) =>
      spansOf(r, (n) => ({
        ...n,
        attributes: without(n.attributes, ['url.scheme', 'user_agent.original', 'url.path', 'url.query', 'network.peer.address', 'network.peer.port', 'network.protocol.version']),
      })),
  },
  {
    why: 'HTTP semconv: http.request.method_original only if it differs from http.request.method; instrumentation-undici always sets it',
    apply: (r) =>
      spansOf(r, (n) => (n.attributes['http.request.method_original'] === n.attributes['http.request.method'] ? { ...n, attributes: without(n.attributes, ['http.request.method_original']) } : n)),
  },
  {
    why: 'http.client.request.duration: url.scheme is Opt-In, and network.protocol.version is unknown to fetch',
    apply: (r) => pointsOf(r, (a) => without(a, ['url.scheme', 'network.protocol.version'])),
  },
  {
    why: 'redirects: the library wraps fetch, which follows them inside: one span per call (HTTP semconv: MAY create a span for the top-most operation, url.full the URL first requested) with the final status, its traceparent on every hop, one duration point; instrumentation-undici sees each hop (a span, a traceparent and a point each)',
    apply: (r) => {
      if (r.spans.length < 2) return r;
      const first = r.spans[0]!;
      const last = r.spans[r.spans.length - 1]!;
      return {
        ...r,
        spans: [{ ...last, attributes: { ...last.attributes, 'url.full': first.attributes['url.full'] } }],
        headers: r.headers.map((h) => h.replace(/client\d+/, 'client0')),
        points: r.points.filter((p) => !String(p.attributes['http.response.status_code']).startsWith('3')),
      };
    },
  },
  {
    why: 'secret query values are REDACTED in url.full (monitor.redactor; HTTP semconv: sensitive content SHOULD be scrubbed); instrumentation-undici records the URL as given',
    apply: (r) => spansOf(r, (n) => ({ ...n, attributes: { ...n.attributes, 'url.full': String(n.attributes['url.full']).replace('token=abc', 'token=REDACTED') } })),
  },
  {
    why: 'HTTP semconv: url.full includes the fragment when it is known, though it is never sent (secrets in it REDACTED); instrumentation-undici sees the request as sent, without it',
    apply: (r, scenario) =>
      scenario === 'a URL with a fragment' ? spansOf(r, (n) => ({ ...n, attributes: { ...n.attributes, 'url.full': `${String(n.attributes['url.full'])}#section-2&access_token=REDACTED` } })) : r,
  },
  {
    why: "a timeout: instrumentation-undici's error.type and exception type are the DOMException's numeric code (23: it reads error.code before error.name); the library records the name, TimeoutError (error.type is a string class of error)",
    apply: (r) => {
      const fix = (a: Record<string, unknown>) => (a['error.type'] === 23 ? { ...a, 'error.type': 'TimeoutError' } : a);
      return pointsOf(
        spansOf(r, (n) => ({ ...fix({ ...n }), attributes: fix(n.attributes), exceptions: n.exceptions.map((e) => e.replace(/^23:/, 'TimeoutError:')) }) as Norm),
        fix,
      );
    },
  },
  {
    why: 'a network failure: the exception event is the error fetch rejected with (TypeError: fetch failed), the one the caller catches; instrumentation-undici records the socket error it saw on the diagnostics channel (connect ECONNREFUSED ...). error.type is ECONNREFUSED on both',
    apply: (r) => spansOf(r, (n) => (n.attributes['error.type'] === 'ECONNREFUSED' ? { ...n, exceptions: ['TypeError: fetch failed'] } : n)),
  },
  {
    why: 'a signal the caller aborted with a reason of its own is a cancellation too (HTTP semconv: a request cancelled on purpose is no error: status unset, no error.type); instrumentation-undici recognises the AbortError name only',
    apply: (r, scenario) => (scenario === 'a slow response the caller aborts with a reason of its own' ? noError(r) : r),
  },
  {
    why: 'propagateTo: no trace headers to a host it does not allow (the span is still recorded); instrumentation-undici has no such option and sends them to every host',
    apply: (r, scenario) =>
      scenario === 'a host propagateTo does not allow' ? { ...r, headers: r.headers.map((h) => h.replace(/traceparent=.*$/, 'traceparent=none tracestate=none baggage=none')) } : r,
  },
  {
    why: 'requireParent (default true): a fetch made outside any span or request scope (at start-up, say) stays untraced, no span, no point, no headers; instrumentation-undici traces it as a root span (its requireParentforSpans is off by default). With requireParent: false the two agree',
    apply: (r, scenario) => (scenario === 'outside any span' ? { ...r, spans: [], points: [], headers: r.headers.map((h) => h.replace(/traceparent=\S+/, 'traceparent=none')) } : r),
  },
  {
    why: "trace headers the caller set are replaced: instrumentation-undici adds a second traceparent (a request W3C trace context tells receivers to ignore then) and joins the caller's tracestate to its own",
    apply: (r, scenario) =>
      scenario === 'a traceparent the caller set' ? { ...r, headers: r.headers.map((h) => h.replace(/traceparent=.* baggage=/, 'traceparent=00-trace-client0-01 tracestate=vendor=abc baggage=')) } : r,
  },
  {
    why: "the span ends when the response headers arrive (HTTP semconv, client span duration: the body is the caller's to read or not), so a connection lost while the body is read fails the caller's read, not the span (UNSET, its 200, no error.type); instrumentation-undici ends its span at the response's end and records the socket error (UND_ERR_SOCKET)",
    apply: (r, scenario) => (scenario === 'the connection lost while the body is read' ? noError(r) : r),
  },
];

function expected(ref: Result, scenario: string): Result {
  return ACCEPTED.reduce((r, a) => {
    const next = a.apply(r, scenario);
    if (JSON.stringify(next) !== JSON.stringify(r)) a.used = (a.used ?? 0) + 1;
    return next;
  }, ref);
}

// ---- running ----

let server: Server;
let env: Env;
const manager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  setContextStorage(AsyncLocalStorage);
  context.setGlobalContextManager(manager.enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // A port that was just free, closed again: connections to it are refused.
  const spare = createServer().listen(0, '127.0.0.1');
  await once(spare, 'listening');
  const closedPort = (spare.address() as AddressInfo).port;
  await new Promise((r) => spare.close(r));
  const port = (server.address() as AddressInfo).port;
  ports = { [String(port)]: 'PORT', [String(closedPort)]: 'CLOSED_PORT' };
  env = { base: `http://127.0.0.1:${port}`, closed: `http://127.0.0.1:${closedPort}` };
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  propagation.disable();
  context.disable();
});

describe('traced fetch against @opentelemetry/instrumentation-undici 0.33.0: CLIENT spans, trace headers, http.client.request.duration', () => {
  for (const [name, s] of Object.entries(scenarios)) {
    test(name, async () => {
      const reference = await runReference(s, env);
      const wrapped = await runOurs(s, env, 'instrumentFetch');
      const global = await runOurs(s, env, 'global fetch');
      if (process.env.DIFF_DUMP) appendFileSync(process.env.DIFF_DUMP, `${JSON.stringify({ name, reference, wrapped, global })}\n`);
      // Both sides give the caller the same answer, and the global fetch records what instrumentFetch does.
      expect(global).toEqual(wrapped);
      // HTTP semconv: url.full never carries credentials.
      expect(JSON.stringify(wrapped.spans)).not.toContain('pw@');
      expect(wrapped).toEqual(expected(reference, name));
    });
  }

  test('every accepted difference still occurs', () => {
    expect(ACCEPTED.filter((a) => !a.used).map((a) => a.why)).toEqual([]);
  });
});
