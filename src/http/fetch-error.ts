/**
 * The `error.type` of a traced fetch that rejected, or undefined when the caller cancelled it:
 * HTTP semantic conventions, a request cancelled on purpose (its AbortSignal aborted, whatever
 * the reason, but a timeout) is no error: span status unset, no `error.type`.
 */
export function fetchErrorType(err: unknown, signal: AbortSignal | null | undefined): string | undefined {
  try {
    const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null | undefined;
    const name = e?.name;
    if (name === 'AbortError' || (signal?.aborted && name !== 'TimeoutError')) return undefined;
    // fetch rejects every network failure as a TypeError ("fetch failed"): the code of the error
    // (Bun: ConnectionRefused) or of its cause (Node: ECONNREFUSED, ENOTFOUND) tells which.
    // A DOMException's code is a number, not a class of error.
    const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
    if (typeof code === 'string' && code) return code;
    return err instanceof Error ? err.name : 'Error';
  } catch {
    // an error whose fields throw when read still fails the span
    return 'Error';
  }
}
