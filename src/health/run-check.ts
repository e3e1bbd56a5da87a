import { now, timerMs } from '../time.js';
import { HealthStatus, type HealthCheck, type HealthCheckResult } from './status.js';
import { toResult } from './function-check.js';

function message(err: unknown): string {
  if (typeof err === 'string') return err;
  try {
    // Duck-typed: a plain `{ code, message }` object (as some clients throw) or an Error from
    // another realm is not `instanceof Error`, and its message is what the operator needs.
    const e = err as { message?: unknown; name?: unknown; cause?: { message?: unknown } | null } | null;
    if (typeof e === 'object' && e !== null) {
      if (typeof e.message === 'string' && e.message) {
        // Node's fetch says only "fetch failed"; why (refused, DNS, TLS) is in its cause, as it is
        // for any error that wraps another.
        let cause: unknown;
        try {
          cause = typeof e.cause === 'object' && e.cause !== null ? e.cause.message : undefined;
        } catch {
          // a cause that throws when read adds nothing
        }
        return typeof cause === 'string' && cause && !e.message.includes(cause) ? `${e.message}: ${cause}` : e.message;
      }
      if (typeof e.name === 'string' && e.name) return e.name;
    }
  } catch {
    // a message that throws when read tells nothing
  }
  return 'the check failed';
}

/**
 * Runs one check under its timeout. Never rejects: a hang becomes UNHEALTHY "timed out after
 * N s", a throw becomes UNHEALTHY with the error's message. The signal is aborted on timeout
 * (reason: a TimeoutError) so a well-behaved check stops its I/O instead of leaking it.
 */
export async function runCheck(name: string, check: HealthCheck, timeoutSeconds: number): Promise<HealthCheckResult> {
  const start = now();
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => {
      const error = `timed out after ${timeoutSeconds} s`;
      // A TimeoutError, not a bare abort (an AbortError, a deliberate cancel): a traced fetch of
      // the check then records the timeout as an error (error.type TimeoutError), not a clean request.
      controller?.abort(new DOMException(error, 'TimeoutError'));
      resolve({ component: name, status: HealthStatus.UNHEALTHY, error, latencyMs: now() - start });
    }, timerMs(timeoutSeconds * 1000));
  });
  const run = (async (): Promise<HealthCheckResult> => {
    try {
      const r = await check.check(timeoutSeconds, controller?.signal);
      return toResult(name, r, now() - start);
    } catch (err) {
      return { component: name, status: HealthStatus.UNHEALTHY, error: message(err), latencyMs: now() - start };
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
