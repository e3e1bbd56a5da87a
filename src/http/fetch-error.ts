/**
 * Where a runtime's fetch puts no code on a network failure, only text (Deno: the OS error in
 * the cause's message), its adapter installs the reader of that text (`setCauseCode`): kept out
 * of this module, so a Worker's bundle does not carry Deno's table of OS error numbers.
 */
let causeCode: ((message: unknown) => string | undefined) | undefined;

/** Installs how a failure's cause message names its code (the Deno adapter's `denoFetchCode`). */
export function setCauseCode(read: (message: unknown) => string | undefined): void {
  causeCode = read;
}

/**
 * The `error.type` of a traced fetch that rejected, or undefined when the caller cancelled it:
 * HTTP semantic conventions, a request cancelled on purpose (its AbortSignal aborted, whatever
 * the reason, but a timeout) is no error: span status unset, no `error.type`.
 */
export function fetchErrorType(err: unknown, signal: AbortSignal | null | undefined): string | undefined {
  try {
    const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } } | null | undefined;
    const name = e?.name;
    if (name === 'AbortError' || (signal?.aborted && name !== 'TimeoutError')) return undefined;
    // fetch rejects every network failure as a TypeError ("fetch failed"): the code of the error
    // (Bun: ECONNREFUSED; older Bun: ConnectionRefused) or of its cause (Node: ECONNREFUSED,
    // ENOTFOUND), or the message of its cause (Deno, read by the reader its adapter installed), tells which.
    // A DOMException's code is a number, not a class of error.
    const cause = e?.cause;
    const code = typeof e?.code === 'string' ? e.code : (cause?.code ?? (name === 'TypeError' && causeCode !== undefined ? causeCode(cause?.message) : undefined));
    if (typeof code === 'string' && code) return code;
    return err instanceof Error ? err.name : 'Error';
  } catch {
    // an error whose fields throw when read still fails the span
    return 'Error';
  }
}
