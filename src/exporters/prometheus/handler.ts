/**
 * A `/metrics` endpoint as a Web `Request → Response` function, usable from `fetch` handlers on
 * Workers, Deno, Bun, Node (via an adapter) and any router.
 *
 * @module
 */

import { checkExpositionOptions, checkOnDrop, checkSource, dropHandler, expositionOf, type ExpositionOptions, type MetricsSource } from './source.js';
import { renderSnapshot, type DroppedMetric, type ExpositionFormat, type RenderOptions } from './render.js';
import { checkOptionKeys } from '../../config/option-keys.js';
import { errorMessage } from '../../diag/error-message.js';
import { createAuthCheck, type MetricsAuth } from './auth.js';
import { acceptsGzip, CONTENT_TYPES, negotiateFormat } from './negotiate.js';

export interface MetricsHandlerOptions extends ExpositionOptions {
  /** Path served; other paths resolve to `undefined`. Default `/metrics`. */
  readonly path?: string;
  /** Bearer token, Basic credentials or a predicate. Default: no auth. */
  readonly auth?: MetricsAuth;
  /** `negotiate` (default) follows the Accept header (PT-10); the others force a format. */
  readonly format?: ExpositionFormat | 'negotiate';
  /** Told about metrics left out of the exposition (name conflicts, MET-13). */
  readonly onDrop?: (dropped: DroppedMetric) => void;
  /** `gzip` (default) gzips the body for a scraper whose Accept-Encoding takes it; `none` never does. */
  readonly compression?: 'gzip' | 'none';
}

export const METRICS_HANDLER_KEYS: Record<keyof MetricsHandlerOptions, 0> = {
  path: 0, auth: 0, format: 0, onDrop: 0, compression: 0, withoutTargetInfo: 0, withoutScopeInfo: 0, withResourceConstantLabels: 0,
};

/** A handler returns `undefined` when the request is not for its path, so it can be chained. */
export type MetricsHandler = (request: Request) => Promise<Response | undefined>;

function plain(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Creates a `/metrics` handler: GET and HEAD only (else 405), optional auth (401 with
 * `WWW-Authenticate`), content negotiation between text 0.0.4 and OpenMetrics 1.0.0, gzip when
 * the scraper accepts it (Prometheus always does), and `Cache-Control: no-store`.
 *
 * @param monitor any object with `metrics.collect({ temporality: 'cumulative' })`
 * @param options `path` defaults to `/metrics`
 * @example
 * const metrics = metricsHandler(monitor, { auth: { bearerToken: env.METRICS_TOKEN } });
 * export default {
 *   async fetch(request: Request) {
 *     return (await metrics(request)) ?? new Response('not found', { status: 404 });
 *   },
 * };
 */
export function metricsHandler(monitor: MetricsSource, options: MetricsHandlerOptions = {}): MetricsHandler {
  return createMetricsHandler('metricsHandler', monitor, options);
}

/**
 * `metricsHandler`, with `what` naming the API the options were given to in configuration errors
 * (`PrometheusBackend` passes its own name: its user never called `metricsHandler`).
 * @internal
 */
export function createMetricsHandler(what: string, monitor: MetricsSource, options: MetricsHandlerOptions = {}): MetricsHandler {
  checkSource(what, monitor);
  // A misspelled `auth` would leave /metrics open to anyone.
  checkOptionKeys(what, options, METRICS_HANDLER_KEYS);
  checkOnDrop(what, options.onDrop);
  checkExpositionOptions(what, options);
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`${what} option "path" must start with "/", got ${JSON.stringify(path)}`);
  }
  const forced = options.format ?? 'negotiate';
  if (forced !== 'negotiate' && forced !== 'text' && forced !== 'openmetrics') {
    throw new TypeError(`${what} option "format" must be "negotiate", "text" or "openmetrics"`);
  }
  const compression = options.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') throw new TypeError(`${what} option "compression" must be "gzip" or "none"`);
  // Without CompressionStream the body goes as it is.
  const gzipping = compression === 'gzip' && typeof CompressionStream === 'function';
  const check = options.auth === undefined ? undefined : createAuthCheck(options.auth, what);
  const onDrop = dropHandler(monitor, options.onDrop);
  // The render options of each format, made once: the resource and scope are the monitor's for its life.
  const exposition = expositionOf(monitor, options);
  const renderOptions = {
    text: { ...exposition, format: 'text' as const, onDrop },
    openmetrics: { ...exposition, format: 'openmetrics' as const, onDrop },
  } satisfies Record<ExpositionFormat, RenderOptions>;
  // Scrapes read totals: from now on the monitor keeps series that are idle between its delta exports.
  const m = monitor.metrics as { cumulativeReader?: boolean };
  if (m.cumulativeReader === false) m.cumulativeReader = true;
  // A scrape answered 500 is a scrape lost: counted and reported, as a failed export is.
  const failed = (what: string, message: string, err: unknown): void => {
    try {
      monitor.diag?.count('export_failed', 1);
      monitor.diag?.report('export_failed', `/metrics: ${message}`, err, `prometheus:${what}`);
    } catch {
      // the 500 goes out whatever the diagnostics do
    }
  };

  return async function handleMetrics(request: Request): Promise<Response | undefined> {
    if (new URL(request.url).pathname !== path) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return plain(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    if (check !== undefined) {
      let result;
      try {
        result = await check(request);
      } catch (err) {
        // The message may quote a secret: the operator is told that it threw, the error goes as detail.
        failed('auth', 'the auth function threw; the scrape got 500', err);
        return plain(500, 'authorization check failed\n');
      }
      if (!result.ok) return plain(401, 'unauthorized\n', { 'www-authenticate': result.challenge });
    }
    const format = forced === 'negotiate' ? negotiateFormat(request.headers.get('accept')) : forced;
    let body: string;
    try {
      body = renderSnapshot(monitor.metrics.collect({ temporality: 'cumulative' }), renderOptions[format]);
    } catch (err) {
      // Never show internals to a scraper; the monitor's own diagnostics carry the detail.
      failed('collect', `collecting or rendering the metrics threw (${errorMessage(err)}); the scrape got 500`, err);
      return plain(500, 'metrics collection failed\n');
    }
    const head = request.method === 'HEAD';
    let gzip: ReadableStream | boolean = gzipping && acceptsGzip(clientAcceptEncoding(request));
    try {
      if (gzip && !head) gzip = new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'));
    } catch {
      // A CompressionStream that fails: the scrape still gets the body, as it is.
      gzip = false;
    }
    const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store', vary: gzipping ? 'Accept, Accept-Encoding' : 'Accept' };
    if (gzip) headers['content-encoding'] = 'gzip';
    // HEAD also gets GET's Content-Length (RFC 9110 §9.3.2), the text's UTF-8 bytes; a gzip stream's is known only once sent.
    else if (head) headers['content-length'] = String(new Blob([body]).size);
    // HEAD gets the headers GET would get. `encodeBody` is Workers' own (others ignore it): a
    // gzip body goes out as it is, where workerd would gzip it again by the header.
    return new Response(head ? null : typeof gzip === 'object' ? gzip : body, {
      status: 200,
      headers,
      encodeBody: 'manual',
    } as ResponseInit);
  };
}

/**
 * The Accept-Encoding the client sent. Cloudflare gives a Worker `Accept-Encoding: br, gzip`
 * whatever the client asked, keeping the client's own value in `request.cf.clientAcceptEncoding`
 * (`""` for none); read from the header, a `curl` without `--compressed` got gzip bytes under
 * wrangler dev.
 */
function clientAcceptEncoding(request: Request): string | null {
  const own = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf?.clientAcceptEncoding;
  return typeof own === 'string' ? own : request.headers.get('accept-encoding');
}
