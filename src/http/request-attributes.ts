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
 * A character `URL` would change or percent-encode in a path or query (C0 controls, space,
 * non-ASCII, `"` `'` `<` `>` `\` `^` `` ` `` `{` `}`), or a segment it would resolve (`/.`,
 * `/%2e`). A superset: what it matches is only sent through `URL`. Global, to start at the path.
 */
const UNSERIALISED = /[^!#-&(-;=?-[\]_a-z|~]|\/(?:\.|%2[eE])/g;
/** Dotted-decimal IPv4 as `URL` writes it (`127.1`, `0x7f.0.0.1`, `010.0.0.1` are rewritten). */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function viaUrl(href: string): UrlParts | undefined {
  try {
    const u = new URL(href);
    return { scheme: u.protocol.slice(0, -1), hostname: u.hostname, port: u.port, path: u.pathname, query: u.search.slice(1) };
  } catch {
    return undefined;
  }
}

/**
 * Splits an absolute http(s) URL as `Request.url` serialises it (WHATWG: lowercase host, no
 * default port, a path that starts with `/`), the same parts `URL` would give, without building
 * a `URL` and reading five getters (about 1 µs a request in workerd). Anything else goes
 * through `URL`; undefined when that fails too. Deno's `request.url` is not serialised: it is the
 * request line as sent, after the Host header (`http://EXAMPLE.com:8080/a/../b/./c`, a raw `é`),
 * and neither is workerd's own (the Host header as sent, `:80`, a raw `é` or `"`; only its dot
 * segments are resolved), so a cheap scan sends such a URL through `URL` too: the parts are then
 * those Node and Bun record.
 */
export function urlParts(href: string): UrlParts | undefined {
  const slashes = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : 0;
  let end = slashes;
  // The host as URL writes it has lowercase letters, digits, `-`, `.`, `_` and a port of digits
  // alone: anything else (upper case, `%`, non-ASCII, an IPv6 literal) is left to URL.
  let unserialised = false;
  let colon = 0;
  let digits = true;
  if (slashes !== 0) {
    while (end < href.length) {
      const c = href.charCodeAt(end);
      if ((c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95) digits = false;
      else if (c === 58) {
        colon = end;
        digits = true;
      } else if (c === 47 || c === 63 || c === 35 || c === 64 || c === 92) break; // / ? # @ \
      else if (c < 48 || c > 57) unserialised = true;
      end++;
    }
  }
  if (slashes === 0 || href.charCodeAt(end) !== 47) return viaUrl(href);
  let hostname: string;
  let port = '';
  if (colon === 0) hostname = href.slice(slashes, end);
  else {
    hostname = href.slice(slashes, colon);
    port = href.slice(colon + 1, end);
    // A default port, a leading zero, a port past 65535 or not a number: URL rewrites or refuses it.
    if (!digits || port.charCodeAt(0) === 48 || port.length > 5 || (port.length === 5 && port > '65535') || port === (slashes === 8 ? '443' : '80')) unserialised = true;
  }
  // A last label that starts with a digit makes the host an IPv4 address for URL, which writes
  // it in dotted decimal.
  const last = hostname.charCodeAt(hostname.lastIndexOf('.', hostname.length - 2) + 1);
  if (last >= 48 && last <= 57 && !IPV4.test(hostname)) unserialised = true;
  if (!unserialised) {
    UNSERIALISED.lastIndex = end;
    unserialised = UNSERIALISED.test(href);
  }
  if (unserialised) {
    // A host URL refuses is recorded as it was sent.
    const parts = viaUrl(href);
    if (parts) return parts;
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
