// Value imports in the order whose bundle compresses best (module order follows it).
import { OtlpBackend } from '../exporters/otlp/otlp-backend.js';
import { otlpOptionsFromEnv } from '../exporters/otlp/env.js';
import { Monitor } from '../monitor.js';
import { configFromEnv, warnConfig, type EnvRecord } from '../config/env.js';
import { checkOtlpVariables, type MonitorOptions } from '../config/options.js';

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
 * given and OTEL_EXPORTER_OTLP_* is set, an `OtlpBackend` is made from it, otherwise the
 * console backend is used.
 */
export function monitorFromConfig<E>(config: MonitorConfig<E>, env: E | undefined, defaults?: MonitorOptions): Monitor {
  if (config instanceof Monitor) return config;
  const key = config as object;
  const cached = built.get(key);
  if (cached) return cached;
  const given = typeof config === 'function' ? config((env ?? {}) as E) : config;
  const monitor = given instanceof Monitor ? given : new Monitor({ ...defaults, ...withEnv(given, env as EnvRecord | undefined) });
  built.set(key, monitor);
  return monitor;
}

/** Merges OTEL_* variables under explicit options and picks the default backend. */
export function withEnv(options: MonitorOptions | undefined, env: EnvRecord | undefined): MonitorOptions {
  const fromEnv = env && typeof env === 'object' ? configFromEnv(env) : {};
  const merged: MonitorOptions = { ...fromEnv, ...(options ?? {}) };
  if (fromEnv.resource && options?.resource) merged.resource = { ...fromEnv.resource, ...options.resource };
  // Attributes given in code win over the environment's (ENV-10): a service.name or
  // service.version in options.resource beats OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
  if (options?.serviceName === undefined && options?.resource?.['service.name'] !== undefined) delete merged.serviceName;
  if (options?.serviceVersion === undefined && options?.resource?.['service.version'] !== undefined) delete merged.serviceVersion;
  checkOtlpVariables(options?.otlp);
  const otlpEnv = (options?.otlp ?? fromEnv.otlp) as Record<string, string> | undefined;
  if (merged.backends === undefined && otlpEnv) {
    // Same reporting as configFromEnv's: an ignored OTLP variable should not go unnoticed.
    merged.backends = [new OtlpBackend(otlpOptionsFromEnv(otlpEnv, warnConfig))];
  }
  delete merged.otlp;
  return merged;
}
