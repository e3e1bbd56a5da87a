/**
 * W3C `tracestate` (TS-01…TS-05): at most 32 members, keys in the simple or `tenant@system`
 * form, values of printable ASCII without `,` or `=`. An invalid or duplicated entry, or more
 * than 32 members, makes the whole header invalid; an over-long header is rejected before it
 * is split.
 */
const KEY = /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
const MAX_HEADER = 8192;

/**
 * Parses and re-serialises a received tracestate header; undefined when it is invalid, empty
 * or has more than 32 members (TS-01, W3C `test_tracestate_member_count_limit`).
 */
export function parseTracestate(header: string | null | undefined): string | undefined {
  return parse(header, false);
}

/**
 * A tracestate this process changed, such as one from the OpenTelemetry API's `TraceState.set()`
 * (which puts the new or updated key first): checked as a received one, except that over 32
 * members the right-most are dropped (TS-02) instead of the whole header.
 */
export function limitTracestate(header: string | null | undefined): string | undefined {
  return parse(header, true);
}

function parse(header: string | null | undefined, dropRight: boolean): string | undefined {
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
    if (out.push(member) > MAX_MEMBERS && !dropRight) return undefined;
  }
  if (out.length === 0) return undefined;
  return (out.length > MAX_MEMBERS ? out.slice(0, MAX_MEMBERS) : out).join(',');
}

/**
 * A span context's tracestate as header text: ours is a string already; the OpenTelemetry API's
 * is a `TraceState` object (a span from `trace.getActiveSpan()` given as a parent, a link or to
 * `injectContext`), which would otherwise be sent as `[object Object]`. Anything else is none.
 */
export function traceStateText(ts: unknown): string | undefined {
  if (typeof ts === 'string') return ts || undefined;
  const o = ts as { serialize?: unknown } | null | undefined;
  return o != null && typeof o.serialize === 'function' ? limitTracestate(String(o.serialize())) : undefined;
}
