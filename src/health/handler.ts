import { checkOptionKeys } from '../config/option-keys.js';
import { createAuthCheck, type MetricsAuth } from '../exporters/prometheus/auth.js';
import { cachedRun } from './cache.js';
import type { HealthCheckRegistry, HealthReport } from './registry.js';
import { HealthStatus } from './status.js';

/** Bearer token, Basic credentials, or a function of the request. */
export type HealthAuth = MetricsAuth;

/** How much an unauthorised caller is told. */
export type HealthDetails = 'none' | 'status' | 'full';

/** Options of `healthHandler`. */
export interface HealthHandlerOptions {
  /** Path of the full health report (default `/health`). */
  path?: string;
  /** Path that answers `pass` without running checks: the process is alive. */
  livenessPath?: string;
  /** Path that runs the checks and answers 503 when the service is UNHEALTHY. */
  readinessPath?: string;
  /** Reuse a report for this many seconds (default 0: only concurrent requests share a run). */
  cacheSeconds?: number;
  /**
   * What everyone sees: `none` only the overall status, `status` each check's pass/warn/fail,
   * `full` also error text, latency and details. Authorised callers always get `full`.
   * Default: `none` when `auth` is set (unauthenticated callers learn nothing beyond
   * pass/fail), otherwise `status`.
   */
  details?: HealthDetails;
  /** Credentials that unlock `full` details (compared in constant time). */
  auth?: HealthAuth;
}

/** What the handler needs: a monitor (its `health`) or a registry. */
export type HealthSource = { readonly health: HealthCheckRegistry; readonly serviceName?: string } | HealthCheckRegistry;

/** application/health+json status words. */
export function healthWord(s: HealthStatus): 'pass' | 'warn' | 'fail' {
  return s === HealthStatus.HEALTHY ? 'pass' : s === HealthStatus.DEGRADED ? 'warn' : 'fail';
}

function body(report: HealthReport, level: HealthDetails, serviceId: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { status: healthWord(report.status) };
  if (level === 'none') return out;
  const checks: Record<string, unknown[]> = {};
  const time = new Date(report.time).toISOString();
  for (const [name, r] of Object.entries(report.checks)) {
    const entry: Record<string, unknown> = { componentId: r.component || name, status: healthWord(r.status) };
    if (level === 'full') {
      entry.observedValue = Math.round(r.latencyMs * 1000) / 1000;
      entry.observedUnit = 'ms';
      entry.time = time;
      entry.critical = r.critical;
      if (r.error !== undefined) entry.output = r.error;
      if (r.details !== undefined) entry.details = r.details;
    }
    checks[name] = [entry];
  }
  out.checks = checks;
  if (level === 'full' && serviceId) out.serviceId = serviceId;
  return out;
}

const UNSERIALISABLE = { error: 'details are not serialisable as JSON' };

/**
 * The JSON text of a payload. A check's `details` are the app's own objects and may hold what
 * JSON cannot (a BigInt, a cycle, a throwing toJSON): those details alone are replaced, so
 * /health still answers instead of rejecting into the host app.
 */
function toJson(payload: Record<string, unknown>): string {
  try {
    return JSON.stringify(payload);
  } catch {
    for (const entries of Object.values((payload.checks ?? {}) as Record<string, Record<string, unknown>[]>)) {
      for (const entry of entries) {
        try {
          JSON.stringify(entry.details);
        } catch {
          entry.details = UNSERIALISABLE;
        }
      }
    }
    return JSON.stringify(payload);
  }
}

function respond(request: Request, status: number, payload: Record<string, unknown>): Response {
  const body = toJson(payload);
  const headers: Record<string, string> = { 'content-type': 'application/health+json', 'cache-control': 'no-store' };
  if (request.method !== 'HEAD') return new Response(body, { status, headers });
  // HEAD gets the header fields of GET, its Content-Length (UTF-8 bytes) included (RFC 9110 §9.3.2).
  headers['content-length'] = String(new Blob([body]).size);
  return new Response(null, { status, headers });
}

/** The registry of a source: itself, or a monitor's `health`; else a TypeError saying what to pass. */
function registryOf(source: unknown): HealthCheckRegistry {
  const s = source as { checkAll?: unknown; health?: { checkAll?: unknown } | null } | null;
  if (s !== null && typeof s === 'object') {
    if (typeof s.checkAll === 'function') return s as HealthCheckRegistry;
    if (typeof s.health === 'object' && s.health !== null && typeof s.health.checkAll === 'function') return s.health as HealthCheckRegistry;
  }
  const hint = s !== null && typeof s === 'object' && 'monitor' in s ? '; createTestMonitor() returns { monitor, memory }: pass its `monitor`' : '';
  throw new TypeError(`healthHandler(source): source must be a Monitor (from createMonitor()) or a HealthCheckRegistry${hint}.`);
}

const KNOWN: Record<keyof HealthHandlerOptions, 0> = { path: 0, livenessPath: 0, readinessPath: 0, cacheSeconds: 0, details: 0, auth: 0 };

function checkPath(option: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new TypeError(`healthHandler option "${option}" must be a path starting with "/", got ${JSON.stringify(value)}`);
  }
}

/**
 * A Web handler for `/health` (and optionally liveness and readiness paths): the original's
 * `HealthCheckProvider(path=...)`. Resolves to `undefined` when the path is not one of its own,
 * so it chains in front of an app. 200 for pass and warn, 503 for fail.
 *
 * @param source - a monitor (its `health` registry) or a registry
 * @param options - paths, caching, detail level and auth; `path` defaults to `/health`
 * @example
 * ```ts
 * const health = healthHandler(monitor, { cacheSeconds: 5, auth: { bearerToken: env.HEALTH_TOKEN } });
 * export default { fetch: async (req) => (await health(req)) ?? app.fetch(req) };
 * ```
 */
export function healthHandler(source: HealthSource, options: HealthHandlerOptions = {}): HealthHandler {
  // Checked first: a wrong source (createTestMonitor()'s `{ monitor, memory }`) was taken, and
  // every /health request then rejected into the app reading `checkAll` of undefined.
  const registry = registryOf(source);
  checkOptionKeys('healthHandler', options, KNOWN);
  const path = options.path ?? '/health';
  // A path without its leading "/" would never match a request: the endpoint would be silently absent.
  checkPath('path', path, true);
  checkPath('livenessPath', options.livenessPath, false);
  checkPath('readinessPath', options.readinessPath, false);
  // The first match wins in the handler: a livenessPath equal to another path answers pass there
  // without running the checks, hiding a failing one; the same path twice is a mistake either way.
  const { livenessPath: live, readinessPath: ready } = options;
  if (live === path) throw new TypeError(`healthHandler option "livenessPath" is ${JSON.stringify(live)}, the same as "path", where it would answer pass without running the checks; give it a path of its own, such as "/live"`);
  if (ready === path) throw new TypeError(`healthHandler option "readinessPath" is ${JSON.stringify(ready)}, the same as "path"; leave it out (that path already runs the checks) or give it a path of its own, such as "/ready"`);
  if (live !== undefined && live === ready) throw new TypeError(`healthHandler options "livenessPath" and "readinessPath" are both ${JSON.stringify(live)}, where the checks would never run; give each a path of its own, such as "/live" and "/ready"`);
  const details = options.details ?? (options.auth ? 'none' : 'status');
  if (details !== 'none' && details !== 'status' && details !== 'full') throw new TypeError(`healthHandler: details must be 'none', 'status' or 'full', got ${String(details)}`);
  const cacheSeconds = options.cacheSeconds ?? 0;
  if (!(cacheSeconds >= 0) || !Number.isFinite(cacheSeconds)) throw new RangeError('healthHandler: cacheSeconds must be a number ≥ 0');
  const authorise = options.auth ? createAuthCheck(options.auth, 'healthHandler') : undefined;
  const serviceId = registry === source ? undefined : (source as { serviceName?: string }).serviceName;
  const run = cachedRun(() => registry.checkAll(), cacheSeconds);

  // The paths it answers, main path first, so a router (Hono's mountMonitoring) can mount them all.
  const paths = [path, options.livenessPath, options.readinessPath].filter((p): p is string => p !== undefined);
  return Object.assign(health, { paths });
  async function health(request: Request): Promise<Response | undefined> {
    let pathname: string;
    try {
      pathname = new URL(request.url).pathname;
    } catch {
      return undefined;
    }
    const live = pathname === options.livenessPath;
    if (pathname !== path && !live && pathname !== options.readinessPath) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    if (live) return respond(request, 200, { status: 'pass' });
    const report = await run();
    let level = details;
    // Every request reaches the check: a function may read any header, not only Authorization.
    if (level !== 'full' && authorise) {
      try {
        if ((await authorise(request)).ok) level = 'full';
      } catch {
        // An auth function that throws grants nothing.
      }
    }
    return respond(request, report.status === HealthStatus.UNHEALTHY ? 503 : 200, body(report, level, serviceId));
  }
}

/** A `/health` handler; `paths` lists the paths it answers (main, liveness, readiness). */
export type HealthHandler = ((request: Request) => Promise<Response | undefined>) & { readonly paths: readonly string[] };

/**
 * The original's `HealthCheckProvider(path=...)`: the same handler under its old name.
 *
 * @example
 * ```ts
 * const health = HealthCheckProvider(monitor, { path: '/health' });
 * ```
 */
export const HealthCheckProvider: typeof healthHandler = healthHandler;
