import { isUntraced } from '../../http/untraced.js';

/**
 * How runtime adapters recognise the exporter's own requests, so that they never trace them
 * (a span for every export would feed itself). Two marks, no header:
 * - the `RequestInit` the exporter passes to fetch carries `[EXPORTER_REQUEST]: true`;
 * - every URL an OtlpBackend posts to is registered while the backend is alive.
 * Both live under `Symbol.for` keys so that two copies of the library in one bundle agree.
 */

/** Set to `true` on the `RequestInit` of every request the exporter makes: the mark instrumented fetch passes through. */
export { UNTRACED as EXPORTER_REQUEST } from '../../http/untraced.js';

const REGISTRY = Symbol.for('@lexigram/monitor/exporter-urls');

function registry(): Map<string, number> {
  const g = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  let r = g[REGISTRY];
  if (!r) {
    r = new Map();
    g[REGISTRY] = r;
  }
  return r;
}

function keysOf(url: string): string[] {
  try {
    const href = new URL(url).href;
    return href === url ? [url] : [url, href];
  } catch {
    return [url];
  }
}

/** Registers a URL the exporter posts to (reference-counted). */
export function registerExporterUrl(url: string): void {
  const r = registry();
  for (const k of keysOf(url)) r.set(k, (r.get(k) ?? 0) + 1);
}

export function unregisterExporterUrl(url: string): void {
  const r = registry();
  for (const k of keysOf(url)) {
    const n = (r.get(k) ?? 0) - 1;
    if (n > 0) r.set(k, n);
    else r.delete(k);
  }
}

/**
 * True when a fetch call is the exporter's own: its init carries the marker, or its URL is one
 * an OtlpBackend posts to. Adapters that wrap `fetch` call this before starting a client span.
 *
 * @example
 * globalThis.fetch = (input, init) =>
 *   isExporterRequest(input, init) ? originalFetch(input, init) : tracedFetch(input, init);
 */
export function isExporterRequest(input: Request | URL | string, init?: RequestInit): boolean {
  if (isUntraced(init)) return true;
  const r = (globalThis as unknown as Record<symbol, Map<string, number> | undefined>)[REGISTRY];
  if (!r || r.size === 0) return false;
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (r.has(url)) return true;
  try {
    return r.has(new URL(url).href);
  } catch {
    return false;
  }
}
