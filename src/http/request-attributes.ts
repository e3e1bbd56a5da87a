import type { Redactor } from '../attributes/redact.js';
import type { Attributes } from '../model/attributes.js';

/** Methods kept as they are; anything else is reported as `_OTHER` (HTTP semantic conventions). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

export function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const m = method.toUpperCase();
  return KNOWN_METHODS.has(m) ? m : '_OTHER';
}

export interface CaptureOptions {
  /** Request headers recorded as `http.request.header.<name>` (allow-list; secrets are still redacted). */
  requestHeaders?: string[];
  /** Response headers recorded as `http.response.header.<name>`. */
  responseHeaders?: string[];
}

/** Server span attributes for an incoming request (HTTP semantic conventions). */
export function requestAttributes(request: Request, url: URL, redactor: Redactor, capture: CaptureOptions | undefined): Attributes {
  const method = normalizeMethod(request.method);
  const attrs: Attributes = {
    'http.request.method': method,
    'url.path': url.pathname,
    'url.scheme': url.protocol.slice(0, -1),
    'server.address': url.hostname,
  };
  const port = url.port;
  if (port) attrs['server.port'] = Number(port);
  const search = url.search;
  if (search.length > 1) attrs['url.query'] = redactor.redactUrl(search.slice(1));
  const ua = request.headers.get('user-agent');
  if (ua) attrs['user_agent.original'] = ua;
  if (method === '_OTHER') attrs['http.request.method_original'] = request.method;
  if (capture?.requestHeaders) addHeaders(attrs, 'http.request.header.', request.headers, capture.requestHeaders, redactor);
  return attrs;
}

export function addHeaders(attrs: Attributes, prefix: string, headers: Headers, names: string[] | undefined, redactor: Redactor): void {
  if (!names) return;
  for (const n of names) {
    const name = n.toLowerCase();
    const v = headers.get(name);
    if (v !== null) attrs[prefix + name] = redactor.isSecret(name) ? '[REDACTED]' : v;
  }
}
