import { timerMs } from '../../time.js';

/** Only these are worth another try (OTLP-09); 400 and every other 4xx/5xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * `Retry-After` as milliseconds to wait: either delay-seconds (`1*DIGIT`) or an HTTP-date
 * (RFC 9110 §10.2.3, §5.6.7; OTLP-10). Undefined for anything else ("2.5", "-1", "5, 6" from two
 * headers, another date format), so the caller falls back to jittered backoff.
 *
 * @example
 * parseRetryAfter('2', Date.now()) // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()) // 0: that date is past
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  let v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // The obsolete forms a recipient MUST also accept (RFC 9110 §5.6.7), rewritten as IMF-fixdates
  // and checked as below: rfc850 `Sunday, 06-Nov-94 08:49:37 GMT`, whose year more than 50
  // years ahead is in the past century, and asctime `Sun Nov  6 08:49:37 1994`.
  let m = /^(\w{3})\w*day, (\d\d)-(\w{3})-(\d\d) (\S{8}) GMT$/.exec(v);
  if (m) {
    const now = new Date(nowMs).getUTCFullYear();
    const y = now - (now % 100) + +m[4]!;
    v = `${m[1]}, ${m[2]} ${m[3]} ${y > now + 50 ? y - 100 : y} ${m[5]} GMT`;
  } else if ((m = /^(\w{3}) (\w{3}) ([ \d]\d) (\S{8}) (\d{4})$/.exec(v))) v = `${m[1]}, ${m[3]!.replace(' ', '0')} ${m[2]} ${m[5]} ${m[4]} GMT`;
  // Date.parse reads nearly anything ("2.5" is a date in 2001). toUTCString writes exactly the
  // 29 characters of an IMF-fixdate, so reading the date back keeps only a valid one (weekday,
  // day of month and time included).
  const at = Date.parse(v);
  return v.length === 29 && new Date(at).toUTCString() === v ? Math.max(0, at - nowMs) : undefined;
}

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * `initial × 2^n` (capped), so clients that failed together do not retry together.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Waits `ms`, or less if `signal` aborts first; resolves true when the full wait elapsed.
 * Built on setTimeout so it works on every runtime (Workers included).
 */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, timerMs(ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
