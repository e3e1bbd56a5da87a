/**
 * Trace and span ids from `crypto.getRandomValues`. A call costs ~1.7 µs whatever its size up
 * to its 64 KB maximum (~0.15 ns a byte when filling all of it), so ids are drawn from a 64 KB
 * pool refilled when used up. The pool is created on first use: Workers forbid random values in
 * global scope (CF-03).
 *
 * Spans keep their ids as 24-bit numbers (small integers V8 stores unboxed in the span) and
 * hex-encode them on first read: a span id is three chunks (24 + 24 + 16 bits), a trace id six
 * (5 × 24 + 8 bits).
 */
const POOL_WORDS = 16384;
/** The pool that `takeWords` indexes; its words are valid until the next `takeWords`. */
export let pool: Uint32Array<ArrayBuffer> | undefined;
let next = POOL_WORDS;

/** Char codes of the lowercase hex digits. */
const D = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

function refill(): void {
  pool ??= new Uint32Array(POOL_WORDS);
  crypto.getRandomValues(pool);
  next = 0;
}

/**
 * Fills the pool ahead of the first id, when a monitor is created: Node 20 loads its Web Crypto
 * module on the first access to `crypto` (~2.6 ms) and its random source on the first
 * `getRandomValues` (~0.7 ms), which would otherwise land in the first request. Where random
 * values are refused outside a request (a Worker's global scope, CF-03) the pool is filled on
 * first use, as before.
 */
export function prepareIds(): void {
  if (next < POOL_WORDS) return;
  try {
    refill();
  } catch {
    // Refused here: the first span fills it.
  }
}

/**
 * Reserves `n` (at most 16384) random words and returns the index of the first in `pool`:
 * one bounds check for all of a span's ids.
 */
export function takeWords(n: number): number {
  if (next + n > POOL_WORDS) refill();
  const i = next;
  next = i + n;
  return i;
}

// Ids are built by one String.fromCharCode call: a flat string of one allocation. Joining
// two-digit pieces with `+` made a rope of a dozen cons strings (~285 B for a trace id) that
// every reader (the OTLP encoders' hex decoding, log records) had to flatten first: 1.7×
// faster to build, 2.2× with a read of every digit.

/** A span id from its chunks (24, 24 and 16 bits). */
export function spanIdHex(a: number, b: number, c: number): string {
  return String.fromCharCode(
    D[a >>> 20]!, D[(a >>> 16) & 15]!, D[(a >>> 12) & 15]!, D[(a >>> 8) & 15]!, D[(a >>> 4) & 15]!, D[a & 15]!,
    D[b >>> 20]!, D[(b >>> 16) & 15]!, D[(b >>> 12) & 15]!, D[(b >>> 8) & 15]!, D[(b >>> 4) & 15]!, D[b & 15]!,
    D[c >>> 12]!, D[(c >>> 8) & 15]!, D[(c >>> 4) & 15]!, D[c & 15]!,
  );
}

/** A trace id from its chunks (five of 24 bits, one of 8). */
export function traceIdHex(a: number, b: number, c: number, d: number, e: number, f: number): string {
  return String.fromCharCode(
    D[a >>> 20]!, D[(a >>> 16) & 15]!, D[(a >>> 12) & 15]!, D[(a >>> 8) & 15]!, D[(a >>> 4) & 15]!, D[a & 15]!,
    D[b >>> 20]!, D[(b >>> 16) & 15]!, D[(b >>> 12) & 15]!, D[(b >>> 8) & 15]!, D[(b >>> 4) & 15]!, D[b & 15]!,
    D[c >>> 20]!, D[(c >>> 16) & 15]!, D[(c >>> 12) & 15]!, D[(c >>> 8) & 15]!, D[(c >>> 4) & 15]!, D[c & 15]!,
    D[d >>> 20]!, D[(d >>> 16) & 15]!, D[(d >>> 12) & 15]!, D[(d >>> 8) & 15]!, D[(d >>> 4) & 15]!, D[d & 15]!,
    D[e >>> 20]!, D[(e >>> 16) & 15]!, D[(e >>> 12) & 15]!, D[(e >>> 8) & 15]!, D[(e >>> 4) & 15]!, D[e & 15]!,
    D[f >>> 4]!, D[f & 15]!,
  );
}

/** 16 random lowercase hex digits, never all zero. */
export function newSpanId(): string {
  const i = takeWords(3);
  const w = pool!;
  const a = w[i] >>> 8;
  const b = w[i + 1] >>> 8;
  return spanIdHex(a, b, w[i + 2] & 65535 || (a | b ? 0 : 1));
}

/** 32 random lowercase hex digits, never all zero. */
export function newTraceId(): string {
  const i = takeWords(6);
  const w = pool!;
  const a = w[i] >>> 8;
  const b = w[i + 1] >>> 8;
  const c = w[i + 2] >>> 8;
  const d = w[i + 3] >>> 8;
  const e = w[i + 4] >>> 8;
  return traceIdHex(a, b, c, d, e, w[i + 5] & 255 || (a | b | c | d | e ? 0 : 1));
}

export const INVALID_TRACE_ID = '00000000000000000000000000000000';
export const INVALID_SPAN_ID = '0000000000000000';

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const SPAN_ID_RE = /^[0-9a-f]{16}$/;

/** An id lower-cased when it is text (either hex case is accepted, OTLP-J2); anything else is left for the id checks to refuse. */
export const lowerId = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID_RE.test(id) && id !== INVALID_TRACE_ID;
}

export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID_RE.test(id) && id !== INVALID_SPAN_ID;
}
