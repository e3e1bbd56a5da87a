/**
 * Base-2 exponential buckets (OpenTelemetry's exponential histogram): at scale `s` the base is
 * 2^(2^-s), and bucket `i` holds the magnitudes in (base^i, base^(i+1)]. Halving the scale merges
 * each pair of buckets (`i >> 1`), so a range that outgrows its bucket budget keeps every count
 * and loses only resolution.
 */

/** The finest scale, and the default (OpenTelemetry's too): 2^20 buckets per power of two. */
export const MAX_SCALE = 20;
/** The coarsest scale: at -10 two buckets span every double, so no range can need a lower one. */
export const MIN_SCALE = -10;

// A double's bits, read through a 32-bit view of the same 8 bytes: several times faster per
// call than a DataView here. The word holding sign and exponent is the second on a
// little-endian machine (every one these runtimes ship for), the first otherwise.
const float = /* @__PURE__ */ new Float64Array(1);
const words = /* @__PURE__ */ new Uint32Array(float.buffer);
const HI = /* @__PURE__ */ new Uint8Array(/* @__PURE__ */ new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** log2(e) * 2^scale for each scale from MIN_SCALE: the logarithm's factor, as OpenTelemetry's mapping computes it. */
const factors = /* @__PURE__ */ Array.from({ length: MAX_SCALE - MIN_SCALE + 1 }, (_, k) => Math.LOG2E * 2 ** (k + MIN_SCALE));

/** The bucket index of `v` (> 0, finite) at `scale`. */
export function bucketIndex(v: number, scale: number): number {
  float[0] = v;
  const hi = words[HI];
  const field = (hi >>> 20) & 0x7ff;
  // A subnormal counts as the smallest normal, 2^-1022 (as OpenTelemetry's mappings do).
  const exact = field === 0 || ((hi & 0xfffff) === 0 && words[1 - HI] === 0);
  const e = field === 0 ? -1022 : field - 1023;
  // An exact power of two is the upper bound of its bucket (upper-inclusive), so it belongs below.
  if (scale <= 0) return (exact ? e - 1 : e) >> -scale;
  if (exact) return (e << scale) - 1;
  // Between powers of two: the logarithm, kept within the exponent's own buckets so that
  // rounding at their edges never crosses into a neighbouring power of two.
  const i = Math.floor(Math.log(v) * factors[scale - MIN_SCALE]);
  const low = e << scale;
  const high = low + (1 << scale) - 1;
  return i < low ? low : i > high ? high : i;
}

/** The lower bound of bucket `i` at `scale` (base^i); its upper bound is that of `i + 1`. */
export function lowerBound(i: number, scale: number): number {
  return 2 ** (i * 2 ** -scale);
}

/** One side's counts (positive or negative values): `counts[j]` is bucket `offset + j`. */
export interface Buckets {
  offset: number;
  counts: number[];
}

/** A distribution's buckets at one scale; `zero` counts the values equal to 0. */
export interface ExponentialState {
  scale: number;
  zero: number;
  positive: Buckets;
  negative: Buckets;
}

export function emptyState(scale: number): ExponentialState {
  return { scale, zero: 0, positive: { offset: 0, counts: [] }, negative: { offset: 0, counts: [] } };
}

/** A copy of `s` (its count arrays copied). */
export function copyState(s: ExponentialState): ExponentialState {
  return { scale: s.scale, zero: s.zero, positive: { offset: s.positive.offset, counts: s.positive.counts.slice() }, negative: { offset: s.negative.offset, counts: s.negative.counts.slice() } };
}

/** `n` zeros in a packed array (no holes: V8 reads and writes a holey one more slowly). */
function zeros(n: number): number[] {
  const a: number[] = [];
  for (let k = 0; k < n; k++) a.push(0);
  return a;
}

/** Merges the buckets of `b` as the scale drops by `change`. */
function downscaleBuckets(b: Buckets, change: number): void {
  const n = b.counts.length;
  if (n === 0) return;
  const offset = b.offset >> change;
  const counts = zeros(((b.offset + n - 1) >> change) - offset + 1);
  for (let j = 0; j < n; j++) counts[((b.offset + j) >> change) - offset] += b.counts[j];
  b.offset = offset;
  b.counts = counts;
}

/** Lowers `s` to `scale` (≤ its own): both sides' buckets merged. */
export function downscale(s: ExponentialState, scale: number): void {
  const change = s.scale - scale;
  if (change <= 0) return;
  downscaleBuckets(s.positive, change);
  downscaleBuckets(s.negative, change);
  s.scale = scale;
}

/**
 * Counts `v` (finite) into `s`, first lowering the scale as far as needed for the side it falls
 * on to span at most `maxSize` buckets.
 */
export function record(s: ExponentialState, v: number, maxSize: number): void {
  if (v === 0) {
    s.zero++;
    return;
  }
  const b = v > 0 ? s.positive : s.negative;
  let i = bucketIndex(v > 0 ? v : -v, s.scale);
  const n = b.counts.length;
  if (n === 0) {
    b.offset = i;
    b.counts = [1];
    return;
  }
  let low = i < b.offset ? i : b.offset;
  let high = i > b.offset + n - 1 ? i : b.offset + n - 1;
  if (high - low >= maxSize) {
    let change = 0;
    while (high - low >= maxSize) {
      low >>= 1;
      high >>= 1;
      change++;
    }
    downscale(s, s.scale - change);
    i >>= change;
  }
  add(b, i, 1);
}

/** Adds `n` to bucket `i`, growing the array at either end. */
function add(b: Buckets, i: number, n: number): void {
  if (b.counts.length === 0) {
    b.offset = i;
    b.counts = [n];
    return;
  }
  if (i < b.offset) {
    b.counts = zeros(b.offset - i).concat(b.counts);
    b.offset = i;
  }
  const j = i - b.offset;
  while (b.counts.length <= j) b.counts.push(0);
  b.counts[j] += n;
}

/**
 * `a - b` bucket by bucket, both at `a`'s scale (`b`, taken earlier from the same distribution,
 * is lowered to it first: a distribution's scale only goes down). Leading and trailing empty
 * buckets are left out.
 */
export function subtract(a: ExponentialState, b: ExponentialState): ExponentialState {
  const ref = copyState(b);
  downscale(ref, a.scale);
  return { scale: a.scale, zero: a.zero - ref.zero, positive: minus(a.positive, ref.positive), negative: minus(a.negative, ref.negative) };
}

function minus(a: Buckets, b: Buckets): Buckets {
  const out: Buckets = { offset: a.offset, counts: a.counts.slice() };
  for (let j = 0; j < b.counts.length; j++) if (b.counts[j] !== 0) add(out, b.offset + j, -b.counts[j]);
  return trim(out);
}

/** `b` without its leading and trailing empty buckets (a copy). */
export function trim(b: Buckets): Buckets {
  let start = 0;
  let end = b.counts.length;
  while (start < end && b.counts[start] === 0) start++;
  while (end > start && b.counts[end - 1] === 0) end--;
  return start === end ? { offset: 0, counts: [] } : { offset: b.offset + start, counts: b.counts.slice(start, end) };
}

/**
 * `a` plus `b`, into `a` (both may be lowered): at the finer of their scales where each side
 * still spans at most `maxSize` buckets, as OpenTelemetry merges exponential histograms.
 */
export function addStates(a: ExponentialState, b: ExponentialState, maxSize: number): ExponentialState {
  downscale(a, b.scale);
  downscale(b, a.scale);
  let change = 0;
  for (const side of ['positive', 'negative'] as const) {
    const x = a[side];
    const y = b[side];
    if (x.counts.length === 0 || y.counts.length === 0) continue;
    const low = Math.min(x.offset, y.offset);
    const high = Math.max(x.offset + x.counts.length, y.offset + y.counts.length) - 1;
    while ((high >> change) - (low >> change) >= maxSize) change++;
  }
  downscale(a, a.scale - change);
  downscale(b, a.scale);
  a.zero += b.zero;
  for (const side of ['positive', 'negative'] as const) {
    const y = b[side];
    for (let j = 0; j < y.counts.length; j++) if (y.counts[j] !== 0) add(a[side], y.offset + j, y.counts[j]);
  }
  return a;
}
