/**
 * The `error.type` of a traced fetch that rejected, or undefined when the caller cancelled it:
 * HTTP semantic conventions, a request cancelled on purpose (its AbortSignal aborted, whatever
 * the reason, but a timeout) is no error: span status unset, no `error.type`.
 */
export function fetchErrorType(err: unknown, signal: AbortSignal | null | undefined): string | undefined {
  try {
    const e = err as { name?: unknown } | null | undefined;
    const name = e?.name;
    if (name === 'AbortError' || (signal?.aborted && name !== 'TimeoutError')) return undefined;
    return err instanceof Error ? err.name : 'Error';
  } catch {
    // an error whose fields throw when read still fails the span
    return 'Error';
  }
}
