import { contextStorage, type ActiveContext } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import { SpanKind, SpanStatus, type SpanContext } from '../model/span-data.js';
import { nothingToExport, type Scope } from '../scope/scope.js';
import { extractIncoming } from '../trace/propagation/propagation.js';
import { measuredFor, NonRecordingSpan, routeSetOn, type Span } from '../trace/span.js';
import { failSpan } from '../trace/tracer.js';
import { newSpanId, newTraceId } from '../trace/ids.js';
import { settleQuietly } from '../diag/callback.js';
import type { Baggage } from '../trace/propagation/baggage.js';
import { now, secondsBetween } from '../time.js';
import { decodedByFetch, withoutEncoding } from './decoded-body.js';
import { addHeaders, requestAttributes, serverSpanName, urlParts, type CaptureOptions, type UrlParts } from './request-attributes.js';
import { httpServerMetrics } from './server-metrics.js';

/** Options shared by every HTTP adapter (Workers, Deno, Bun, Node, Hono, serverless). */
export interface HttpInstrumentationOptions {
  /** The route template (`/users/:id`) for a request, when the router does not set it. */
  route?: (request: Request) => string | undefined;
  /** Continue an incoming `traceparent` (default true). Turn off for public edges that must not trust callers. */
  trustIncomingTrace?: boolean;
  /** Header allow-lists recorded on the server span. */
  captureHeaders?: CaptureOptions;
  /**
   * End the server span when the response body has been sent, not when the handler returns the
   * Response (default false on every runtime: the Response goes back untouched, the same
   * object). Watching a body hands the runtime a new Response around a pipe (an identity
   * TransformStream): workerd charges about 40–120 µs of CPU per request for it, and about 6 ms
   * more per MB of body, and the runtime no longer adds what it derives from the original
   * body (Bun's implicit Content-Type, Deno's Content-Length). Worth it for a streamed body
   * (server-sent events, a proxied download) that should be timed to its last byte.
   */
  waitForBody?: boolean;
  /**
   * Requests to keep out of traces and request metrics: health checks, readiness probes,
   * Prometheus scrapes, a load balancer's probe (`(r) => new URL(r.url).pathname === '/health'`).
   * Called once per request, before anything is recorded; `true` ignores it. An ignored request
   * is served exactly as before: the handler runs and gets its telemetry (`t.scope`, `t.span`,
   * usable as usual), and its Response goes back as the same object. It gets no server span (a
   * non-recording, unsampled one: spans started inside it are not recorded, as under any
   * unsampled parent with a parent-based sampler, the default), no `http.server.request.duration`
   * or `http.server.active_requests` point, no `web.request` hook from the Hono middleware, and its
   * outgoing fetches carry what an unsampled request's carry (the trace continued, not sampled).
   * Logs written inside it are still recorded and exported. A predicate that throws, or returns
   * anything but true, false or undefined (a Promise), leaves the request recorded as usual, and a
   * config diagnostic says so once. Unset, it costs one property check per request.
   */
  ignoreRequest?: (request: Request) => boolean;
}

/**
 * What an adapter adds to the options it hands handleRequest (not an app's option): the request
 * header that names the client, recorded as `client.address` on a recording server span (Workers:
 * `CF-Connecting-IP`). Read here, from the headers read once already: a second `request.headers`
 * is a call into the runtime on workerd, per request.
 */
export interface AdapterHttpOptions extends HttpInstrumentationOptions {
  clientAddressHeader?: string;
}

/** What a handler gets besides the request: its scope and server span, for explicit use. */
export interface RequestTelemetry {
  readonly scope: Scope;
  readonly span: Span;
}

/**
 * What a handler that answers by itself (a Node listener) throws when it fails: the error, and
 * the status the client got, if any was sent. A fetch handler's throw is answered 500 by the
 * adapter; a listener's is not (HTTP semconv: `http.response.status_code` only when one was sent).
 */
export class HandlerError {
  constructor(
    readonly error: unknown,
    readonly status: number | undefined,
  ) {}
}

type WaitUntil = (promise: Promise<unknown>) => void;
type Held = (scope: Scope) => Promise<unknown> | undefined;

/**
 * Requests (their scopes) that a throwing handler, or one returning no Response, leaves
 * unanswered because the runtime sends them on to the origin (Workers'
 * `ctx.passThroughOnException()`): the span records the exception but no
 * `http.response.status_code`, the 500 never being sent (HTTP semconv: only a status sent), as
 * for a request whose client left first (`scope.unanswered`, set by the Node and Bun adapters).
 */
export const passedOn = new WeakSet<Scope>();

/** What a middleware describing a scope's server span does once the answer is known (see whenAnswered). */
type Answered = (status: number | undefined, error: unknown) => void;

/** The scopes whose answer a middleware waits for: an entry only for a request the Hono middleware describes. */
const answering = new WeakMap<Scope, Answered>();

/**
 * Runs `then` once, when the adapter that opened `scope` (and set its `serverSpan`) knows what the
 * client was sent: the status (undefined when none was: a client that left, a request passed on,
 * a timeout) and the error the request failed with, if any. A middleware describing that span
 * (Hono's) records then what a middleware registered before it did after `next()` (a throw
 * answered 500 by onError), which it cannot see when it returns. Never lost, never twice: an
 * adapter that does not say (`answeredWith`) has it run when the scope closes, and a scope
 * closed already (answered without waiting for the handler) runs it at once.
 */
export function whenAnswered(scope: Scope, then: Answered): void {
  if (scope.closed) return runAnswered(then);
  const before = answering.get(scope);
  answering.set(
    scope,
    before === undefined
      ? then
      : (status, error) => {
          runAnswered(before, status, error);
          runAnswered(then, status, error);
        },
  );
  // Closing the scope without answeredWith() (an adapter that knows nothing of it) still runs it.
  scope.beforeClose = () => answeredWith(scope, undefined);
}

/**
 * Tells the middleware waiting on `scope` (whenAnswered) what the client was sent, before the
 * server span ends. A no-op (one WeakMap lookup) for every request nothing waits on.
 */
export function answeredWith(scope: Scope, status: number | undefined, error?: unknown): void {
  const then = answering.get(scope);
  if (then === undefined) return;
  answering.delete(scope);
  runAnswered(then, status, error);
}

function runAnswered(then: Answered, status?: number, error?: unknown): void {
  try {
    then(status, error);
  } catch {
    // telemetry must not break the response
  }
}

/**
 * Runs one HTTP request with a SERVER span, the HTTP server metrics and a scope, then hands
 * the scope's export to `waitUntil` (or leaves it tracked by the monitor). The response is
 * returned unchanged and never waits for export; an exception is recorded and rethrown as is.
 * This is the building block of every HTTP adapter. `held`, called with the scope when the handler
 * is done, may return work the scope waits for before it closes (the handler's own `ctx.waitUntil` work).
 */
export function handleRequest(
  monitor: Monitor,
  request: Request,
  handler: (request: Request, telemetry: RequestTelemetry) => Response | Promise<Response>,
  waitUntil?: WaitUntil,
  options: HttpInstrumentationOptions = {},
  held?: Held,
): Promise<Response> {
  // Not an async function: its frame (saved at the `await`), promise and the `await`'s own
  // reactions were about 0.3 KB per request in workerd. The promise chain below keeps what an
  // `await` did: anything thrown rejects the returned promise, and the handler's value or
  // promise is taken in the same number of microtask turns.
  let r: ServedRequest;
  let result: Response | Promise<Response>;
  try {
    // One property read when the option is unset.
    // (A disabled monitor records nothing anyway: the predicate is not called.)
    if (options.ignoreRequest !== undefined && monitor.enabled && isIgnored(monitor, options.ignoreRequest, request)) return serveIgnored(monitor, request, handler, waitUntil, options, held);
    const url = urlParts(request.url);
    if (url === undefined) return serveUnparsed(monitor, request, handler, waitUntil, held);
    // The per-request state lives in a ServedRequest, not in closures (`finish` was one with a
    // context of its own).
    r = new ServedRequest(monitor, request, url, options, waitUntil, held);
  } catch (err) {
    return Promise.reject(err);
  }
  try {
    result = contextStorage().run(r.active, () => handler(request, r.telemetry));
  } catch (err) {
    try {
      r.failed(err);
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.reject(err);
  }
  return Promise.resolve(result).then(
    (response) => r.respond(response),
    (err: unknown) => {
      r.failed(err);
      throw err;
    },
  );
}

/**
 * Scopes of the requests `ignoreRequest` left out, for a middleware that would describe their
 * server span (the Hono middleware, whose `web.request` hook counts requests): it leaves them alone.
 */
export const ignoredScopes = new WeakSet<Scope>();

/**
 * Whether `predicate` (`ignoreRequest`) ignores `request`: only a `true` does. One that throws or
 * returns anything but a boolean or undefined (an async predicate's Promise, truthy but not an
 * answer) must not reach the request: it is served and recorded as usual, reported once.
 */
export function isIgnored(monitor: Monitor, predicate: (request: Request) => boolean, request: Request): boolean {
  let v: unknown;
  try {
    v = predicate(request);
  } catch (err) {
    optionFailed(monitor, 'ignoreRequest threw', err);
    return false;
  }
  if (v === true) return true;
  if (v !== false && v !== undefined) {
    // An async predicate's rejection would otherwise be unhandled (it ends a Node process).
    settleQuietly(v);
    optionFailed(monitor, 'ignoreRequest returned no boolean (a Promise?)', v);
  }
  return false;
}

/**
 * An option's callback (`route`, `ignoreRequest`) that failed, reported once per monitor (DESIGN
 * 5). diag.report never throws, and builds the message only then: a callback failing on every
 * request costs no text per request.
 */
function optionFailed(monitor: Monitor, what: string, err: unknown, outcome = 'as usual'): void {
  monitor.diag.report('config', () => `${what}${err instanceof Error ? ` (${err.message})` : ''}; the request is recorded ${outcome}`, err, what);
}

/**
 * A request `ignoreRequest` left out: served in a scope of its own (its logs, and the work its
 * handler holds, leave with it) under an unsampled server span, with no HTTP server metric. The
 * handler's answer, or its throw, goes back as it is.
 */
export async function serveIgnored(
  monitor: Monitor,
  request: Request,
  handler: (request: Request, telemetry: RequestTelemetry) => Response | Promise<Response>,
  waitUntil: WaitUntil | undefined,
  options: HttpInstrumentationOptions,
  held: Held | undefined,
): Promise<Response> {
  // The trace goes on as an unsampled request's would: the caller's (or the outer request's)
  // trace id, tracestate and baggage, a span id of its own, the sampled flag off.
  const incoming = options.trustIncomingTrace !== false ? extractIncoming(request.headers, monitor) : {};
  const active = contextStorage().get();
  const outer = incoming.parent === undefined ? nested(monitor, active) : undefined;
  const baggage = outer !== undefined ? outer.baggage : incoming.baggage;
  const scope = monitor.openScope(HTTP_SCOPE);
  waitUntil = within(monitor, active, scope, waitUntil);
  const span = ignoredSpan(monitor, scope, incoming.parent ?? outer?.span?.spanContext(), baggage);
  try {
    return await contextStorage().run({ scope, span, baggage }, () => handler(request, { scope, span }));
  } finally {
    closeScope(scope, waitUntil, held);
  }
}

/**
 * The server span of an ignored request (set as `scope.serverSpan`, the scope marked in
 * ignoredScopes): the span the tracer makes when its sampler drops one (non-recording, the
 * parent's trace and tracestate, a new span id, the sampled flag off), made without asking the
 * sampler: one that samples every root (`always_on`) would record what the app asked to ignore.
 */
export function ignoredSpan(monitor: Monitor, scope: Scope, parent: SpanContext | undefined, baggage: Baggage | undefined): Span {
  // W3C: only the random flag goes on.
  const span = new NonRecordingSpan({ traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), traceFlags: (parent?.traceFlags ?? 0) & 2, traceState: parent?.traceState, isRemote: false });
  span.scope = scope;
  span.baggage = baggage;
  span.owner = monitor;
  scope.serverSpan = span;
  ignoredScopes.add(scope);
  return span;
}

/** A URL no parser here reads: served as it is; its scope is closed, so it is not left open. */
async function serveUnparsed(
  monitor: Monitor,
  request: Request,
  handler: (request: Request, telemetry: RequestTelemetry) => Response | Promise<Response>,
  waitUntil: WaitUntil | undefined,
  held: Held | undefined,
): Promise<Response> {
  const scope = monitor.openScope();
  try {
    return await handler(request, { scope, span: monitor.tracer.startSpan('invalid', { parent: null, scope }) });
  } finally {
    closeScope(scope, waitUntil, held);
  }
}

/** One request handleRequest serves past its URL: its scope, span and metric labels, and how it ends. */
class ServedRequest {
  readonly scope: Scope;
  readonly span: Span;
  readonly active: ActiveContext;
  readonly telemetry: RequestTelemetry;
  readonly #monitor: Monitor;
  readonly #request: Request;
  readonly #options: HttpInstrumentationOptions;
  readonly #waitUntil: WaitUntil | undefined;
  readonly #held: Held | undefined;
  readonly #route: string | undefined;
  readonly #method: string;
  readonly #scheme: string;
  readonly #start: number;
  readonly #metrics: ReturnType<typeof httpServerMetrics>;
  readonly #activeLabels: Record<string, string>;
  #finished = false;

  constructor(monitor: Monitor, request: Request, url: UrlParts, options: HttpInstrumentationOptions, waitUntil: WaitUntil | undefined, held: Held | undefined) {
    this.#monitor = monitor;
    this.#request = request;
    this.#options = options;
    this.#held = held;
    const trust = options.trustIncomingTrace !== false;
    const headers = request.headers; // read once (a call into the runtime on workerd)
    const incoming = trust ? extractIncoming(headers, monitor) : {};
    const remote = incoming.parent;
    const active = contextStorage().get();
    const outer = remote === undefined ? nested(monitor, active) : undefined;
    // Baggage that came without a traceparent is still the caller's (W3C Baggage stands alone); a
    // request served inside another continues its context, baggage the app changed included.
    const baggage = outer !== undefined ? outer.baggage : incoming.baggage;
    const parent = remote ?? outer?.span ?? null;
    const attributes = requestAttributes(request, url, monitor.redactor, options.captureHeaders, headers);
    const method = (this.#method = attributes['http.request.method'] as string);
    const scheme = (this.#scheme = attributes['url.scheme'] as string);
    let route: string | undefined;
    if (options.route) {
      try {
        route = options.route(request);
      } catch (err) {
        // Was silent: every request of the app then went unnamed, and nobody was told why.
        route = undefined;
        optionFailed(monitor, 'route threw', err, 'without a route');
      }
    }
    this.#route = route;
    if (route) attributes['http.route'] = route;
    // Opened only once the request has been read: a header getter that throws (a Node-style
    // request) left a scope that never closed, and the clock never caught up again (enterScope).
    const scope = (this.scope = monitor.openScope(HTTP_SCOPE));
    this.#waitUntil = within(monitor, active, scope, waitUntil);
    // One clock reading starts both the span and the duration metric, one ends both: a reading is
    // an op call on Deno (about 0.1 µs), and there were two more per request.
    const start = (this.#start = now());
    const span = (this.span = monitor.tracer.startSpan(serverSpanName(method, route), { kind: SpanKind.SERVER, parent, attributes, scope, startTime: start }));
    scope.serverSpan = span;
    // An unsampled request's span keeps nothing: no header read for it.
    const clientHeader = (options as AdapterHttpOptions).clientAddressHeader;
    if (clientHeader !== undefined && span.isRecording()) {
      const ip = headers.get(clientHeader);
      if (ip) span.setAttribute('client.address', ip);
    }
    const metrics = (this.#metrics = httpServerMetrics(monitor));
    const activeLabels = (this.#activeLabels = { 'http.request.method': method, 'url.scheme': scheme });
    metrics.active.add(1, activeLabels);
    this.active = { scope, span, baggage };
    this.telemetry = { scope, span };
  }

  /** Ends the span and records the metrics, once: `status` sent (if any), `error` the handler's. */
  finish(status: number | undefined, error?: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    const span = this.span;
    const scope = this.scope;
    try {
      const finalRoute = routeSetOn(span) ?? this.#route;
      // A route set on the span while the request ran (a router's instrumentation, through the
      // API) names it as the `route` option does (HTTP semconv), unless it was renamed already.
      const method = this.#method;
      if (finalRoute !== this.#route && (span as { name?: string }).name === serverSpanName(method)) span.updateName(serverSpanName(method, finalRoute));
      if (error !== undefined) failSpan(span, error);
      // HTTP semconv: the exception's type, the 5xx status, or why no status (or not the whole
      // body) was sent, on the span as on the metric; each an ERROR (a 2xx whose body was cut too).
      const errType = error !== undefined ? errorType(error) : status === undefined ? scope.unanswered && 'connection_closed' : status >= 500 ? String(status) : scope.bodyCut && 'connection_closed';
      if (errType) span.setAttribute('error.type', errType);
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      // Keeps the message of an ERROR set already (an exception, one the framework caught too).
      if (errType && (span as { status?: { code: number } }).status?.code !== SpanStatus.ERROR) span.setStatus(SpanStatus.ERROR);
      const end = now();
      const labels: Record<string, string | number> = { 'http.request.method': method, 'url.scheme': this.#scheme };
      if (status !== undefined) labels['http.response.status_code'] = status;
      if (finalRoute) labels['http.route'] = finalRoute;
      if (errType) labels['error.type'] = errType;
      // Observed for the request's span while it still records (an exemplar comes only from a
      // recording span), named as the one measured for: this runs outside the request's context.
      // Without it the request's duration pointed to no trace. (observe never throws.)
      measuredFor.span = span;
      this.#metrics.duration.observe(secondsBetween(this.#start, end), labels);
      measuredFor.span = undefined;
      span.end(end);
      this.#metrics.active.add(-1, this.#activeLabels);
    } catch {
      // telemetry must not break the response
    }
  }

  /** Hands the scope's export on (see closeScope), once `done` (a watched body) if given. */
  close(done?: Promise<unknown>): void {
    closeScope(this.scope, this.#waitUntil, this.#held, done);
  }

  /** The handler threw (or its promise rejected) `err`. */
  failed(err: unknown): void {
    const scope = this.scope;
    const known = err instanceof HandlerError;
    const status = known ? err.status : scope.unanswered || passedOn.has(scope) ? undefined : 500;
    const error = known ? err.error : err;
    // Before the span ends: a middleware describing it (Hono's) records what happened after it returned.
    answeredWith(scope, status, error);
    this.finish(status, error);
    this.close();
  }

  /** The handler's answer: the span ends now, or when the body has been sent (`waitForBody`). */
  respond(response: Response): Response {
    const { scope, span } = this;
    const options = this.#options;
    const request = this.#request;
    if (!(response instanceof Response) && (response === null || typeof response !== 'object' || typeof (response as Response).status !== 'number')) {
      // Workers, Deno.serve and toNodeListener answer it with a 500 (Bun.serve with an empty 200/204);
      // workerd's TypeError after passThroughOnException() sends the request on to the origin.
      // Ended as a handler's throw of it is (`failed`).
      this.failed(new TypeError('handler did not return a Response'));
      return response;
    }
    try {
      if (options.captureHeaders?.responseHeaders && span.isRecording()) {
        const extra: Record<string, string | number | boolean | string[]> = {};
        addHeaders(extra, 'http.response.header.', response.headers, options.captureHeaders.responseHeaders, this.#monitor.redactor);
        span.setAttributes(extra);
      }
    } catch {
      // ignore exotic header objects
    }
    // A connection closed before the response was sent (a client that left): the status never reached it.
    const status = scope.unanswered ? undefined : response.status;
    // Before the span ends: a middleware describing it (Hono's) records what happened after it
    // returned. Told when the status is sent, not when a watched body ends (an event stream runs for hours).
    answeredWith(scope, status);
    // Not watched (`response.body` is not even read, so workerd keeps its fast path for a body
    // it holds in full): the span ends now, the response goes back as it is.
    const body = options.waitForBody !== true || status === 101 || status === undefined || request.method === 'HEAD' ? null : response.body;
    if (body === null) {
      this.finish(status);
      this.close();
      return response;
    }
    return this.#watch(response, status, body);
  }

  /**
   * `respond` for a body to watch: the span ends when it has been sent. A method of its own: the
   * closures below made `respond` allocate their context for every request, watched or not.
   */
  #watch(response: Response, status: number | undefined, body: ReadableStream<Uint8Array>): Response {
    const { scope, span } = this;
    const request = this.#request;
    let pipe: TransformStream<Uint8Array, Uint8Array> | undefined;
    // Set when the client stops reading (the pipe's readable cancelled): workerd then fulfils
    // pipeTo as for a body sent in full, where the other runtimes reject it.
    let left = false;
    if (!(response as { webSocket?: unknown }).webSocket) {
      // The span ends when the body has been handed on in full, through an identity TransformStream.
      // Not workerd's IdentityTransformStream, though cheaper per chunk: workerd refuses to pipe into
      // it a tee branch (a cloned Response) or the readable of another IdentityTransformStream or
      // FixedLengthStream (an empty body, or one that never ends), and nothing tells those apart.
      try {
        pipe = new TransformStream<Uint8Array, Uint8Array>({ cancel: () => void (left = true) } as {});
      } catch {
        // no pipe: the span ends now, as for a body not watched
      }
    }
    if (pipe === undefined) {
      this.finish(status);
      this.close();
      return response;
    }
    // Shutdown ends a body still streaming (an SSE stream): its span ends incomplete and its
    // export runs in the exit flush, not after it (see endStreamingBodies).
    let bodies = streaming.get(this.#monitor);
    if (bodies === undefined) streaming.set(this.#monitor, (bodies = new Set()));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const end = (): void => {
      span.setAttribute('http.response.body.incomplete', true);
      this.finish(status);
      stop();
    };
    bodies.add(end);
    const piped = body.pipeTo(pipe.writable);
    void piped.then(
      () => bodies.delete(end),
      () => bodies.delete(end),
    );
    const failed = (): Promise<void> | void => {
      // The client went away or the body failed mid-way: the span ends with what was sent.
      span.setAttribute('http.response.body.incomplete', true);
      const cut = (): void => {
        if (!endsWithItsClient(response.headers.get('content-type'))) scope.bodyCut = true;
        this.finish(status);
      };
      // Told apart by the body: pipeTo cancelled it for a client that left (it reads as closed);
      // one that failed reads as errored, its error recorded as a handler's, unless it failed with
      // the request signal's abort: a proxied stream (fetch with request.signal) the client left.
      try {
        return body.getReader().closed.then(cut, (error: unknown) => (leftWith(request, error) ? cut() : this.finish(status, error)));
      } catch {
        cut();
      }
    };
    const done = Promise.race([piped, stopped]).then(() => (left ? failed() : this.finish(status)), failed);
    this.close(done);
    try {
      // The Response itself as init: workerd then carries over what no init dictionary can read
      // back from it (`encodeBody: 'manual'` of a pre-compressed body would otherwise be gzipped
      // twice), and the other runtimes read its status, statusText and headers.
      return new Response(pipe.readable, decodedByFetch(response) ? { status, statusText: response.statusText, headers: withoutEncoding(response.headers) } : response);
    } catch {
      this.finish(status);
      return response;
    }
  }
}

const HTTP_SCOPE = { name: 'http' } as const;

/** Per monitor, how to end each watched response body still streaming (`waitForBody`). */
const streaming = new WeakMap<object, Set<() => void>>();

/**
 * Ends the spans of `monitor`'s responses whose bodies are still streaming (`waitForBody`), as
 * `http.response.body.incomplete`: at shutdown a response that never ends (server-sent events)
 * would hold its span, and its request's export, past the exit flush.
 */
export function endStreamingBodies(monitor: object): void {
  const bodies = streaming.get(monitor);
  if (bodies === undefined) return;
  streaming.delete(monitor);
  for (const end of bodies) {
    try {
      end();
    } catch {
      // the others still end
    }
  }
}

/** The reasons an adapter aborts a request's signal with when its client left (toNodeListener's). */
export const clientLeftReasons = new WeakSet<object>();

/** Whether a body failed with the abort of the request's signal: its client left. */
function leftWith(request: Request, error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  if (clientLeftReasons.has(error)) return true;
  // The signal is read only for an AbortError (Deno's, Bun's, workerd's reason): Deno prints a
  // warning on the first read of a request's signal, which an app that never read it must not get.
  if ((error as { name?: unknown }).name !== 'AbortError') return false;
  try {
    const signal = request.signal;
    return signal?.aborted === true && signal.reason === error;
  } catch {
    return false;
  }
}

/**
 * A request served inside another invocation of the same monitor (a cron or an RPC method calling
 * `app.request()`) continues the span active there; any other request without `traceparent`
 * starts a trace. Only an open scope of this monitor counts: a server started inside a span
 * (Node's requests inherit the context of `listen()`) must not make every request its child.
 */
function nested(monitor: Monitor, active: ActiveContext | undefined): ActiveContext | undefined {
  return active?.span !== undefined && active.scope?.owner === monitor && !active.scope.closed ? active : undefined;
}

/**
 * A request served inside another of the same monitor (Hono's `app.request('/internal')` in a
 * route) goes on with what the outer invocation set up: its traced `fetch` and Cache API reporting
 * (Workers), and, given no `waitUntil` of its own (no execution context passed along), the outer
 * scope's, which keeps the invocation alive for its export. Without it, an outgoing fetch inside
 * was not traced and sent no traceparent, and the export was held by nothing: on Workers it could
 * be cut when the outer request ended. Returns the `waitUntil` to use.
 */
function within(monitor: Monitor, active: ActiveContext | undefined, scope: Scope, waitUntil: WaitUntil | undefined): WaitUntil | undefined {
  const around = active?.scope;
  if (around === undefined || around.owner !== monitor) return waitUntil;
  scope.tracedFetch ??= around.tracedFetch;
  scope.bindings ??= around.bindings;
  return waitUntil ?? (around.closed ? undefined : waitUntilOf(around));
}

/** `scope.waitUntil` as a function (a closure made here: within() then allocates no context for each request). */
function waitUntilOf(scope: Scope): WaitUntil {
  return (p) => void scope.waitUntil(p);
}

/**
 * Hands the scope's export to waitUntil: at once (unless nothing left with it), or once `done`
 * (the body) and the work `held` returns have settled.
 */
function closeScope(scope: Scope, waitUntil: WaitUntil | undefined, held: Held | undefined, done?: Promise<unknown>): void {
  try {
    const work = held?.(scope);
    if (work) done = done ? Promise.all([done, work]) : work;
    if (done !== undefined) {
      const p = closeAfter(scope, done);
      if (waitUntil) waitUntil(p);
      return;
    }
    const p = scope.close();
    if (waitUntil && p !== nothingToExport()) waitUntil(p);
  } catch {
    // a waitUntil that throws (outside a request) must not fail the response
  }
}

/** Closes `scope` once `done` has settled (a closure made here: closeScope then allocates no context for each request). */
function closeAfter(scope: Scope, done: Promise<unknown>): Promise<unknown> {
  return done.then(() => scope.close());
}

/**
 * Whether a response of this Content-Type ends when its client closes it: a server-sent-events
 * stream runs until the client goes, so a client that left is its normal end, recorded as
 * `http.response.body.incomplete` without `error.type` (error rates would otherwise count every
 * SSE client that closed its tab).
 */
export function endsWithItsClient(contentType: unknown): boolean {
  return typeof contentType === 'string' && /^\s*text\/event-stream\b/i.test(contentType);
}

/** `error.type` of a thrown value (recording-errors conventions): an Error's name, else the value's type. */
export function errorType(err: unknown): string {
  // Never throws, and always a string: a `name` getter that throws left the server span unended,
  // active_requests one too high and the duration unrecorded; a `name` of 42 was a number.
  try {
    if (err instanceof Error) {
      const name: unknown = err.name;
      return typeof name === 'string' && name ? name : 'Error';
    }
  } catch {
    return 'Error';
  }
  return typeof err;
}
