/**
 * Marks a `fetch` call as the library's own (an exporter's request), so instrumented fetch
 * passes it through without a span, without trace headers, and without counting it as the
 * app's traffic. The marker is a symbol on the init object, which `fetch` itself ignores.
 */
export const UNTRACED: unique symbol = Symbol.for('@lexigram/monitor/exporter-request') as never;

export function markUntraced<T extends RequestInit>(init: T): T {
  (init as Record<symbol, unknown>)[UNTRACED] = true;
  return init;
}

export function isUntraced(init: unknown): boolean {
  return typeof init === 'object' && init !== null && (init as Record<symbol, unknown>)[UNTRACED] === true;
}
