import type { Redactor } from '../../../src/attributes/redact.js';
import type { EnvRecord } from '../../../src/config/env.js';
import { contextStorage } from '../../../src/context/active.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import {
  createServerHandler,
  type InstrumentedHandler,
  type ServerHandler,
  type ServerInstrumentationOptions,
} from '../../../src/adapter/process-server.js';
import { checkHttpOptions, HTTP_OPTION_KEYS, kindOf } from '../../../src/config/option-keys.js';
import { answeredWith, isIgnored, serveIgnored, type RequestTelemetry } from '../../../src/http/handle-request.js';
import { addHeaders, normalizeMethod, serverSpanName, urlParts } from '../../../src/http/request-attributes.js';
import { forwardedClient, forwardedView, originalRequest, trustFunctionFailed, trustProxyOption, webHeaders, type ReadForwarded, type TrustProxy } from '../../../src/http/trust-proxy.js';
import type { Attributes } from '../../../src/model/attributes.js';
import type { Span } from '../../../src/trace/span.js';
import { guardFetchFromDenoOtel } from './deno-fetch.js';
import { readDenoFetchCodes } from './fetch-code.js';
import { activeDenoSpan, denoOtelEnabled } from './deno-otel.js';
import { followDenoExporter } from './deno-otel-env.js';
import { denoEnv, denoEnvReadable, type DenoServeInfo } from './deno-types.js';

// Deno's fetch failures carry no code, only the OS error's text: every traced fetch of a process
// that loads this adapter reads it (ECONNREFUSED, ENOTFOUND... in `error.type`, as on Node and Bun).
readDenoFetchCodes();

/** A handler for `Deno.serve`: the request, Deno's info, and the request's telemetry. */
export type DenoHandler = (request: Request, info: DenoServeInfo, telemetry: RequestTelemetry) => Response | Promise<Response>;

export interface DenoInstrumentationOptions extends ServerInstrumentationOptions {
  /**
   * What to do when Deno's built-in OpenTelemetry is on (`OTEL_DENO=true`), which already
   * exports a SERVER span per request, fetch CLIENT spans and the HTTP server metrics:
   * - `'join'`: make no SERVER span, HTTP metrics or fetch spans of our own; Deno's SERVER span
   *   is the request's server span (named and given `http.route` by the Hono middleware, parent
   *   of the spans made with `monitor.tracer`), and the scope's spans, logs and metrics go to
   *   this monitor's backends. Nothing is exported twice.
   * - `'separate'`: ignore Deno's telemetry and make our own as everywhere else (Deno's SERVER
   *   span and ours are then two spans in two traces, each exported by its owner).
   * - `'auto'` (default): `'join'` when `OTEL_DENO=true`, otherwise `'separate'`. Without env
   *   permission for `OTEL_DENO`, Deno's OpenTelemetry counts as on when its tracer provider is
   *   the one registered in the global OpenTelemetry API (Deno registers it only then).
   *
   * When joined, attributes set on Deno's span through this library are redacted as they are
   * set (Deno exports it, not the monitor); `route` and `captureHeaders` are set on Deno's span.
   * `trustIncomingTrace: false` never joins: Deno made its span from the caller's `traceparent`,
   * so the adapter serves with its own SERVER span in a new trace, as `'separate'` does (and says
   * so once through diagnostics). `waitForBody` cannot apply to Deno's span (Deno ends it when
   * the response headers are sent) and is reported once. The attributes Deno sets itself on its
   * span (`url.full`, `url.query`) keep the query as sent: Deno appends a second value for a key
   * set again, it never replaces one, so those cannot be redacted here.
   *
   * In every mode, while Deno's OpenTelemetry is on, the global `fetch` is wrapped once beneath
   * the library's traced fetch: Deno appends no `traceparent` of its own to a request that
   * already has one (ours in 'separate' mode, or the app's), and none to the monitor's exporter
   * requests. With a parent-based sampler (`OTEL_TRACES_SAMPLER=parentbased_*`) Deno makes no
   * span of those exporter requests; under Deno's default sampler it still does (Deno 2.9 has no
   * way to leave a fetch untraced).
   */
  denoOtel?: 'auto' | 'join' | 'separate';
  /**
   * Which reverse proxies in front of the server (nginx, a load balancer) are trusted to say who
   * the client is and which URL it asked for, as the Node adapter's `trustProxy` (same values and
   * rules): `false` (default), `true`, a number of proxies, or `(address, hop) => boolean`, asked
   * about `info.remoteAddr.hostname` (hop 0) and then each address of the chain. The span's and the
   * metrics' `url.scheme`, `server.address`/`server.port` and `client.address` then come from
   * `X-Forwarded-Proto`/`-Host`/`-For` (or `Forwarded`).
   *
   * Only the telemetry: the handler gets Deno's own Request and `info`, untouched (`request.url`
   * stays the URL Deno was asked for). A copy of the Request with another URL is refused by
   * `Deno.upgradeWebSocket` and would consume its body, so the span reads a view of it instead;
   * `route` and `ignoreRequest` are given that view (its `url` the forwarded one) where the library
   * makes the SERVER span. Read the headers
   * yourself where the app needs the public URL. Off, it costs nothing per request. While Deno's
   * SERVER span is joined (`denoOtel`), these attributes are set on Deno's span, and Deno's own
   * HTTP metrics keep what Deno saw.
   */
  trustProxy?: TrustProxy;
}

/**
 * Wraps a `Deno.serve` handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`). With `OTEL_DENO=true` it joins Deno's own
 * telemetry instead of duplicating it (see `denoOtel`).
 *
 * @param handler `(request, info, telemetry) => Response`
 * @param config monitor, options or `(env) => options`; OTEL_* from `Deno.env` apply: all of it with
 *   `--allow-env`, the granted OTEL_* variables with `--allow-env=OTEL_SERVICE_NAME,...`; no
 *   permission is ever requested (no prompt)
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`; `trustProxy`
 *   (default false) reads the client, scheme and host trusted proxies give (telemetry only)
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/deno';
 * Deno.serve(instrument((req) => new Response('hi'), { serviceName: 'api' }));
 * ```
 */
export function instrument(
  handler: DenoHandler,
  config: MonitorConfig<EnvRecord> = {},
  options: DenoInstrumentationOptions = {},
): InstrumentedHandler<DenoServeInfo> {
  const env = denoEnv();
  checkHttpOptions('instrument', options, { ...HTTP_OPTION_KEYS, traceFetch: 0, denoOtel: 0, trustProxy: 0 } satisfies Record<keyof DenoInstrumentationOptions, 0>);
  const { denoOtel = 'auto', trustProxy, ...http } = options;
  // Read lazily: the monitor is made below, and only a trust function that throws reports.
  let monitorOf: (() => InstrumentedHandler<DenoServeInfo>['monitor']) | undefined;
  const readForwarded = trustProxyOption('instrument', trustProxy, trustFunctionFailed(() => monitorOf?.(), 'deno'));
  // 'true' or 'Join' would otherwise run as 'separate', unseen.
  if (!['auto', 'join', 'separate'].includes(denoOtel)) throw new TypeError(`instrument: \`denoOtel\` must be 'auto', 'join' or 'separate', got ${kindOf(denoOtel)}.`);
  const wantJoin = denoOtel === 'join' || (denoOtel === 'auto' && denoOtelEnabled(env));
  // Deno's span was made from the caller's traceparent: joining it would continue a trace the
  // options say not to trust, so such a server traces itself as in 'separate' mode.
  const join = wantJoin && http.trustIncomingTrace !== false;
  // Deno traces fetch itself when its OpenTelemetry is on; a second CLIENT span would duplicate it.
  if (join && http.traceFetch === undefined) http.traceFetch = false;
  // Before the global fetch is traced, so that it sits beneath: Deno adds no second traceparent
  // to a request that has one, and none to the exporter's requests.
  const denoOn = denoOtelEnabled(env);
  if (denoOn) guardFetchFromDenoOtel();
  // The monitor's telemetry goes where Deno's does unless the config says otherwise.
  const followed = denoOn ? followDenoExporter(env, denoEnvReadable) : { env };
  // With trustProxy the handler is given Deno's own Request back from the telemetry's view of it.
  const user = readForwarded === undefined ? (handler as ServerHandler<DenoServeInfo>) : (req: Request, info: DenoServeInfo, t: RequestTelemetry) => handler(originalRequest(req), info, t);
  const traced = createServerHandler<DenoServeInfo>(user, config, followed.env, http, (req, info, t) => {
    // client.port is opt-in on HTTP server spans (semantic conventions): not recorded.
    const client = readForwarded === undefined ? undefined : forwardedClient(req);
    const peer = info?.remoteAddr?.hostname;
    if (client !== undefined) t.span.setAttribute('client.address', client);
    else if (peer) t.span.setAttribute('client.address', peer);
    // The connection's own peer where trusted proxies named another client (HTTP semconv).
    if (client !== undefined && peer && peer !== client) t.span.setAttribute('network.peer.address', peer);
  });
  monitorOf = () => traced.monitor;
  const own = readForwarded === undefined ? traced : forwardedHandler(traced, readForwarded);
  if (followed.unknown && own.monitor.backends.some((b) => b.name === 'console')) {
    own.monitor.diag.report(
      'config',
      "instrument(): Deno's OpenTelemetry is on but where it exports cannot be read (no env permission for OTEL_EXPORTER_OTLP_ENDPOINT, _TRACES_ENDPOINT, _PROTOCOL, _TRACES_PROTOCOL), so this monitor prints to the console; grant --allow-env=OTEL_EXPORTER_OTLP_ENDPOINT,OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,OTEL_EXPORTER_OTLP_PROTOCOL,OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (or all env), or pass backends",
      undefined,
      'deno:endpoint-unknown',
    );
  }
  if (wantJoin && !join) {
    own.monitor.diag.report(
      'config',
      "instrument(): trustIncomingTrace: false, so Deno's SERVER span (made from the caller's traceparent) is not joined; each request gets a SERVER span of its own in a new trace, exported by this monitor, beside Deno's (denoOtel: 'separate')",
      undefined,
      'deno:join-untrusted',
    );
  }
  if (!join) return own;
  const monitor = own.monitor;
  if (http.waitForBody === true) {
    monitor.diag.report(
      'config',
      "instrument(): waitForBody has no effect while joining Deno's SERVER span (OTEL_DENO=true): Deno ends its span when the response headers are sent",
      undefined,
      'deno:join-wait-for-body',
    );
  }
  if (http.ignoreRequest !== undefined) {
    monitor.diag.report(
      'config',
      "instrument(): Deno's OpenTelemetry (OTEL_DENO=true) still exports its own SERVER span and HTTP metrics of the requests ignoreRequest leaves out; this monitor records none of them",
      undefined,
      'deno:join-ignore-request',
    );
  }
  const capture = http.captureHeaders;
  const ignore = http.ignoreRequest;
  const plain = http.traceFetch === false;

  const joined = function instrumentedHandler(request: Request, info: DenoServeInfo): Promise<Response> {
    const span = activeDenoSpan(monitor);
    // No span of Deno's in sight (a request not served by Deno.serve): trace it ourselves.
    if (!span) return own(request, info);
    // Served as `own` serves an ignored request, outside Deno's span (which Deno exports anyway).
    if (ignore !== undefined && isIgnored(monitor, ignore, request)) {
      return serveIgnored(
        monitor,
        request,
        (req, t) => {
          if (plain) t.scope.plainFetch = true;
          return handler(req, info, t);
        },
        own.track,
        http,
        undefined,
      );
    }
    decorateJoined(monitor, span, request, http.route, capture?.requestHeaders);
    if (readForwarded !== undefined) decorateForwarded(span, request, info, readForwarded);
    const scope = monitor.openScope({ name: 'http' });
    scope.serverSpan = span;
    let result: Promise<Response>;
    try {
      result = Promise.resolve(contextStorage().run({ scope, span }, () => handler(request, info, { scope, span })));
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.then(
      (response) => {
        if (capture?.responseHeaders && response?.headers) setHeaders(span, 'http.response.', response.headers, capture.responseHeaders, monitor.redactor);
        // A middleware describing the span (Hono's) is told the status sent before the span is marked.
        answeredWith(scope, typeof response?.status === 'number' ? response.status : undefined);
        if (response?.status >= 500) span.setStatus(2);
        own.track(scope.close());
        return response;
      },
      (err: unknown) => {
        answeredWith(scope, 500, err);
        span.recordException(err);
        span.setStatus(2, err instanceof Error ? err.message : undefined);
        own.track(scope.close());
        throw err;
      },
    );
  } as InstrumentedHandler<DenoServeInfo>;
  for (const key of ['monitor', 'pending', 'flush', 'shutdown', 'track'] as const) {
    Object.defineProperty(joined, key, { get: () => own[key] });
  }
  return joined;
}

/**
 * `traced`, given the telemetry's view of a request trusted proxies spoke of (the handler gets
 * Deno's own Request back, see `trustProxy`).
 */
function forwardedHandler(traced: InstrumentedHandler<DenoServeInfo>, readForwarded: ReadForwarded): InstrumentedHandler<DenoServeInfo> {
  const outer = function instrumentedHandler(request: Request, info: DenoServeInfo): Promise<Response> {
    let view: Request | undefined;
    try {
      view = forwardedView(request, readForwarded(webHeaders(request.headers), info?.remoteAddr?.hostname));
    } catch {
      // unreadable headers: recorded as Deno saw the request
    }
    return traced(view ?? request, info);
  } as InstrumentedHandler<DenoServeInfo>;
  for (const key of ['monitor', 'pending', 'flush', 'shutdown', 'track'] as const) {
    Object.defineProperty(outer, key, Object.getOwnPropertyDescriptor(traced, key)!);
  }
  return outer;
}

/** What trusted proxies said, on Deno's SERVER span when it is joined (Deno's metrics keep what Deno saw). */
function decorateForwarded(span: Span, request: Request, info: DenoServeInfo, readForwarded: ReadForwarded): void {
  try {
    const forwarded = readForwarded(webHeaders(request.headers), info?.remoteAddr?.hostname);
    if (forwarded === undefined) return;
    const view = forwardedView(request, forwarded);
    const url = view !== undefined && (forwarded.scheme !== undefined || forwarded.host !== undefined) ? urlParts(view.url) : undefined;
    const attrs: Attributes = {};
    if (forwarded.client !== undefined) attrs['client.address'] = forwarded.client;
    if (url !== undefined) {
      attrs['url.scheme'] = url.scheme;
      attrs['server.address'] = url.hostname;
      // Deno's span has the port it listens on: the forwarded URL's, its scheme's default when it names none.
      attrs['server.port'] = url.port ? Number(url.port) : url.scheme === 'https' ? 443 : 80;
    }
    span.setAttributes(attrs);
  } catch {
    // attributes are best effort
  }
}

/** `route` and the captured request headers on Deno's span, as `handleRequest` sets them on its own. */
function decorateJoined(
  monitor: InstrumentedHandler<DenoServeInfo>['monitor'],
  span: Span,
  request: Request,
  routeOf: ((request: Request) => string | undefined) | undefined,
  requestHeaders: string[] | undefined,
): void {
  if (routeOf) {
    let route: string | undefined;
    try {
      route = routeOf(request);
    } catch (err) {
      route = undefined;
      // Reported once, as handleRequest reports it (same key): it was silent here, every request unnamed unseen.
      monitor.diag.report('config', () => `route threw${err instanceof Error ? ` (${err.message})` : ''}; the request is recorded without a route`, err, 'route threw');
    }
    if (route) {
      span.updateName(serverSpanName(normalizeMethod(request.method), route));
      span.setAttribute('http.route', route);
    }
  }
  if (requestHeaders) setHeaders(span, 'http.request.', request.headers, requestHeaders, monitor.redactor);
}

function setHeaders(span: Span, prefix: 'http.request.' | 'http.response.', headers: Headers, names: string[], redactor: Redactor): void {
  try {
    const attrs: Attributes = {};
    addHeaders(attrs, prefix + 'header.', headers, names, redactor);
    span.setAttributes(attrs);
  } catch {
    // exotic header objects: attributes are best effort
  }
}
