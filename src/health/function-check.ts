import { now } from '../time.js';
import { HealthStatus, isHealthStatus, type HealthCheck, type HealthCheckResult } from './status.js';

/**
 * What a function check may return: a full result, a bare status, a boolean (true is
 * healthy) or nothing (it did not throw, so the component is healthy). A result without a
 * `status` is healthy unless it carries an `error`, which makes it unhealthy.
 */
export type HealthCheckOutcome = Partial<HealthCheckResult> | HealthStatus | boolean | void | undefined;

/** A function usable as a check; it may use the timeout and abort signal it is given. */
export type HealthCheckFunction = (timeoutSeconds: number, signal?: AbortSignal) => HealthCheckOutcome | Promise<HealthCheckOutcome>;

/** Turns whatever a function check returned into a result. */
export function toResult(component: string, outcome: HealthCheckOutcome, latencyMs: number): HealthCheckResult {
  if (outcome === undefined || outcome === null || outcome === true) return { component, status: HealthStatus.HEALTHY, latencyMs };
  if (outcome === false) return { component, status: HealthStatus.UNHEALTHY, latencyMs };
  if (isHealthStatus(outcome)) return { component, status: outcome, latencyMs };
  if (typeof outcome !== 'object') return { component, status: HealthStatus.UNHEALTHY, error: `returned a ${typeof outcome}, not a result, HealthStatus or boolean`, latencyMs };
  const o = outcome as Partial<HealthCheckResult>;
  // `error: null` or `''` reads as "no error"; anything else is an error the check reported.
  const hasError = o.error !== undefined && o.error !== null && o.error !== '';
  const r: HealthCheckResult = {
    component: typeof o.component === 'string' && o.component ? o.component : component,
    // A check that answered but named no known status is treated as failing: better a false
    // alarm than a silent outage. Without a status, a reported error means unhealthy (a user
    // returning `{ error }` means it failed); an explicit known status always wins.
    status: isHealthStatus(o.status)
      ? o.status
      : o.status === undefined && !hasError
        ? HealthStatus.HEALTHY
        : HealthStatus.UNHEALTHY,
    // 0 is what a check writes when it measures nothing (the type asks for a latency, and the
    // original's results had none): the time measured here is shown instead of 0 ms.
    latencyMs: typeof o.latencyMs === 'number' && Number.isFinite(o.latencyMs) && o.latencyMs > 0 ? o.latencyMs : latencyMs,
  };
  if (hasError) r.error = String(o.error);
  else if (o.status !== undefined && !isHealthStatus(o.status)) r.error = `status ${String(typeof o.status === 'string' ? o.status : typeof o.status).slice(0, 40)} is not a HealthStatus`;
  if (o.details && typeof o.details === 'object') r.details = o.details;
  return r;
}

/**
 * A check from a plain function. Throwing (or rejecting) makes the component UNHEALTHY with
 * the error's message.
 *
 * @param fn - returns a result, a status, a boolean, or nothing
 * @param component - the component name in results (default: the name it is registered under)
 * @example
 * ```ts
 * monitor.health.register('kv', functionCheck(async () => (await env.KV.get('ping')) !== undefined));
 * ```
 */
export function functionCheck(fn: HealthCheckFunction, component = ''): HealthCheck {
  // Configuration throws here (DESIGN §5): `functionCheck(db.ping)` with `ping` undefined passed
  // register() and made a check that was UNHEALTHY "fn is not a function" at every run.
  if (typeof fn !== 'function') throw new TypeError(`functionCheck(fn): fn must be a function returning a result, a HealthStatus, a boolean or nothing, got ${fn === null ? 'null' : typeof fn}`);
  if (typeof component !== 'string') throw new TypeError(`functionCheck(fn, component): component must be a string, got ${typeof component}`);
  return {
    async check(timeoutSeconds: number, signal?: AbortSignal): Promise<HealthCheckResult> {
      const start = now();
      const outcome = await fn(timeoutSeconds, signal);
      return toResult(component, outcome, now() - start);
    },
  };
}
