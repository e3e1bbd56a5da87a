import { checkOptionKeys, kindOf } from '../config/option-keys.js';
import { notifySafely, type Notifier } from '../alerting/notifier.js';
import type { Gauge } from '../metrics/gauge.js';
import type { MetricsCollector } from '../metrics/collector.js';
import type { DropReason } from '../model/batch.js';
import { now } from '../time.js';
import { functionCheck, type HealthCheckFunction } from './function-check.js';
import { runCheck } from './run-check.js';
import { DEFAULT_TIMEOUT_SECONDS, HealthStatus, statusValue, type HealthCheck, type HealthCheckResult } from './status.js';

/** Per-check options of `register`. */
export interface HealthRegisterOptions {
  /** An UNHEALTHY critical check makes the whole service UNHEALTHY (default true). */
  critical?: boolean;
  /** Time the check may take before it counts as UNHEALTHY (default 5 s). */
  timeoutSeconds?: number;
}

const REGISTER_KEYS: Record<keyof HealthRegisterOptions, 0> = { critical: 0, timeoutSeconds: 0 };

/** Options of a registry. */
export interface HealthCheckRegistryOptions {
  /** Where `health_check_status{check}` is recorded (`monitor.metrics`). */
  metrics?: MetricsCollector;
  /** Told when a check becomes UNHEALTHY and when it recovers. */
  notifier?: Notifier;
  /** Default `timeoutSeconds` of checks (5). */
  timeoutSeconds?: number;
}

/** One check's result in a report, with whether it was critical. */
export interface HealthCheckEntry extends HealthCheckResult {
  critical: boolean;
}

/** The outcome of `checkAll()`. */
export interface HealthReport {
  status: HealthStatus;
  /** One entry per registered check, in registration order. */
  checks: Record<string, HealthCheckEntry>;
  /** Epoch milliseconds when the run finished. */
  time: number;
}

const OPTION_KEYS: Record<keyof HealthCheckRegistryOptions, 0> = { metrics: 0, notifier: 0, timeoutSeconds: 0 };

interface Registered {
  check: HealthCheck;
  critical: boolean;
  timeoutSeconds: number;
}

/**
 * Component health checks (the original's `HealthCheckRegistry`), available as
 * `monitor.health`. Each check's status is also the gauge `health_check_status{check}`:
 * 1 healthy, 0.5 degraded, 0 unhealthy.
 *
 * @example
 * ```ts
 * monitor.health.register('database', { check: async () => ({ component: 'db', status: 'healthy', latencyMs: 0 }) });
 * monitor.health.register('cache', () => cache.ping(), { critical: false, timeoutSeconds: 1 });
 * const report = await monitor.health.checkAll(); // { status: 'healthy' | 'degraded' | 'unhealthy', checks }
 * ```
 */
export class HealthCheckRegistry {
  readonly #checks = new Map<string, Registered>();
  readonly #last = new Map<string, HealthStatus>();
  /** Runs of checkAll() started, and per check the run whose result it last recorded. */
  #runs = 0;
  readonly #seenRun = new Map<string, number>();
  #gauge: Gauge | undefined;
  notifier: Notifier | undefined;

  readonly #options: HealthCheckRegistryOptions;

  constructor(options: HealthCheckRegistryOptions = {}) {
    // Configuration throws here: a misspelled `timeoutSecond` left every check at 5 s unseen, and
    // a bad default timeout surfaced only at the first register(), naming that check.
    checkOptionKeys('new HealthCheckRegistry', options, OPTION_KEYS);
    if (options.timeoutSeconds !== undefined) checkTimeout('new HealthCheckRegistry', options.timeoutSeconds);
    if (options.notifier !== undefined && typeof (options.notifier as Partial<Notifier> | null)?.notify !== 'function') {
      throw new TypeError('new HealthCheckRegistry: notifier must be an object with a notify(alert) method, such as webhookNotifier({ url })');
    }
    // Anything else (the monitor itself, another library's registry) recorded no status, and one
    // without `diag` made checkAll(), which never rejects, throw into /health at its first run.
    const m = options.metrics as Partial<MetricsCollector> | null | undefined;
    if (m !== undefined && (m === null || typeof m !== 'object' || typeof m.createGauge !== 'function' || typeof m.diag !== 'object')) {
      throw new TypeError(`new HealthCheckRegistry: metrics must be a monitor's metrics (monitor.metrics), or left out; got ${kindOf(m)}`);
    }
    this.#options = options;
    this.notifier = options.notifier;
  }

  /** Adds (or replaces) a check. Invalid options throw here, not at check time. */
  register(name: string, check: HealthCheck | HealthCheckFunction, options: HealthRegisterOptions = {}): this {
    // `__proto__` is no key of the report's object (nor of /health's checks): it was left out of both.
    if (typeof name !== 'string' || name === '' || name === '__proto__') throw new TypeError(`health check name must be a non-empty string other than "__proto__", got ${name === '' ? 'an empty string' : typeof name === 'string' ? '"__proto__"' : typeof name}`);
    const c: HealthCheck | undefined =
      typeof check === 'function' ? functionCheck(check, name) : check && typeof check.check === 'function' ? check : undefined;
    if (!c) throw new TypeError(`health check "${name}" must be a function or an object with a check() method`);
    checkOptionKeys(`health check "${name}"`, options, REGISTER_KEYS);
    // `critical: 'false'` (an env var) read as critical: a failing optional check failed the service.
    if (options.critical !== undefined && typeof options.critical !== 'boolean') {
      throw new TypeError(`health check "${name}": critical must be true or false, got ${kindOf(options.critical)}`);
    }
    const timeoutSeconds = checkTimeout(`health check "${name}"`, options.timeoutSeconds ?? this.#options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    this.#checks.set(name, { check: c, critical: options.critical !== false, timeoutSeconds });
    return this;
  }

  /** Removes a check; true when it existed. */
  unregister(name: string): boolean {
    const r = this.#checks.get(name);
    const before = this.#last.get(name);
    this.#last.delete(name);
    this.#seenRun.delete(name);
    this.#gauge?.remove({ check: name });
    const existed = this.#checks.delete(name);
    // A check removed while its alert fires would leave the receiver paging for ever: nothing is
    // left to resolve it (as Prometheus resolves an alert whose series is gone).
    if (r && before === HealthStatus.UNHEALTHY) {
      this.#notify(name, 'resolved', r.critical, `health check "${name}" was unregistered while unhealthy`, { removed: true, critical: r.critical });
    }
    return existed;
  }

  /** Names of the registered checks. */
  get names(): string[] {
    return [...this.#checks.keys()];
  }

  /**
   * Runs every check in parallel, each under its own timeout; never rejects. A check
   * unregistered or replaced before its run ends is left out of the report.
   */
  async checkAll(): Promise<HealthReport> {
    const entries = [...this.#checks];
    const run = ++this.#runs;
    const results = await Promise.all(entries.map(([name, r]) => runCheck(name, r.check, r.timeoutSeconds)));
    const checks: Record<string, HealthCheckEntry> = {};
    let status: HealthStatus = HealthStatus.HEALTHY;
    entries.forEach(([name, r], i) => {
      // Unregistered (or replaced) while it ran: its result would bring back the gauge series and
      // alert state that unregister() removed, with nothing left to ever update or resolve them.
      if (this.#checks.get(name) !== r) return;
      const result = results[i];
      checks[name] = { ...result, critical: r.critical };
      if (result.status !== HealthStatus.HEALTHY) {
        if (r.critical && result.status === HealthStatus.UNHEALTHY) status = HealthStatus.UNHEALTHY;
        else if (status === HealthStatus.HEALTHY) status = HealthStatus.DEGRADED;
      }
      // Two runs at once (a /health request and a scheduled run, two handlers): one started
      // earlier that ends later (its check hung until the timeout) is older news. Recorded, it
      // would set the gauge and fire or resolve an alert against the newer result.
      if ((this.#seenRun.get(name) ?? 0) > run) return;
      this.#seenRun.set(name, run);
      this.#observe(name, checks[name]);
    });
    return { status, checks, time: now() };
  }

  #observe(name: string, entry: HealthCheckEntry): void {
    const metrics = this.#options.metrics;
    if (metrics) {
      try {
        this.#gauge ??= metrics.createGauge('health_check_status', 'Health check status: 1 healthy, 0.5 degraded, 0 unhealthy.', { labelNames: ['check'] });
        this.#gauge.set(statusValue(entry.status), { check: name });
      } catch (err) {
        // A name clash with an app metric must not break /health: each status not recorded is counted.
        lost(metrics, 'invalid_value', 'config', 'health_check_status not recorded, the name is an app metric', err);
      }
    }
    const before = this.#last.get(name);
    this.#last.set(name, entry.status);
    const down = entry.status === HealthStatus.UNHEALTHY;
    const wasDown = before === HealthStatus.UNHEALTHY;
    if (down === wasDown || (!down && before === undefined)) return;
    this.#notify(
      name,
      down ? 'firing' : 'resolved',
      entry.critical,
      down ? `health check "${name}" is unhealthy${entry.error ? `: ${entry.error}` : ''}` : `health check "${name}" recovered (${entry.status})`,
      { status: entry.status, error: entry.error, latencyMs: entry.latencyMs, critical: entry.critical },
    );
  }

  #notify(name: string, state: 'firing' | 'resolved', critical: boolean, summary: string, details: Record<string, unknown>): void {
    const metrics = this.#options.metrics;
    notifySafely(this.notifier, {
      source: 'health',
      key: `health:${name}`,
      name,
      state,
      severity: critical ? 'critical' : 'warning',
      summary,
      time: now(),
      details,
    }, metrics && ((err, alert) => lost(metrics, 'export_failed', 'export_failed', `health notifier threw, alert ${alert.key} ${alert.state} lost`, err)));
  }
}

/** Counts one lost status or alert and reports it once (keyed apart from other export_failed). */
function lost(metrics: MetricsCollector, reason: DropReason, kind: 'config' | 'export_failed', what: string, err: unknown): void {
  metrics.diag.count(reason, 1);
  metrics.diag.report(kind, () => `${what}: ${String((err as Error)?.message ?? err)}`, err, `health:${kind}`);
}

/** `t`, a positive finite number of seconds; else a RangeError that says so, naming `where`. */
function checkTimeout(where: string, t: unknown): number {
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw new RangeError(`${where}: timeoutSeconds must be a positive number of seconds, got ${kindOf(t)}`);
  return t;
}
