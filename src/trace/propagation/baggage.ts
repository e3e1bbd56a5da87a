import type { Diagnostics } from '../../diag/diagnostics.js';

/** W3C baggage entries (BG-01…BG-03): values are decoded; properties are kept as raw text. */
export type Baggage = Record<string, { value: string; metadata?: string }>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
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
 * Counts members left out (a caller's malformed header, or baggage past the limits) as hot-path
 * drops: the request goes on, the loss shows in `lexigram_monitor_dropped_total{reason="invalid_value"}`.
 */
function leftOut(diag: Diagnostics | undefined, n: number, why: string): void {
  diag?.drop('invalid_value', () => `baggage members were left out (${why}); the rest were kept`, n);
}

/** Non-blank elements of `parts` from `i`: an empty list element (`a=1, ,b=2`) is no member. */
function membersFrom(parts: string[], i: number): number {
  let n = 0;
  for (; i < parts.length; i++) if (/\S/.test(parts[i]!)) n++;
  return n;
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
  if (header.length > MAX_BYTES) {
    leftOut(diag, 1, 'a baggage header over 8192 bytes was refused whole');
    return undefined;
  }
  const out: Baggage = Object.create(null) as Baggage;
  const parts = header.split(',');
  let n = 0;
  let bad = 0;
  for (let i = 0; i < parts.length; i++) {
    if (n >= MAX_MEMBERS) {
      leftOut(diag, membersFrom(parts, i), 'more than 64 members');
      break;
    }
    const raw = parts[i]!;
    const semi = raw.indexOf(';');
    const kv = semi >= 0 ? raw.slice(0, semi) : raw;
    const eq = kv.indexOf('=');
    const key = eq > 0 ? kv.slice(0, eq).trim() : '';
    if (!TOKEN.test(key)) {
      if (eq >= 0 || /\S/.test(raw)) bad++;
      continue;
    }
    const value = decode(kv.slice(eq + 1).trim());
    const metadata = semi >= 0 ? raw.slice(semi + 1).trim() : undefined;
    out[key] = metadata ? { value, metadata } : { value };
    n++;
  }
  if (bad > 0) leftOut(diag, bad, 'a member without "=" or whose key is not a token');
  return n > 0 ? out : undefined;
}

/**
 * Serialises baggage, percent-encoding values, stopping before 8192 bytes (whole members only).
 * A key that is not a token, a value with no UTF-8 form, and members past 64 or 8192 bytes are
 * left out, and counted through `diag` when given.
 */
export function formatBaggage(baggage: Baggage, diag?: Diagnostics): string {
  let out = '';
  let n = 0;
  let bad = 0;
  const keys = Object.keys(baggage);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (n >= MAX_MEMBERS) {
      leftOut(diag, keys.length - i, 'more than 64 members');
      break;
    }
    if (!TOKEN.test(key)) {
      bad++;
      continue;
    }
    const e = baggage[key];
    let value: string;
    try {
      value = encodeURIComponent(e.value);
    } catch {
      // A lone surrogate (possible through the OpenTelemetry bridge) has no UTF-8 form: that
      // member is left out, not the whole header.
      bad++;
      continue;
    }
    const member = `${key}=${value}${e.metadata ? `;${e.metadata}` : ''}`;
    if (out.length + member.length + 1 > MAX_BYTES) {
      leftOut(diag, keys.length - i, 'over 8192 bytes');
      break;
    }
    out += (out ? ',' : '') + member;
    n++;
  }
  if (bad > 0) leftOut(diag, bad, 'a key that is not a token, or a value with no UTF-8 form');
  return out;
}
