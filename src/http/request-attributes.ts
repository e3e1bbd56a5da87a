import { REDACTED, type Redactor } from '../attributes/redact.js';
import type { Attributes } from '../model/attributes.js';

/** Methods kept as they are; anything else is reported as `_OTHER` (HTTP semantic conventions). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

export function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const m = method.toUpperCase();
  return KNOWN_METHODS.has(m) ? m : '_OTHER';
}

/**
 * A server span's name from its normalized method and route: `GET /users/:id`, or `GET` with no
 * route. HTTP semantic conventions: the method part of the name is `HTTP` when the method is `_OTHER`.
 */
export function serverSpanName(method: string, route?: string): string {
  const m = method === '_OTHER' ? 'HTTP' : method;
  return route ? `${m} ${route}` : m;
}

export interface CaptureOptions {
  /** Request headers recorded as `http.request.header.<name>` (allow-list; secrets are still redacted). */
  requestHeaders?: string[];
  /** Response headers recorded as `http.response.header.<name>`. */
  responseHeaders?: string[];
}

/** The parts of a request URL the server span records. */
export interface UrlParts {
  scheme: string;
  hostname: string;
  port: string;
  path: string;
  /** Without the `?`; empty when there is none. */
  query: string;
}

/**
 * Splits an absolute http(s) URL as `Request.url` serialises it (WHATWG: lowercase host, no
 * default port, a path that starts with `/`), the same parts `URL` would give, without building
 * a `URL` and reading five getters (about 1 µs a request in workerd). Anything else goes
 * through `URL`; undefined when that fails too.
 */
export function urlParts(href: string): UrlParts | undefined {
  const slashes = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : 0;
  let end = slashes;
  if (slashes !== 0) {
    while (end < href.length) {
      const c = href.charCodeAt(end);
      if (c === 47 || c === 63 || c === 35 || c === 64 || c === 92) break; // / ? # @ \
      end++;
    }
  }
  if (slashes === 0 || href.charCodeAt(end) !== 47) {
    try {
      const u = new URL(href);
      return { scheme: u.protocol.slice(0, -1), hostname: u.hostname, port: u.port, path: u.pathname, query: u.search.slice(1) };
    } catch {
      return undefined;
    }
  }
  let hostname = href.slice(slashes, end);
  let port = '';
  const colon = hostname.lastIndexOf(':');
  if (colon !== -1 && colon > hostname.lastIndexOf(']')) {
    port = hostname.slice(colon + 1);
    hostname = hostname.slice(0, colon);
  }
  const hash = href.indexOf('#', end);
  const stop = hash === -1 ? href.length : hash;
  const q = href.indexOf('?', end);
  const hasQuery = q !== -1 && q < stop;
  return {
    scheme: href.slice(0, slashes - 3),
    hostname,
    port,
    path: href.slice(end, hasQuery ? q : stop),
    query: hasQuery ? href.slice(q + 1, stop) : '',
  };
}

/** Server span attributes for an incoming request (HTTP semantic conventions). */
export function requestAttributes(request: Request, url: UrlParts, redactor: Redactor, capture: CaptureOptions | undefined, headers: Headers = request.headers): Attributes {
  // Each read once: on workerd a Request's getters are calls into the runtime (`headers` about
  // 65 ns, `method` 45 ns), and handleRequest passes the `headers` it read already.
  const original = request.method;
  const method = normalizeMethod(original);
  const attrs: Attributes = {
    'http.request.method': method,
    'url.path': url.path,
    'url.scheme': url.scheme,
    'server.address': url.hostname,
  };
  if (url.port) attrs['server.port'] = Number(url.port);
  if (url.query.length > 0) attrs['url.query'] = redactor.apply('url.query', url.query);
  const ua = headers.get('user-agent');
  if (ua) attrs['user_agent.original'] = ua;
  // Set whenever it differs: an unknown method (_OTHER), or one normalized by case (`patch`).
  if (method !== original) attrs['http.request.method_original'] = original;
  if (capture?.requestHeaders) addHeaders(attrs, 'http.request.header.', headers, capture.requestHeaders, redactor);
  return attrs;
}

export function addHeaders(attrs: Attributes, prefix: string, headers: Headers, names: string[] | undefined, redactor: Redactor): void {
  if (!names) return;
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const name = n.toLowerCase();
    let v: string | null;
    let cookies: string[] | undefined;
    try {
      v = headers.get(name);
      // Set-Cookie lines are the one header Headers does not join (a comma can sit inside one).
      if (v !== null && name === 'set-cookie' && typeof headers.getSetCookie === 'function') cookies = headers.getSetCookie();
    } catch {
      // A name no header can have (`X Forwarded For`): nothing to capture, and no request may fail on it.
      continue;
    }
    // HTTP semconv: an array of strings, here the one value Headers gives (repeated headers joined by ", ").
    if (v !== null) attrs[prefix + name] = redactor.isSecret(name) ? [REDACTED] : (cookies ?? [v]);
  }
}
