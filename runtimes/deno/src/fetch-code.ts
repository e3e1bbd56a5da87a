import { setCauseCode } from '../../../src/http/fetch-error.js';

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
export function denoFetchCode(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  const os = /\(os error (\d+)\)/.exec(message);
  if (os) return OS_ERRORS[os[1]!];
  // `dns error: failed to lookup address information: Name or service not known` (getaddrinfo's
  // text): Node says ENOTFOUND, or EAI_AGAIN when the resolver failed for now.
  if (message.includes('dns error')) return message.includes('Temporary failure') ? 'EAI_AGAIN' : 'ENOTFOUND';
  // A server that closed the connection without answering (hyper's text, no OS error): Bun says
  // ECONNRESET, as the connection was reset under the request (Node's undici, UND_ERR_SOCKET).
  if (message.includes('connection closed before message completed')) return 'ECONNRESET';
  return undefined;
}

/**
 * Has every traced fetch (the global one `instrument()` wraps, and `instrumentFetch`'s) name a Deno
 * network failure by that code in `error.type`, as on Node and Bun, instead of `TypeError`.
 */
export function readDenoFetchCodes(): void {
  setCauseCode(denoFetchCode);
}
