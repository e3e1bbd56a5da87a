/**
 * A mergeable quantile sketch with relative value accuracy (the DDSketch idea): values fall
 * in logarithmic bins of ratio γ, so memory is bounded by the value range, not the count
 * (about 4,200 bins cover 1e-9…1e9 at 0.5%; magnitudes past 1e18 share the top bin), and any
 * quantile up to 1e18 is read within 0.5% of its true value. On smooth distributions that
 * keeps the rank error well under 1%.
 */
export class QuantileSketch {
  readonly #gamma: number;
  readonly #logGamma: number;
  private readonly pos = new Map<number, number>();
  private readonly neg = new Map<number, number>();
  #zero = 0;
  count = 0;
  /** The exact extremes, so that quantile 0 and 1 are the minimum and maximum (MET-09). */
  min = Infinity;
  max = -Infinity;

  /**
   * The highest bin: magnitudes above 1e18 share it (quantile 1 is still the exact maximum). With
   * the 1e-9 zero threshold below, a sketch holds at most ~6,200 bins per sign whatever it is
   * given; values across the whole double range (hostile input) made ~70,000 per sign.
   */
  readonly #kMax: number;

  constructor(relativeAccuracy = 0.005) {
    this.#gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.#logGamma = Math.log(this.#gamma);
    this.#kMax = Math.ceil(Math.log(1e18) / this.#logGamma);
  }

  add(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v > 1e-9) {
      const k = Math.min(Math.ceil(Math.log(v) / this.#logGamma), this.#kMax);
      this.pos.set(k, (this.pos.get(k) ?? 0) + 1);
    } else if (v < -1e-9) {
      const k = Math.min(Math.ceil(Math.log(-v) / this.#logGamma), this.#kMax);
      this.neg.set(k, (this.neg.get(k) ?? 0) + 1);
    } else this.#zero++;
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.#zero = 0;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Quantiles over several sketches at once (the sliding window's age buckets). */
  static quantiles(sketches: readonly QuantileSketch[], qs: readonly number[]): number[] {
    let total = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const s of sketches) {
      total += s.count;
      if (s.min < min) min = s.min;
      if (s.max > max) max = s.max;
    }
    if (total === 0) return qs.map(() => NaN);
    const first = sketches[0];
    const neg = new Map<number, number>();
    const pos = new Map<number, number>();
    let zero = 0;
    for (const s of sketches) {
      for (const [k, c] of s.neg) neg.set(k, (neg.get(k) ?? 0) + c);
      for (const [k, c] of s.pos) pos.set(k, (pos.get(k) ?? 0) + c);
      zero += s.#zero;
    }
    // Ascending order of value: negative bins from the largest magnitude, then zero, then positive.
    const bins: [number, number][] = [];
    for (const k of [...neg.keys()].sort((a, b) => b - a)) bins.push([-first.#value(k), neg.get(k)!]);
    if (zero) bins.push([0, zero]);
    for (const k of [...pos.keys()].sort((a, b) => a - b)) bins.push([first.#value(k), pos.get(k)!]);
    // Nearest rank: the smallest value with at least ⌈q·n⌉ observations at or below it.
    // A bin's representative value may lie outside what was observed: clamp to the exact extremes.
    const clamp = (v: number): number => (v < min ? min : v > max ? max : v);
    return qs.map((q) => {
      if (q === 0) return min;
      if (q === 1) return max;
      const target = Math.max(1, Math.ceil(q * total));
      let seen = 0;
      for (const [v, c] of bins) {
        seen += c;
        if (seen >= target) return clamp(v);
      }
      return max;
    });
  }

  /** The representative value of bin k: the point of least relative error in (γ^(k-1), γ^k]. */
  #value(k: number): number {
    return (2 * Math.pow(this.#gamma, k)) / (1 + this.#gamma);
  }
}
