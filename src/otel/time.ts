import type { HrTime, TimeInput } from '@opentelemetry/api';
import { clockOrigin } from '../time.js';

const perf: Performance | undefined = typeof performance !== 'undefined' ? performance : undefined;

/**
 * Epoch milliseconds → `[seconds, nanoseconds]`, exactly as `msToUnixNano` writes the same time
 * to OTLP: whole milliseconds and the rounded nanosecond fraction are combined in integers,
 * so no float multiplication of a 1.7e12 value can drift.
 */
export function msToHrTime(ms: number): HrTime {
  if (!(ms > 0)) return [0, 0];
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  const seconds = Math.floor(whole / 1000);
  return [seconds, (whole - seconds * 1000) * 1e6 + frac];
}

/** `end - start` of two HrTimes, never negative. */
export function hrTimeDiff(start: HrTime, end: HrTime): HrTime {
  let s = end[0] - start[0];
  let ns = end[1] - start[1];
  if (ns < 0) {
    s -= 1;
    ns += 1e9;
  }
  return s < 0 ? [0, 0] : [s, ns];
}

/**
 * An OpenTelemetry `TimeInput` → epoch milliseconds; undefined when absent or invalid.
 *
 * A number is read as the SDK's `Span._getTime` reads it: at most `performance.now()` is a
 * `performance.now()` reading, anything later is epoch milliseconds. Comparing with the time
 * origin instead would take an epoch time from before the process started (a queue message's
 * enqueue time) for a performance reading and move it decades ahead. The SDK then corrects the
 * reading to `Date.now()`'s clock; ours is `timeOrigin + performance.now()` (src/time.ts), so
 * adding the origin is already on the monitor's clock. On Workers the origin is 0 and
 * `performance.now()` reads as epoch ms, so both branches give the same time.
 */
export function timeInputToMs(t: TimeInput | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) return undefined;
    const ms = perf !== undefined && t <= perf.now() ? clockOrigin() + t : t;
    return ms > 0 ? ms : undefined;
  }
  try {
    if (t instanceof Date) {
      const ms = t.getTime();
      return Number.isFinite(ms) ? ms : undefined;
    }
    if (Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && typeof t[1] === 'number') {
      const ms = t[0] * 1000 + t[1] / 1e6;
      return Number.isFinite(ms) && ms > 0 ? ms : undefined;
    }
  } catch {
    // a value that throws when inspected (a revoked Proxy, a throwing getter) is no time
  }
  return undefined;
}
