/**
 * @module
 * The health vocabulary shared by checks, the registry and the HTTP handler.
 */

/**
 * How healthy a component is. Plain strings, so results serialise as they read.
 *
 * @example
 * ```ts
 * return { component: 'db', status: HealthStatus.HEALTHY, latencyMs: 3 };
 * ```
 */
export const HealthStatus = {
  HEALTHY: 'healthy',
  DEGRADED: 'degraded',
  UNHEALTHY: 'unhealthy',
} as const;
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/** The outcome of one check (the original's `HealthCheckResult`). */
export interface HealthCheckResult {
  /** What was checked; the registry fills in the registered name when a check leaves it out. */
  component: string;
  status: HealthStatus;
  /** Why the component is not healthy (a message, never a stack). */
  error?: string;
  /** How long the check took, in milliseconds; a check's 0 is replaced by the time the registry measured. */
  latencyMs: number;
  /** Anything else worth showing to an authorised caller (versions, pool sizes). */
  details?: Record<string, unknown>;
}

/**
 * A component check (the original's `HealthCheck`). `timeoutSeconds` is the budget the
 * registry gives it; `signal` aborts when that budget is spent, so a check can cancel its I/O.
 *
 * @example
 * ```ts
 * const db: HealthCheck = {
 *   async check() {
 *     await sql`select 1`;
 *     return { component: 'db', status: HealthStatus.HEALTHY, latencyMs: 0 };
 *   },
 * };
 * ```
 */
export interface HealthCheck {
  check(timeoutSeconds: number, signal?: AbortSignal): Promise<HealthCheckResult> | HealthCheckResult;
}

/** Gauge value of a status: 1 healthy, 0.5 degraded, 0 unhealthy. */
/** How long a check may take when nothing says otherwise (the registry's, and `httpCheck().check()` called by hand). */
export const DEFAULT_TIMEOUT_SECONDS = 5;

export function statusValue(status: HealthStatus): number {
  return status === HealthStatus.HEALTHY ? 1 : status === HealthStatus.DEGRADED ? 0.5 : 0;
}

/** True for the three known status strings. */
export function isHealthStatus(v: unknown): v is HealthStatus {
  return v === HealthStatus.HEALTHY || v === HealthStatus.DEGRADED || v === HealthStatus.UNHEALTHY;
}
