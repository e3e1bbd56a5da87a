/**
 * Clocks. `performance.timeOrigin + performance.now()` gives epoch milliseconds with
 * sub-millisecond precision on Node, Deno and Bun; on Workers `timeOrigin` is 0 and
 * `performance.now()` already reads as epoch ms (CF-02), so one formula serves all.
 */
let origin: number = typeof performance !== 'undefined' && performance.timeOrigin > 0 ? performance.timeOrigin : 0;
const perf: Performance | undefined = typeof performance !== 'undefined' ? performance : undefined;

/**
 * How far behind the wall clock `now()` may fall before `resyncClock()` moves it: more than
 * `Date.now()`'s whole-millisecond rounding and its jitter, far less than a suspend.
 */
const RESYNC_AFTER_MS = 20;

/**
 * Catches `now()` up with the wall clock when it has fallen behind. `performance.now()` stops
 * while a machine sleeps or an AWS Lambda sandbox is frozen between invocations, and
 * `timeOrigin` never moves, so a warm process would stamp its spans minutes or hours in the past.
 * Only forward: a wall clock set back is not followed, so `now()` never goes backwards and no
 * deadline computed from it moves away. On Workers `performance.now()` is the wall clock (CF-02)
 * and there is nothing to do.
 */
function resyncClock(): void {
  if (origin === 0 || perf === undefined) return;
  const behind = Date.now() - (origin + perf.now());
  if (behind > RESYNC_AFTER_MS) origin += behind;
}

/** Scopes open in this process, of every monitor (the clock is one for all of them). */
let openScopes = 0;

/**
 * A scope (a request, an invocation) opens. The clock catches up only when no other scope is
 * open, so no request in flight gets the step inside its duration; a Lambda sandbox runs one
 * invocation at a time and resyncs at each. A busy server that always has a request open keeps
 * its clock as it was (a scope never closed has the same effect).
 */
export function enterScope(): void {
  if (openScopes++ === 0) resyncClock();
}

/** A scope closed (see `enterScope`). */
export function leaveScope(): void {
  if (openScopes > 0) openScopes--;
}

/** What `now()` adds to a `performance.now()` reading (0 on Workers). */
export function clockOrigin(): number {
  return origin;
}

/**
 * The longest delay a timer honours: 2^31−1 ms (about 24.8 days). Node, Deno, Bun and browsers
 * fire a longer `setTimeout` at once (Node after 1 ms), so a 30-day timeout would time out
 * immediately; every timeout a user sets is clamped to this.
 */
export const MAX_TIMER_MS = 2147483647;

/** `ms` clamped to what `setTimeout` honours (see MAX_TIMER_MS). */
export function timerMs(ms: number): number {
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}

/** Current time as epoch milliseconds (fractional), never going backwards (see resyncClock). */
export const now: () => number = perf ? () => origin + perf.now() : () => Date.now();

/**
 * Epoch milliseconds → Unix nanoseconds as a decimal string, without float multiplication
 * (OTLP-J9): the whole milliseconds and the nanosecond remainder are joined as text.
 */
export function msToUnixNano(ms: number): string {
  if (!(ms > 0 && ms < MAX_TIME_MS)) return '0';
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  if (whole === 0) return String(frac);
  const f = String(frac);
  return String(whole) + '000000'.slice(f.length) + f;
}

/**
 * Epoch milliseconds → Unix nanoseconds as two unsigned 32-bit halves, for fixed64 fields.
 * Exact for any time this side of year 2500: the product is split so every partial result
 * stays below 2^53.
 */
export function msToUnixNanoParts(ms: number): { lo: number; hi: number } {
  if (!(ms > 0 && ms < MAX_TIME_MS)) return { lo: 0, hi: 0 };
  let whole = Math.floor(ms);
  let frac = Math.round((ms - whole) * 1e6);
  if (frac >= 1e6) {
    whole += 1;
    frac -= 1e6;
  }
  // whole * 1e6 + frac, computed as (wh * 2^16 + wl) * 1e6 + frac.
  const wh = Math.floor(whole / 65536);
  const wl = whole - wh * 65536;
  const high = wh * 1e6; // < 2^46, exact; contributes high * 2^16
  const low = wl * 1e6 + frac; // < 2^37, exact
  // total = high * 65536 + low. Split high into parts above and below 2^16.
  const highHi = Math.floor(high / 65536); // contributes highHi * 2^32
  const highLo = high - highHi * 65536; // contributes highLo * 2^16
  const lowSum = highLo * 65536 + low; // < 2^38
  const carry = Math.floor(lowSum / 4294967296);
  return { lo: lowSum - carry * 4294967296, hi: highHi + carry };
}

/**
 * The latest time OTLP can carry: Unix nanoseconds are an unsigned 64-bit number, which ends
 * in the year 2554. Later (or non-positive) times are not times.
 */
export const MAX_TIME_MS = 18_446_744_073_709;

/**
 * A user-supplied time (epoch ms or a Date) as epoch ms, or the current time when the input is
 * not a usable time (NaN, ±Infinity, ≤ 0, past year 2554), so one odd value cannot corrupt an
 * export.
 */
export function timeInput(t: number | Date | undefined): number {
  return t === undefined ? now() : (epochMs(t) ?? now());
}

/** A user-supplied time as epoch ms; undefined when it is not a usable time (see timeInput). */
export function epochMs(t: unknown): number | undefined {
  let ms = NaN;
  try {
    ms = typeof t === 'number' ? t : t instanceof Date ? t.getTime() : NaN;
  } catch {
    // a value that throws when read (a revoked Proxy): not a time
  }
  return ms > 0 && ms < MAX_TIME_MS ? ms : undefined;
}

/** Seconds between two epoch-ms readings, never negative (clocks may stall on Workers). */
export function secondsBetween(startMs: number, endMs: number): number {
  const d = (endMs - startMs) / 1000;
  return d > 0 ? d : 0;
}
