/**
 * Deno's fetch rejects a network failure with `TypeError: fetch failed` whose cause has no code,
 * only the message of the OS error: `... tcp connect error: Connection refused (os error 111)`.
 * Its number (Linux, macOS, Windows) gives the code Node and Bun report for the same failure.
 */
const OS_ERRORS: Record<string, string> = {
  111: 'ECONNREFUSED', 61: 'ECONNREFUSED', 10061: 'ECONNREFUSED',
  104: 'ECONNRESET', 54: 'ECONNRESET', 10054: 'ECONNRESET',
  110: 'ETIMEDOUT', 60: 'ETIMEDOUT', 10060: 'ETIMEDOUT',
  113: 'EHOSTUNREACH', 65: 'EHOSTUNREACH', 10065: 'EHOSTUNREACH',
  101: 'ENETUNREACH', 51: 'ENETUNREACH', 10051: 'ENETUNREACH',
};

/** Node's code for a Deno fetch failure's message, or undefined. */
function denoCode(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  const os = /\(os error (\d+)\)/.exec(message);
  if (os) return OS_ERRORS[os[1]!];
  // `dns error: failed to lookup address information: Name or service not known` (getaddrinfo's
  // text): Node says ENOTFOUND, or EAI_AGAIN when the resolver failed for now.
  if (message.includes('dns error')) return message.includes('Temporary failure') ? 'EAI_AGAIN' : 'ENOTFOUND';
  return undefined;
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
    // ENOTFOUND), or the message of its cause (Deno), tells which.
    // A DOMException's code is a number, not a class of error.
    const cause = e?.cause;
    const code = typeof e?.code === 'string' ? e.code : (cause?.code ?? (name === 'TypeError' ? denoCode(cause?.message) : undefined));
    if (typeof code === 'string' && code) return code;
    return err instanceof Error ? err.name : 'Error';
  } catch {
    // an error whose fields throw when read still fails the span
    return 'Error';
  }
}
