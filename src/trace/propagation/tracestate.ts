/**
 * W3C `tracestate` (TS-01…TS-05): at most 32 members, keys in the simple or `tenant@system`
 * form, values of printable ASCII without `,` or `=`. An invalid or duplicated entry makes
 * the whole header invalid; an over-long header is rejected before it is split.
 */
const KEY = /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
const MAX_HEADER = 8192;

/** Parses and re-serialises a tracestate header; undefined when it is invalid or empty. */
export function parseTracestate(header: string | null | undefined): string | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER) return undefined;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of header.split(',')) {
    const member = raw.trim();
    if (member === '') continue;
    const eq = member.indexOf('=');
    if (eq <= 0) return undefined;
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(value) || seen.has(key)) return undefined;
    seen.add(key);
    out.push(member);
  }
  if (out.length === 0) return undefined;
  // Over 32 members: drop from the right (TS-02).
  return out.slice(0, MAX_MEMBERS).join(',');
}
