import type { Diagnostics } from '../../diag/diagnostics.js';

/**
 * W3C `tracestate` (TS-01…TS-05): at most 32 members, keys in the simple or `tenant@system`
 * form, values of printable ASCII without `,` or `=`. In a received header an invalid or
 * duplicated entry, or more than 32 members, makes the whole header invalid; an over-long
 * header is rejected before it is split.
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
 * A tracestate this process changed or built, such as one from the OpenTelemetry API's
 * `TraceState.set()` (which puts the new or updated key first, and checks nothing) or a span
 * context made by hand: only what is wrong is left out. A malformed member, a later duplicate of
 * a key (the left-most is the newest, TS-02) and members past 32 (the right-most, TS-02) are
 * dropped, the valid members kept, each one left out counted through `diag` when given.
 */
export function limitTracestate(header: string | null | undefined, diag?: Diagnostics): string | undefined {
  return parse(header, true, diag);
}

function leftOut(diag: Diagnostics | undefined, n: number): void {
  if (n > 0) diag?.drop('invalid_value', 'tracestate members were left out of an outgoing tracestate (malformed, a duplicated key, past 32 members, or over 8192 characters)', n);
}

/** Both readings: a received header (`keep` false) is invalid whole for one bad member; one of ours (`keep`) loses only the bad members. */
function parse(header: string | null | undefined, keep: boolean, diag?: Diagnostics): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  if (header.length > MAX_HEADER) {
    if (keep) leftOut(diag, 1);
    return undefined;
  }
  const seen = new Set<string>();
  const out: string[] = [];
  let left = 0;
  for (const raw of header.split(',')) {
    const member = raw.trim();
    if (member === '') continue;
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    if (eq <= 0 || !KEY.test(key) || !VALUE.test(member.slice(eq + 1)) || seen.has(key) || out.length >= MAX_MEMBERS) {
      if (!keep) return undefined;
      left++;
    } else {
      seen.add(key);
      out.push(member);
    }
  }
  leftOut(diag, left);
  return out.length === 0 ? undefined : out.join(',');
}

/**
 * A span context's tracestate as header text: ours is a string already; the OpenTelemetry API's
 * is a `TraceState` object (a span from `trace.getActiveSpan()` given as a parent, a link or to
 * `injectContext`), which would otherwise be sent as `[object Object]`. Anything else is none.
 * Never throws: a `serialize()` that throws gives none, counted through `diag` when given.
 */
export function traceStateText(ts: unknown, diag?: Diagnostics): string | undefined {
  if (typeof ts === 'string') return ts || undefined;
  const o = ts as { serialize?: unknown } | null | undefined;
  if (o == null || typeof o.serialize !== 'function') return undefined;
  let text: string;
  try {
    text = String(o.serialize());
  } catch {
    leftOut(diag, 1);
    return undefined;
  }
  return limitTracestate(text, diag);
}

/**
 * The tracestate header to send for a span context: its tracestate (text or an OpenTelemetry
 * `TraceState`) checked as one this process built (limitTracestate), since a hand-made span
 * context's text was never parsed. Never throws, so a bad tracestate costs nothing but itself:
 * the traceparent and baggage still go.
 */
export function outgoingTracestate(ts: unknown, diag?: Diagnostics): string | undefined {
  return typeof ts === 'string' ? limitTracestate(ts, diag) : traceStateText(ts, diag);
}
