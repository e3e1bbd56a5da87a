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
 * The URL for a signal from the generic endpoint: `v1/<signal>` appended after making sure the
 * base ends in `/` (ENV-02). The text is otherwise kept as given: no other rewriting is allowed.
 *
 * @example
 * signalUrlFromBase('http://collector:4318', 'traces') // 'http://collector:4318/v1/traces'
 */
export function signalUrlFromBase(base: string, signal: OtlpSignal): string {
  return (base.endsWith('/') ? base : base + '/') + 'v1/' + signal;
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
 * diagnostics and error messages.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol + '//' + u.host + u.pathname;
  } catch {
    return '[invalid url]';
  }
}
