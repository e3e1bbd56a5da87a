import { timerMs } from '../../time.js';

/** Only these are worth another try (OTLP-09); 400 and every other 4xx/5xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * `Retry-After` as milliseconds to wait: either delay-seconds or an HTTP-date (OTLP-10).
 * Undefined when absent or unparseable, so the caller falls back to backoff.
 *
 * @example
 * parseRetryAfter('2', Date.now()) // 2000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
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
