import { timerMs } from '../../time.js';

/** Only these are worth another try (OTLP-09); 400 and every other 4xx/5xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * `Retry-After` as milliseconds to wait: either delay-seconds (`1*DIGIT`) or an HTTP-date
 * (RFC 9110 §10.2.3, §5.6.7; OTLP-10). Undefined for anything else ("2.5", "-1", "5, 6" from two
 * headers, a date in another format), so the caller falls back to jittered backoff.
 *
 * @example
 * parseRetryAfter('2', Date.now()) // 2000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = parseHttpDate(v, nowMs);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", then the obsolete RFC 850 and asctime forms.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
const RFC850 = /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/;
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/;

/**
 * An HTTP-date as epoch ms, or undefined when `v` is not exactly one of the three forms or names
 * a day that does not exist. A two-digit RFC 850 year more than 50 years ahead of `nowMs` is
 * read as the most recent past year with those digits (RFC 9110 §5.6.7).
 */
function parseHttpDate(v: string, nowMs: number): number | undefined {
  // Normalised to [day, month, year, hour, minute, second].
  let f: string[];
  let m = IMF_FIXDATE.exec(v);
  if (m) f = m.slice(1);
  else if ((m = RFC850.exec(v))) {
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    f = [m[1]!, m[2]!, String(year), ...m.slice(4)];
  } else if ((m = ASCTIME.exec(v))) f = [m[2]!.trim(), m[1]!, m[6]!, ...m.slice(3, 6)];
  else return undefined;
  const [day, year, h, min, s] = [f[0], f[2], f[3], f[4], f[5]].map(Number) as [number, number, number, number, number];
  const month = MONTHS.indexOf(f[1]!) / 3;
  if (!Number.isInteger(month) || h > 23 || min > 59 || s > 60) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  if (d.getUTCMonth() !== month || d.getUTCDate() !== day) return undefined; // 31 Feb, 00 Jan
  return d.getTime() + ((h * 60 + min) * 60 + s) * 1000;
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
