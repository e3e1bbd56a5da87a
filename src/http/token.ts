/** An RFC 9110 token: a header name, a baggage key. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers that describe the connection or the body's framing, which the HTTP client sets. Node's
 * fetch fails every request carrying one ("invalid transfer-encoding header", "expect header not
 * supported", a Content-Length that is not the body's), retried as a network error each time;
 * browsers' fetch forbids them. Exporters refuse them in their `headers` option.
 */
export const CLIENT_HEADERS = ['connection', 'content-length', 'expect', 'keep-alive', 'transfer-encoding', 'upgrade'];
