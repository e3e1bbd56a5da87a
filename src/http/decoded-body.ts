/**
 * @module
 * Headers of a Response from fetch() that no longer match its body: fetch (undici, Deno, Bun)
 * decodes a compressed body but keeps the upstream's `content-encoding` and compressed
 * `content-length`. Whatever re-sends such a Response as bytes must drop them.
 */

/** The codings every runtime's fetch (undici, Deno, Bun) decodes before handing the body on. */
const FETCH_DECODED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/**
 * True for a Response from fetch() whose body fetch has already decoded while its headers still
 * name the upstream's coding and compressed length. Sent as they are next to the decoded bytes,
 * they make the client fail to decompress or wait for bytes that never come (Deno.serve drops
 * them from the fetched Response itself, never from a copy). Bun's fetch gives type 'default',
 * like a constructed Response, so Bun's are left as Bun.serve would send them anyway.
 */
export function decodedByFetch(response: Response): boolean {
  try {
    // Constructed Responses are the app's own; and fetch leaves a body it never had undecoded.
    if (response.type === 'default' || response.body === null) return false;
    const coding = response.headers.get('content-encoding');
    if (coding === null) return false;
    const codings = coding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
    return codings.length > 0 && codings.every((c) => FETCH_DECODED.has(c));
  } catch {
    return false;
  }
}

/** A copy of `headers` without the ones that describe the encoded body. */
export function withoutEncoding(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete('content-encoding');
  copy.delete('content-length');
  return copy;
}
