// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { contextStorage } from '../context/active.js';
import type { Monitor } from '../monitor.js';
import { SpanKind, SpanStatus } from '../model/span-data.js';
import { injectContext } from '../trace/propagation/propagation.js';
import { failSpan } from '../trace/tracer.js';
import { measuredFor } from '../trace/span.js';
import { now, secondsBetween } from '../time.js';
import { httpClientDuration } from './server-metrics.js';
import { normalizeMethod, serverSpanName } from './request-attributes.js';
import { fetchErrorType } from './fetch-error.js';
import { isUntraced } from './untraced.js';

export type FetchFn = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

export interface FetchInstrumentationOptions {
  /**
   * Which hosts receive `traceparent`/`tracestate`/`baggage`. Default: every host. A function,
   * or lists of host names (`*.example.com` matches subdomains); `deny` wins over `allow`.
   */
  propagateTo?: ((url: URL) => boolean) | { allow?: string[]; deny?: string[] };
  /** Name recorded as `peer.service` (service bindings). */
  peerService?: string;
  /** Only trace calls made inside a scope or span (default true): start-up fetches stay untraced. */
  requireParent?: boolean;
}

function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) || host === p.slice(2);
  return host === p;
}

export function propagationFilter(option: FetchInstrumentationOptions['propagateTo']): (url: URL) => boolean {
  if (option === undefined) return () => true;
  if (typeof option === 'function') {
    return (url) => {
      try {
        return option(url) === true;
      } catch {
        return false;
      }
    };
  }
  // Checked here, when instrumentFetch is made: unchecked, `{ allow: 'api.internal' }` threw out of
  // every traced fetch and `['api.internal']` sent trace headers to every host.
  const hosts = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every((h) => typeof h == 'string'));
  if (option === null || typeof option != 'object' || Array.isArray(option) || Object.keys(option).some((k) => (k != 'allow' && k != 'deny') || !hosts((option as Record<string, unknown>)[k]))) {
    throw new TypeError('propagateTo must be { allow?: string[], deny?: string[] } or a function');
  }
  const allow = option.allow;
  const deny = option.deny ?? [];
  return (url) => {
    const host = url.hostname.toLowerCase();
    if (deny.some((d) => hostMatches(host, d))) return false;
    return allow === undefined || allow.some((a) => hostMatches(host, a));
  };
}

/** What `new Request(input, init)` takes from init; anything else is for the runtime's fetch. */
const REQUEST_INIT_KEYS = new Set([
  'method', 'headers', 'body', 'referrer', 'referrerPolicy', 'mode', 'credentials', 'cache',
  'redirect', 'integrity', 'keepalive', 'signal', 'duplex', 'priority', 'window',
]);

/**
 * The options of `init` that a Request does not carry, such as Bun's `unix`, `proxy`, `tls`,
 * `verbose` and `decompress`: fetch reads them only from its second argument. The body is left
 * out since the Request holds it (a stream cannot be read twice).
 */
function runtimeOptions(init: RequestInit | undefined): RequestInit | undefined {
  if (init === null || typeof init !== 'object') return undefined;
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(init)) {
    if (REQUEST_INIT_KEYS.has(key)) continue;
    (extra ??= {})[key] = (init as Record<string, unknown>)[key];
  }
  return extra as RequestInit | undefined;
}

/**
 * Wraps a `fetch` so each call made inside a request gets a CLIENT span, is timed in
 * `http.client.request.duration` and carries the trace headers (to the hosts allowed). The
 * library's own exporter requests pass through.
 *
 * @example
 * ```ts
 * const tracedFetch = instrumentFetch(monitor, fetch, { propagateTo: { allow: ['api.internal'] } });
 * await tracedFetch('https://api.internal/users');
 * ```
 */
export function instrumentFetch(monitor: Monitor, fetchFn: FetchFn, options: FetchInstrumentationOptions = {}): FetchFn {
  const shouldPropagate = propagationFilter(options.propagateTo);
  const requireParent = options.requireParent !== false;
  return function tracedFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    if (isUntraced(init)) return fetchFn(input, init);
    const ctx = contextStorage().get();
    if (requireParent && !ctx?.span && !ctx?.scope) return fetchFn(input, init);
    let request: Request;
    let url: URL;
    try {
      request = new Request(input, init);
      url = new URL(request.url);
    } catch {
      return fetchFn(input, init);
    }
    // Not an HTTP request (data:, blob:, file:): fetch answers it without a server, and url.full
    // was "null" and the path (a URL of no origin), server.address empty.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetchFn(input, init);
    const method = normalizeMethod(request.method);
    // Required on CLIENT spans and http.client.request.duration (HTTP semconv): the scheme's default when the URL names none.
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const span = monitor.tracer.startSpan(serverSpanName(method), {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        ...(method !== request.method ? { 'http.request.method_original': request.method } : {}),
        // HTTP semconv: with the fragment, though never sent (its secrets redacted); no userinfo.
        'url.full': monitor.redactor.redactUrl(url.origin + url.pathname + url.search + url.hash),
        'server.address': url.hostname,
        'server.port': port,
        ...(options.peerService ? { 'peer.service': options.peerService } : {}),
      },
    });
    if (shouldPropagate(url)) {
      const headers = new Headers(request.headers);
      injectContext(headers, span);
      // The caller's own signal, not the first copy's: Node's Request follows its source's signal
      // only while the source lives (nodejs/undici#4068), and the first copy is dropped here, so
      // after a garbage collection the caller's abort no longer stopped the request.
      request = new Request(request, { headers, signal: init && 'signal' in init ? init.signal : input instanceof Request ? input.signal : undefined });
    }
    const extra = runtimeOptions(init);
    const start = now();
    const end = (status?: number, errType?: string): void => {
      if (errType) span.setAttribute('error.type', errType);
      const labels: Record<string, string | number> = { 'http.request.method': method, 'server.address': url.hostname, 'server.port': port };
      if (status !== undefined) labels['http.response.status_code'] = status;
      if (errType) labels['error.type'] = errType;
      // One end for the span and the point, observed while the span still records: its exemplar
      // points to this CLIENT span, not to the request's (the span current around the fetch).
      const t = now();
      measuredFor.span = span;
      try {
        httpClientDuration(monitor).observe(secondsBetween(start, t), labels);
      } catch {
        // telemetry must not fail the fetch
      }
      measuredFor.span = undefined;
      span.end(t);
    };
    const fail = (err: unknown): never => {
      const type = fetchErrorType(err, request.signal);
      if (type) failSpan(span, err);
      end(undefined, type);
      throw err;
    };
    let p: Promise<Response>;
    try {
      // Promise.resolve: a fetch double that answers synchronously must not leave the span open.
      p = Promise.resolve(extra ? fetchFn(request, extra) : fetchFn(request));
    } catch (err) {
      return fail(err);
    }
    return p.then(
      (res) => {
        span.setAttribute('http.response.status_code', res.status);
        if (res.status >= 400) span.setStatus(SpanStatus.ERROR);
        end(res.status, res.status >= 400 ? String(res.status) : undefined);
        return res;
      },
      fail,
    );
  };
}
