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
 * Parses `baggage` headers. A header over 8192 bytes is refused whole before splitting;
 * beyond 64 members only the first 64 complete ones are kept (BG-02).
 */
export function parseBaggage(header: string | null | undefined): Baggage | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_BYTES) return undefined;
  const out: Baggage = Object.create(null) as Baggage;
  let n = 0;
  for (const raw of header.split(',')) {
    if (n >= MAX_MEMBERS) break;
    const semi = raw.indexOf(';');
    const kv = semi >= 0 ? raw.slice(0, semi) : raw;
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const key = kv.slice(0, eq).trim();
    if (!TOKEN.test(key)) continue;
    const value = decode(kv.slice(eq + 1).trim());
    const metadata = semi >= 0 ? raw.slice(semi + 1).trim() : undefined;
    out[key] = metadata ? { value, metadata } : { value };
    n++;
  }
  return n > 0 ? out : undefined;
}

/** Serialises baggage, percent-encoding values, stopping before 8192 bytes (whole members only). */
export function formatBaggage(baggage: Baggage): string {
  let out = '';
  let n = 0;
  for (const key of Object.keys(baggage)) {
    if (!TOKEN.test(key) || n >= MAX_MEMBERS) continue;
    const e = baggage[key];
    let value: string;
    try {
      value = encodeURIComponent(e.value);
    } catch {
      // A lone surrogate (possible through the OpenTelemetry bridge) has no UTF-8 form: that
      // member is left out, not the whole header.
      continue;
    }
    const member = `${key}=${value}${e.metadata ? `;${e.metadata}` : ''}`;
    if (out.length + member.length + 1 > MAX_BYTES) break;
    out += (out ? ',' : '') + member;
    n++;
  }
  return out;
}
