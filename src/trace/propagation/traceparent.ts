import { INVALID_SPAN_ID, INVALID_TRACE_ID } from '../ids.js';

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

const HEX2 = /^[0-9a-f]{2}$/;
const V00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const FUTURE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;

/** Longest header worth reading: real ones are 55 characters; W3C lets future versions grow a little. */
const MAX_LENGTH = 512;

/**
 * Parses a W3C `traceparent` header (TC-01…TC-05, TC-08). Returns undefined for anything
 * invalid: upper-case hex, all-zero ids, version `ff`, trailing data on version 00, and
 * headers too long to be real (rejected before any parsing).
 */
export function parseTraceparent(header: string | null | undefined): ParsedTraceparent | undefined {
  if (typeof header !== 'string' || header.length > MAX_LENGTH) return undefined;
  const h = header.trim();
  if (h.length < 55) return undefined;
  const version = h.slice(0, 2);
  let m: RegExpExecArray | null;
  let i = 1;
  if (version === '00') m = V00.exec(h);
  else {
    if (!HEX2.test(version) || version === 'ff' || h[2] !== '-') return undefined;
    m = FUTURE.exec(h);
    i = 2;
  }
  if (!m) return undefined;
  const traceId = m[i]!;
  const spanId = m[i + 1]!;
  // The expression took lower-case hex of the right lengths: only all-zero ids are left to refuse.
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: parseInt(m[i + 2]!, 16) };
}

/** Formats a version-00 `traceparent`; only the sampled and random bits are sent (TC-06). */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  const f = traceFlags & 0x03;
  return `00-${traceId}-${spanId}-0${f.toString(16)}`;
}
