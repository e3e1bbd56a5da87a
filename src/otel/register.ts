import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { checkOptionKeys } from '../config/option-keys.js';
import type { Monitor } from '../monitor.js';
import { BridgeContextManager } from './context-manager.js';
import { BridgeLoggerProvider, setLatestLoggerProvider } from './logger.js';
import { BridgeMeterProvider, setLatestMeterProvider } from './meter.js';
import { W3CPropagator } from './propagator.js';
import { quietExports } from './quiet-exports.js';
import { BridgeTracerProvider, setLatestProvider, SUPPRESS_TRACING_KEY } from './tracer.js';

export interface RegisterOpenTelemetryOptions {
  /** Install a MeterProvider whose instruments record into `monitor.metrics`. Default true. */
  metrics?: boolean;
  /** Install the W3C trace-context + baggage propagator. Default true. */
  propagator?: boolean;
  /**
   * Replace providers that someone else already registered (another SDK, or Deno's built-in
   * OpenTelemetry with `OTEL_DENO=true`) instead of declining. Default false.
   */
  override?: boolean;
  /**
   * The `logs` object of `@opentelemetry/api-logs` (not a dependency of this package): when given,
   * a LoggerProvider is installed whose records land in the monitor's log buffer.
   */
  logs?: LogsApiLike;
}

/** The part of `@opentelemetry/api-logs`' `logs` the bridge uses. */
export interface LogsApiLike {
  setGlobalLoggerProvider(provider: BridgeLoggerProvider): unknown;
  getLoggerProvider(): unknown;
  disable(): void;
}

/** `@opentelemetry/api-logs`' global slot: a getter of the provider, present once one is registered. */
const LOGS_KEY = Symbol.for('io.opentelemetry.js.api.logs');
function loggerProviderSet(): boolean {
  return (globalThis as unknown as Record<symbol, unknown>)[LOGS_KEY] !== undefined;
}

/** The `@opentelemetry/api` 1.x global registry (shared by every copy of the API in the isolate). */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');
type Registry = { version?: string; trace?: unknown; context?: unknown; propagation?: unknown; metrics?: unknown };

interface Registration {
  monitor: Monitor;
  tracerProvider: BridgeTracerProvider;
  contextManager: BridgeContextManager;
  propagator: W3CPropagator | undefined;
  meterProvider: BridgeMeterProvider | undefined;
  loggerProvider: BridgeLoggerProvider | undefined;
  logs: LogsApiLike | undefined;
  /** Stops running the monitor's exports under suppressTracing (see quietExports). */
  loud?: () => void;
}

let current: Registration | undefined;

function registry(): Registry | undefined {
  return (globalThis as unknown as Record<symbol, Registry | undefined>)[GLOBAL_KEY];
}

function ourTracerProvider(reg: Registration): boolean {
  return (trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() === reg.tracerProvider;
}

/**
 * Whether the API still serves spans from `reg`. The API's own `trace.disable()` or
 * `context.disable()` (a test harness, another SDK's setup) unregisters the bridge behind its
 * back; the registration is then gone, and a new one must not be refused as a second call.
 */
function live(reg: Registration): boolean {
  return registry()?.context === reg.contextManager && ourTracerProvider(reg);
}

/** The global slots held by someone else; those still holding a part of `stale` are ours to replace. */
function taken(r: Registry | undefined, withMetrics: boolean, withPropagator: boolean, stale: Registration | undefined, logs: LogsApiLike | undefined): string[] {
  const out: string[] = [];
  if (logs !== undefined && loggerProviderSet() && !(stale?.loggerProvider !== undefined && logs.getLoggerProvider() === stale.loggerProvider)) out.push('logs');
  if (r === undefined) return out;
  if (r.trace !== undefined && !(stale !== undefined && ourTracerProvider(stale))) out.push('trace');
  if (r.context !== undefined && r.context !== stale?.contextManager) out.push('context');
  if (withPropagator && r.propagation !== undefined && (stale?.propagator === undefined || r.propagation !== stale.propagator)) out.push('propagation');
  if (withMetrics && r.metrics !== undefined && (stale?.meterProvider === undefined || r.metrics !== stale.meterProvider)) out.push('metrics');
  return out;
}

/** How each slot another provider may hold is kept, this registration going without it. */
const KEEP: Record<string, string> = { logs: 'leave out { logs }', propagation: 'pass { propagator: false }', metrics: 'pass { metrics: false }' };

/**
 * The options that keep what another provider holds (a propagator of the app's own, an X-Ray
 * one): override would replace it. Said only when they suffice, that is without trace or context.
 */
function keepHint(busy: string[]): string {
  return busy.every((k) => k in KEEP) ? `, or ${busy.map((k) => KEEP[k]).join(' and ')} to keep ${busy.length === 1 ? 'it' : 'them'}` : '';
}

function disableAll(logs: LogsApiLike | undefined): void {
  logs?.disable();
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
}

const KNOWN: Record<keyof RegisterOpenTelemetryOptions, 0> = { metrics: 0, propagator: 0, override: 0, logs: 0 };

/**
 * Serves `@opentelemetry/api` from the monitor: installs a TracerProvider, a ContextManager
 * bridged to the library's context storage, the W3C propagator, a MeterProvider and, given
 * `{ logs }` from `@opentelemetry/api-logs`, a LoggerProvider. Spans made
 * through the API (`@hono/otel`, database clients, libraries) are the monitor's own spans: they
 * nest with `tracer.startSpan` spans both ways, land in the current request's scope and export
 * with the app's telemetry.
 *
 * Throws only a TypeError when `monitor` is not a monitor (there is nothing to report through).
 * Otherwise never throws. Returns false, and reports through `monitor.diag` (kind `otel`), when a
 * registration already exists: a second call, another SDK, or Deno's built-in OpenTelemetry
 * (`OTEL_DENO=true`), unless `override` is set; and, registering nothing, when an option is not
 * one it knows (a misspelling, or a key carried in by a spread). A registration that the API's own
 * `trace.disable()` or `context.disable()` removed, or whose monitor was shut down, no longer
 * counts: the call registers anew.
 *
 * @param monitor the monitor whose tracer, scopes and metrics serve the API
 * @param options `metrics` (default true), `propagator` (default true), `override` (default false),
 *   `logs` (api-logs' `logs`; default none: log records through the API are not served)
 * @returns true when the API now reports to `monitor`
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { registerOpenTelemetry } from '@lexigram/monitor/otel';
 * registerOpenTelemetry(monitor);
 * await trace.getTracer('db').startActiveSpan('query', async (span) => { ...; span.end(); });
 * ```
 */
export function registerOpenTelemetry(monitor: Monitor, options: RegisterOpenTelemetryOptions = {}): boolean {
  // No monitor, no diagnostics to report through: a wrong argument, said before any global is set.
  if (typeof (monitor as Partial<Monitor> | null | undefined)?.diag?.report !== 'function') {
    throw new TypeError(`registerOpenTelemetry: the first argument must be a monitor from createMonitor(), got ${monitor === null ? 'null' : typeof monitor}`);
  }
  let reg: Registration | undefined;
  try {
    // A misspelt key (`overide`, `log: logs`) would leave its default in force unseen: reported, as a failure.
    checkOptionKeys('registerOpenTelemetry', options, KNOWN);
    const withMetrics = options.metrics !== false;
    const withPropagator = options.propagator !== false;
    const logs = options.logs || undefined;
    // Checked before any global is set: a wrong object (the module, not its `logs`) would throw
    // halfway, leaving providers set that no registration holds (nor unregister removes).
    if (logs && typeof logs.setGlobalLoggerProvider != 'function') throw new TypeError("`logs` must be @opentelemetry/api-logs' logs object: import { logs } from '@opentelemetry/api-logs'");
    // A shut-down monitor records nothing: keeping the API on it would drop every API span
    // unseen (a test suite that shuts each monitor down without unregistering), so it is replaced.
    if (current !== undefined && live(current) && !current.monitor.closed) {
      // What this call asks for that the first did not install (`{ logs }` added later) is not
      // served: said, or api-logs records would vanish with only "called twice" to show for it.
      const missing = [logs && !current.loggerProvider && '{ logs }', withMetrics && !current.meterProvider && 'metrics', withPropagator && !current.propagator && 'the propagator'].filter(Boolean);
      monitor.diag.report(
        'otel',
        current.monitor === monitor
          ? `registerOpenTelemetry() was called twice; the first registration stays${missing.length > 0 ? `, without ${missing.join(', ')} asked for now (call unregisterOpenTelemetry() first to register with these options)` : ''}`
          : 'registerOpenTelemetry() was already called with another monitor; the API keeps reporting to that one (call unregisterOpenTelemetry() first)',
        undefined,
        // Reported once per kind: a call asking for more gets its own, not swallowed by an earlier plain one.
        `otel:register-twice${missing.length > 0 ? ':' + missing.join() : ''}`,
      );
      return false;
    }
    const stale = current;
    const r = registry();
    const busy = taken(r, withMetrics, withPropagator, stale, logs);
    if (busy.length > 0) {
      if (options.override !== true) {
        monitor.diag.report(
          'otel',
          `@opentelemetry/api${busy.length === 1 && busy[0] === 'logs' ? '-logs' : ''} already has a global ${busy.join(', ')} provider (another SDK, or Deno's built-in OpenTelemetry with OTEL_DENO=true); ` +
            `registerOpenTelemetry() left it in place and registered nothing: the API's telemetry goes to that provider, not to this monitor. Pass { override: true } to replace it${keepHint(busy)}.`,
          { registered: busy, version: r?.version },
          'otel:conflict',
        );
        return false;
      }
      disableAll(logs);
      // Deno writes its own registry (version "1.999.999"); the API refuses to register into a
      // registry of another version, so an emptied one is dropped for ours to be created.
      const left = registry() as (Registry & { diag?: unknown }) | undefined;
      if (left !== undefined && left.diag === undefined && left.trace === undefined && left.context === undefined) {
        delete (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_KEY];
      }
      monitor.diag.report('otel', `registerOpenTelemetry() replaced the global ${busy.join(', ')} provider registered before it ({ override: true })`, { replaced: busy }, 'otel:override');
    }

    if (stale !== undefined) {
      // what the API's disable() calls left of the old registration is replaced, not kept alongside
      undo(stale);
      current = undefined;
    }

    reg = {
      monitor,
      tracerProvider: new BridgeTracerProvider(monitor),
      contextManager: new BridgeContextManager(monitor),
      propagator: withPropagator ? new W3CPropagator(monitor) : undefined,
      meterProvider: withMetrics ? new BridgeMeterProvider(monitor) : undefined,
      loggerProvider: logs && new BridgeLoggerProvider(monitor),
      logs,
    };
    const ok =
      context.setGlobalContextManager(reg.contextManager) &&
      trace.setGlobalTracerProvider(reg.tracerProvider) &&
      (reg.propagator === undefined || propagation.setGlobalPropagator(reg.propagator)) &&
      (reg.meterProvider === undefined || metrics.setGlobalMeterProvider(reg.meterProvider)) &&
      (reg.loggerProvider === undefined || reg.logs!.setGlobalLoggerProvider(reg.loggerProvider) === reg.loggerProvider);
    if (!ok) {
      // A provider appeared between the check and the registration, or the API refused ours
      // (an incompatible API version in the registry): undo what was set.
      undo(reg);
      monitor.diag.report('otel', '@opentelemetry/api refused the registration (an incompatible API version or a provider registered concurrently)', undefined, 'otel:refused');
      return false;
    }
    reg.loud = quietExports(monitor, SUPPRESS_TRACING_KEY);
    setLatestProvider(reg.tracerProvider);
    if (reg.meterProvider !== undefined) setLatestMeterProvider(reg.meterProvider);
    if (reg.loggerProvider !== undefined) setLatestLoggerProvider(reg.loggerProvider);
    current = reg;
    return true;
  } catch (err) {
    // A throw after some globals were set (a `logs` whose setGlobalLoggerProvider throws): they
    // are removed again, or, held by no registration, they would refuse every later call.
    if (reg !== undefined && current !== reg) {
      try {
        undo(reg);
      } catch {
        // the registry was tampered with: nothing left to undo safely
      }
    }
    monitor.diag.report('otel', `registerOpenTelemetry() failed: ${err instanceof Error ? err.message : String(err)}`, err, 'otel:failed');
    return false;
  }
}

function undo(reg: Registration): void {
  reg.loud?.();
  reg.loud = undefined;
  // Its observable callbacks stop with it, whether or not the API still holds it.
  reg.meterProvider?.close();
  if (reg.loggerProvider !== undefined && loggerProviderSet() && reg.logs!.getLoggerProvider() === reg.loggerProvider) reg.logs!.disable();
  const r = registry();
  if (r === undefined) return;
  if (r.context === reg.contextManager) context.disable();
  if (ourTracerProvider(reg)) trace.disable();
  if (reg.propagator !== undefined && r.propagation === reg.propagator) propagation.disable();
  if (reg.meterProvider !== undefined && r.metrics === reg.meterProvider) metrics.disable();
}

/**
 * Removes what `registerOpenTelemetry` installed (for tests, or to hand the API to another
 * SDK). Returns false when nothing was registered by it. Never throws.
 */
export function unregisterOpenTelemetry(): boolean {
  const reg = current;
  if (reg === undefined) return false;
  current = undefined;
  try {
    undo(reg);
  } catch {
    // the registry was tampered with: nothing left to undo safely
  }
  return true;
}

/** The monitor the API currently reports to through `registerOpenTelemetry`, if any. */
export function registeredMonitor(): Monitor | undefined {
  return current !== undefined && live(current) ? current.monitor : undefined;
}
