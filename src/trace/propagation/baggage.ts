import type { Diagnostics } from '../../diag/diagnostics.js';
import { TOKEN } from '../../http/token.js';

/** W3C baggage entries (BG-01…BG-03): values are decoded; properties are kept as raw text. */
export type Baggage = Record<string, { value: string; metadata?: string }>;

const MAX_BYTES = 8192;
const MAX_MEMBERS = 64;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 32;
  return c >= 97 && c <= 102 ? c - 87 : -1;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return decodeLoosely(s);
  }
}

/**
 * Percent-decoding as the WHATWG URL standard does it, for values decodeURIComponent refuses:
 * a `%` not followed by two hex digits stays as it is, and only the bytes that are not valid
 * UTF-8 become U+FFFD (BG-01), so one bad escape does not garble the rest of the value.
 */
function decodeLoosely(s: string): string {
  const input = new TextEncoder().encode(s);
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i]!;
    if (b === 37 && i + 2 < input.length) {
      const hi = hexValue(input[i + 1]!);
      const lo = hexValue(input[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return new TextDecoder().decode(out.subarray(0, n));
}

/**
 * Members left out (a caller's malformed header, baggage past the limits) are hot-path drops:
 * the request goes on, the loss is counted through `diag` when one is given.
 */
function leftOut(diag: Diagnostics | undefined, n: number): void {
  if (n > 0) diag?.drop('invalid_value', 'baggage members were left out (invalid, or past 64 members or 8192 bytes)', n);
}

/**
 * Parses `baggage` headers. A header over 8192 bytes is refused whole before splitting;
 * beyond 64 members only the first 64 complete ones are kept (BG-02). A member without `=` or
 * whose key is not a token is left out. What is left out is counted through `diag` when given.
 * With duplicate keys the last value wins, kept at the first one's place (BG-03 allows
 * duplicates; OpenTelemetry's baggage holds one value per key, and its SDKs keep the last).
 */
export function parseBaggage(header: string | null | undefined, diag?: Diagnostics): Baggage | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const out: Baggage = Object.create(null) as Baggage;
  let n = 0;
  let left = 0;
  if (header.length > MAX_BYTES) left = 1;
  else {
    for (const raw of header.split(',')) {
      const semi = raw.indexOf(';');
      const kv = semi >= 0 ? raw.slice(0, semi) : raw;
      const eq = kv.indexOf('=');
      const key = eq > 0 ? kv.slice(0, eq).trim() : '';
      // An empty list element (`a=1, ,b=2`) is no member.
      if (!TOKEN.test(key) || n >= MAX_MEMBERS) {
        if (raw.trim()) left++;
        continue;
      }
      const value = decode(kv.slice(eq + 1).trim());
      const metadata = semi >= 0 ? raw.slice(semi + 1).trim() : undefined;
      out[key] = metadata ? { value, metadata } : { value };
      n++;
    }
  }
  leftOut(diag, left);
  return n > 0 ? out : undefined;
}

/**
 * Serialises baggage, percent-encoding values, within 64 members and 8192 bytes (whole members
 * only). A key that is not a token, a value with no UTF-8 form (a lone surrogate, possible
 * through the OpenTelemetry bridge) and members past the limits are left out, not the whole
 * header, and counted through `diag` when given.
 */
export function formatBaggage(baggage: Baggage, diag?: Diagnostics): string {
  let out = '';
  let n = 0;
  let left = 0;
  for (const key of Object.keys(baggage)) {
    const e = baggage[key];
    let member = '';
    try {
      if (TOKEN.test(key) && n < MAX_MEMBERS) member = `${key}=${encodeURIComponent(e.value)}${e.metadata ? `;${e.metadata}` : ''}`;
    } catch {
      // no UTF-8 form: left out below
    }
    if (!member || out.length + member.length + 1 > MAX_BYTES) {
      left++;
      continue;
    }
    out += (out ? ',' : '') + member;
    n++;
  }
  leftOut(diag, left);
  return out;
}
