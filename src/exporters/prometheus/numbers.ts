/**
 * Number formatting shared by both formats.
 *
 * @module
 */

/**
 * A sample value: integers without a decimal point, `+Inf`, `-Inf`, `NaN` (PT-05, OM-10).
 * JavaScript's shortest round-trip form is valid for Go's ParseFloat and the OpenMetrics grammar.
 */
export function formatValue(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return '' + v;
}

/**
 * The canonical number OpenMetrics wants for `le` and `quantile` (OM-08): Go's `%g` in shortest
 * form (exponent when it is below -4 or at least 6, two-digit exponent), with `.0` appended
 * when there is neither a `.` nor an exponent. Used in both formats so series keep one identity.
 *
 * @example
 * formatCanonical(1)       // '1.0'
 * formatCanonical(0.005)   // '0.005'
 * formatCanonical(0.00001) // '1e-05'
 * formatCanonical(1e6)     // '1e+06'
 */
export function formatCanonical(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0.0';
  const exp = v.toExponential(); // shortest digits, e.g. '1.5e+6'
  const e = exp.indexOf('e');
  const x = +exp.slice(e + 1);
  if (x < -4 || x >= 6) {
    const ax = x < 0 ? -x : x;
    return exp.slice(0, e) + (x < 0 ? 'e-' : 'e+') + (ax < 10 ? '0' + ax : '' + ax);
  }
  const s = '' + v;
  return s.indexOf('.') < 0 ? s + '.0' : s;
}

/** Epoch milliseconds → OpenMetrics seconds (OM-10), with millisecond precision. */
export function formatSeconds(ms: number): string {
  const s = (Math.round(ms) / 1000).toFixed(3);
  return s;
}
