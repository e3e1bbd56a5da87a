/**
 * Good and total event counts in fixed time buckets over a rolling window: a ring of
 * window ÷ bucket slots and one more, so memory does not grow with traffic. A slot remembers
 * which bucket it holds, so stale slots are skipped (and reused) without a sweep.
 */
export class BucketRing {
  private readonly n: number;
  private readonly bucket: Float64Array;
  private readonly good: Float64Array;
  private readonly total: Float64Array;
  private latest = -1;

  constructor(
    windowSeconds: number,
    private readonly bucketMs: number,
  ) {
    // The extra slot keeps the bucket the window's start falls in, which still counts in part.
    this.n = Math.max(1, Math.ceil((windowSeconds * 1000) / bucketMs)) + 1;
    this.bucket = new Float64Array(this.n).fill(-1);
    this.good = new Float64Array(this.n);
    this.total = new Float64Array(this.n);
  }

  add(timeMs: number, good: boolean): void {
    let b = Math.floor(timeMs / this.bucketMs);
    let slot = b % this.n;
    if (this.bucket[slot] > b) {
      // The slot already holds a later bucket: the clock stepped back a whole window or more.
      // Resetting it would erase newer counts, so the event joins the newest bucket, as if the
      // clock had stalled there.
      b = this.latest;
      slot = b % this.n;
    }
    if (b > this.latest) this.latest = b;
    if (this.bucket[slot] !== b) {
      this.bucket[slot] = b;
      this.good[slot] = 0;
      this.total[slot] = 0;
    }
    this.total[slot]++;
    if (good) this.good[slot]++;
  }

  /**
   * Counts over the sliding window of the last `seconds` ending at `timeMs`. A bucket's events
   * are taken as spread evenly over the time it covers (the current bucket: up to `timeMs`), and
   * a bucket only partly inside the window counts for that part, as Prometheus' `rate()`
   * interpolates at a range's edge. So a window as short as one bucket still sees the last
   * `seconds` just after a bucket boundary, and the counts may be fractional.
   */
  sum(timeMs: number, seconds: number): { good: number; total: number } {
    const from = timeMs - seconds * 1000;
    const current = Math.floor(timeMs / this.bucketMs);
    let good = 0;
    let total = 0;
    for (let b = current; b > current - this.n && b >= 0; b--) {
      const start = b * this.bucketMs;
      const end = Math.min(start + this.bucketMs, timeMs);
      if (end <= from) break;
      const slot = b % this.n;
      if (this.bucket[slot] !== b) continue;
      const share = start >= from ? 1 : (end - from) / (end - start);
      good += this.good[slot] * share;
      total += this.total[slot] * share;
    }
    return { good, total };
  }
}
