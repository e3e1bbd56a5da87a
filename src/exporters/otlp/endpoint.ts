/** The three OTLP signals this exporter sends. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

export const SIGNALS: readonly OtlpSignal[] = ['traces', 'metrics', 'logs'];

/** The HTTP default (OTLP-02, ENV-01). */
export const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** Whether `url` parses as an absolute http(s) URL. */
export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The URL for a signal from the generic endpoint: `v1/<signal>` appended to the path after making
 * sure it ends in `/` (ENV-02). A query is kept after the new path and a fragment (never sent)
 * dropped; the text is otherwise kept as given: no other rewriting is allowed.
 *
 * @example
 * signalUrlFromBase('http://collector:4318', 'traces') // 'http://collector:4318/v1/traces'
 * signalUrlFromBase('https://otlp.example.com/?api-key=abc', 'traces') // 'https://otlp.example.com/v1/traces?api-key=abc'
 */
export function signalUrlFromBase(base: string, signal: OtlpSignal): string {
  const [, path, query = ''] = /^([^?#]*)(\?[^#]*)?/.exec(base)!;
  return (path!.endsWith('/') ? path : path + '/') + 'v1/' + signal + query;
}

/**
 * A per-signal endpoint is used as is, except that a URL with no path gets `/` (ENV-02).
 *
 * @example
 * perSignalUrl('http://collector:4318') // 'http://collector:4318/'
 */
export function perSignalUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([?#].*)?$/i.exec(url);
  return m ? m[1] + '/' + (m[2] ?? '') : url;
}

/**
 * Removes user info, query and fragment, which may hold credentials, so the URL can appear in
 * diagnostics and error messages. A relative `url` is resolved against `base` (a redirect's
 * Location against the request URL, as fetch would).
 */
export function redactUrl(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    return u.protocol + '//' + u.host + u.pathname;
  } catch {
    return '[invalid url]';
  }
}
