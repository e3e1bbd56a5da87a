/**
 * Good and total event counts in fixed time buckets over a rolling window: a ring of
 * window ÷ bucket slots, so memory does not grow with traffic. A slot remembers which bucket it
 * holds, so stale slots are skipped (and reused) without a sweep.
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
    this.n = Math.max(1, Math.ceil((windowSeconds * 1000) / bucketMs));
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

  /** Counts over the last `seconds` (whole buckets, the current one included) ending at `timeMs`. */
  sum(timeMs: number, seconds: number): { good: number; total: number } {
    const k = Math.min(this.n, Math.max(1, Math.round((seconds * 1000) / this.bucketMs)));
    const current = Math.floor(timeMs / this.bucketMs);
    let good = 0;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const b = current - j;
      if (b < 0) break;
      const slot = b % this.n;
      if (this.bucket[slot] === b) {
        good += this.good[slot];
        total += this.total[slot];
      }
    }
    return { good, total };
  }
}
