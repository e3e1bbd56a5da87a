import type { HrTime, TimeInput } from '@opentelemetry/api';

const origin: number = typeof performance !== 'undefined' && performance.timeOrigin > 0 ? performance.timeOrigin : 0;

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
 * An OpenTelemetry `TimeInput` → epoch milliseconds. Numbers below the time origin are
 * `performance.now()` readings (as the OpenTelemetry SDK reads them); undefined when absent or invalid.
 */
export function timeInputToMs(t: TimeInput | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  if (typeof t === 'number') {
    if (!Number.isFinite(t) || t < 0) return undefined;
    return t < origin ? t + origin : t;
  }
  if (t instanceof Date) {
    const ms = t.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (Array.isArray(t) && t.length === 2 && typeof t[0] === 'number' && typeof t[1] === 'number') {
    const ms = t[0] * 1000 + t[1] / 1e6;
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  }
  return undefined;
}
