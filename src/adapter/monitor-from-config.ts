// Value imports in the order whose bundle compresses best (module order follows it).
import { OtlpBackend } from '../exporters/otlp/otlp-backend.js';
import { ConsoleBackend } from '../exporters/console/console-backend.js';
import { otlpOptionsFromEnv } from '../exporters/otlp/env.js';
import { checkOptions, checkOtlpVariables, type MonitorOptions } from '../config/options.js';
import { SIGNALS } from '../exporters/otlp/endpoint.js';
import type { Backend } from '../model/batch.js';
import { Monitor } from '../monitor.js';
import { configFromEnv, warnConfig, type EnvRecord } from '../config/env.js';
import { createSampler } from '../trace/sampling/samplers.js';
import { kindOf } from '../config/option-keys.js';

/** How an adapter is configured: a monitor, its options, or a function of the environment. */
export type MonitorConfig<E = EnvRecord> = Monitor | MonitorOptions | ((env: E) => Monitor | MonitorOptions);

const built = new WeakMap<object, Monitor>();

/**
 * The export batch window of the adapters (`instrument()` on Workers, Deno, Bun and Node, and a
 * monitor the Hono middleware builds): a request ending within it of the previous export waits
 * in its own `waitUntil` while more arrive and leaves with them, so a busy isolate or process
 * posts a few times a second instead of per request.
 */
export const ADAPTER_BATCH_WINDOW_MS = 100;

/**
 * Builds the monitor for an adapter once per isolate or process. Explicit options win over
 * OTEL_* variables from `env`, which win over the adapter's `defaults`; when no backend is
 * given, an `OtlpBackend` is made from OTEL_EXPORTER_OTLP_* (or OTEL_*_EXPORTER=otlp),
 * otherwise the console backend is used; OTEL_*_EXPORTER=console or none per signal (ENV-16).
 * `what` is the adapter a config of the wrong form is reported as (wrapFunction's call names none).
 */
export function monitorFromConfig<E>(config: MonitorConfig<E>, env: E | undefined, defaults?: MonitorOptions, what = 'wrapFunction'): Monitor {
  if (config instanceof Monitor) return config;
  // Not an object nor a function (or an array): throws, unless omitted.
  if (notObject(config)) checkConfigNow(config, what);
  const key = config as object;
  const cached = built.get(key);
  if (cached) return cached;
  const given = typeof config === 'function' ? configResult(config((env ?? {}) as E), what) : config;
  const monitor = given instanceof Monitor ? given : new Monitor({ ...defaults, ...withEnv(given, env as EnvRecord | undefined) });
  // Omitted (monitorMiddleware() has no default), the options come from the env: nothing to key on.
  if (config) built.set(key, monitor);
  return monitor;
}

/**
 * Checks now an options object whose monitor is built later, on the first request (the Hono
 * middleware, which reads OTEL_* from the request's env): a misspelt option throws where the app
 * is built, as createMonitor's does, instead of at a request, leaving the app uninstrumented. A
 * function of the env is checked when it is called.
 */
export function checkConfigNow(config: unknown, what = 'monitorMiddleware'): void {
  // Not a Monitor, options or `(env) => options`, nor omitted: null or a number reached a WeakMap
  // and failed every request of a Worker ("Invalid value used as weak map key"), a string was
  // spread into "unknown option `0`".
  if (config !== undefined && notObject(config)) throw new TypeError(`${what}: config must be a Monitor, an options object or a function (env) => options, got ${kindOf(config)}.`);
  if (typeof config == 'object' && !(config instanceof Monitor)) {
    const o = config as MonitorOptions;
    // Without backends, the adapter picks them (OTLP or console): createMonitor's warning that
    // `otlp` goes unused without them is not this case's.
    checkOptions({ ...o, backends: o.backends ?? [] });
    // The sampler too: a bad one would otherwise throw at every request of a Worker.
    createSampler(o.sampler, 'createMonitor');
  }
}

/** Neither an object nor a function, or an array: no Monitor, options or `(env) => options` (createMonitor refuses `[]` too). */
function notObject(v: unknown): boolean {
  return Object(v) !== v || Array.isArray(v);
}

/**
 * What a config function `(env) => options` returned, when it is a Monitor or an options object.
 * `null`, an array or nothing (`(env) => { serviceName: 'api' }` is a block, not an object) was
 * taken as `{}`, every option lost without a word: a configuration error, thrown.
 */
export function configResult<T>(given: T, what: string): T {
  if (!(given instanceof Monitor) && notObject(given)) throw new TypeError(`${what}: config (env) => options must return a Monitor or an options object, got ${kindOf(given)}.`);
  return given;
}

/** Merges OTEL_* variables under explicit options and picks the default backend. */
export function withEnv(options: MonitorOptions | undefined, env: EnvRecord | undefined): MonitorOptions {
  const fromEnv = env && typeof env === 'object' ? configFromEnv(env) : {};
  const merged: MonitorOptions = { ...fromEnv, ...(options ?? {}) };
  if (fromEnv.resource && options?.resource) merged.resource = { ...fromEnv.resource, ...options.resource };
  // Limit by limit: `limits: { cardinalityLimit }` in code must not undo OTEL_ATTRIBUTE_COUNT_LIMIT.
  if (fromEnv.limits && options?.limits) merged.limits = { ...fromEnv.limits, ...options.limits };
  // Key by key too: `metrics: { histogramBuckets }` in code must not undo OTEL_METRICS_EXEMPLAR_FILTER=always_off.
  if (fromEnv.metrics && options?.metrics) merged.metrics = { ...options.metrics, exemplars: options.metrics.exemplars ?? fromEnv.metrics.exemplars };
  // Attributes given in code win over the environment's (ENV-10): a service.name or
  // service.version in options.resource beats OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
  if (options?.serviceName === undefined && options?.resource?.['service.name'] !== undefined) delete merged.serviceName;
  if (options?.serviceVersion === undefined && options?.resource?.['service.version'] !== undefined) delete merged.serviceVersion;
  checkOtlpVariables(options?.otlp);
  const otlpEnv = (options?.otlp ?? fromEnv.otlp) as Record<string, string> | undefined;
  if (merged.backends === undefined && otlpEnv) {
    // Same reporting as configFromEnv's: an ignored OTLP variable should not go unnoticed.
    const o = otlpOptionsFromEnv(otlpEnv, warnConfig);
    const named = SIGNALS.map((s) => String(otlpEnv[`OTEL_${s.toUpperCase()}_EXPORTER`] ?? '').toLowerCase());
    // ENV-16: a signal left unset goes to OTLP once OTLP is configured (OTEL_EXPORTER_OTLP_*) or
    // named, else to the console.
    const toOtlp = /OTLP_|otlp/.test(Object.keys(otlpEnv) + named.join());
    const printed = SIGNALS.filter((_, i) => named[i]!.includes('console') || (!named[i] && !toOtlp));
    merged.backends = toOtlp && o.signals?.length !== 0 ? [new OtlpBackend(o)] : [];
    if (printed[0]) {
      // One console, showing only the signals that name it.
      const c = new ConsoleBackend({ metrics: printed.includes('metrics') });
      const b: Backend = Object.create(c);
      b.export = (x) => c.export({ ...x, spans: printed.includes('traces') ? x.spans : [], logs: printed.includes('logs') ? x.logs : [] });
      merged.backends.push(b);
    }
  }
  delete merged.otlp;
  return merged;
}
