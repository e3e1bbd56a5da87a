import { warnConfig } from './env.js';
import type { TailPolicy, TailSamplingOptions } from '../trace/sampling/tail.js';
import type { SamplerConfig } from '../trace/sampling/samplers.js';
import type { AsyncLocalStorageClass, ContextStorage } from '../context/storage.js';
import type { ActiveContext } from '../context/active.js';
import type { Limits } from '../limits.js';
import type { AttributeValue } from '../model/attributes.js';
import type { Backend, DiagnosticHandler } from '../model/batch.js';
import type { LogLevel } from '../model/log-data.js';

/** Options that `createMonitor` accepts. Only `serviceName` is usually needed. */
export interface MonitorOptions {
  /**
   * `service.name` of the resource (OTEL_SERVICE_NAME). Wins over `resource['service.name']`, which
   * wins over the environment's; default "unknown_service".
   */
  serviceName?: string;
  /** `service.version` of the resource. */
  serviceVersion?: string;
  /** Extra resource attributes (`deployment.environment.name`, `cloud.region`, ...). */
  resource?: Record<string, AttributeValue>;
  /** Where telemetry goes. Default: one `ConsoleBackend`. */
  backends?: Backend[];
  /** Head sampler. Default `parentbased_always_on`. */
  sampler?: SamplerConfig;
  /** Which finished traces of a scope to export: rules or a function of the spans. */
  tailSampling?: TailSamplingOptions | TailPolicy;
  limits?: Partial<Limits>;
  logging?: {
    /** Lowest level kept. Default "info". */
    level?: LogLevel;
    /** Attribute names whose values never leave the process (added to the defaults). */
    redactFields?: string[];
    /** Set false to use only `redactFields`, without the default list. */
    redactDefaults?: boolean;
  };
  metrics?: {
    /** Keep trace-linked exemplars on histogram observations made in a sampled span. Default true. */
    exemplars?: boolean;
  };
  /** Called once per kind of problem (dropped values, failing backends). Default: console.warn. */
  onDiagnostic?: DiagnosticHandler;
  /** Turns telemetry off (OTEL_SDK_DISABLED=true): nothing is recorded or exported; metrics stay empty, /metrics included. */
  disabled?: boolean;
  /**
   * Request scopes carry metric changes at most this often (ms); an explicit `flush()` always
   * does. Default 0 (10 s under the Workers adapter): every scope that changed metrics exports
   * them, so an evicted isolate loses nothing. Raise it on busy Workers to save a metrics POST
   * per request, accepting that the last interval's changes are lost if the isolate is evicted
   * (OTEL_METRIC_EXPORT_INTERVAL).
   */
  metricExportIntervalMs?: number;
  /**
   * Spans and logs that end outside any scope (background work, timers, scripts) are exported
   * at the latest this long after the first of them (ms), or at once when 512 are waiting;
   * otherwise they leave with the next scope or `flush()`. Default 5000 (0 under the Workers
   * adapter, where a timer does not outlive its request); 0 turns the timer off
   * (OTEL_BSP_SCHEDULE_DELAY). Longer delays than a timer honours (2^31−1 ms, about 24.8 days,
   * `Infinity` included) are clamped to it. The timer never holds a Node or Bun process open.
   */
  exportDelayMs?: number;
  /**
   * Request scopes that close within this many ms of the previous scope export do not export
   * on their own: the first of them hands `waitUntil` a promise that waits while requests keep
   * arriving (to the end of the window, or until 10 ms pass with no new request; after 1 ms if
   * none came at all), then exports every waiting scope in one call per backend. A quiet isolate exports each request at once or
   * after a millisecond; a busy one posts about once per window instead of once per request.
   * Default 0 (every scope exports at once); the Workers adapter and the Deno, Bun and Node
   * servers use 100 ms. Keep it well under the platform's `waitUntil` limit (Workers: 30 s).
   */
  batchWindowMs?: number;
  /**
   * Upper bound on one flush, all backends and retries included, and on each backend's
   * `shutdown()` and `forceFlush()` (a backend that has not answered by then is left behind and
   * counted as `export_timeout`). Default 25 000 ms (Workers allow 30 s after the response).
   */
  flushTimeoutMs?: number;
  /**
   * A context storage to use instead of the detected one: an object with `run(value, fn)` and
   * `get()` (a `ContextStorage`), or an `AsyncLocalStorage` class (one with `run` and `getStore`
   * on its prototype). It is process-wide: every monitor and span in the isolate uses it.
   */
  contextStorage?: ContextStorage<ActiveContext> | AsyncLocalStorageClass;
  /**
   * OTLP exporter settings read from OTEL_EXPORTER_OTLP_* (and OTEL_{TRACES,METRICS,LOGS}_EXPORTER)
   * by `configFromEnv`; runtime adapters turn them into an `OtlpBackend`.
   */
  otlp?: Record<string, unknown>;
}

const KNOWN = new Set([
  'serviceName',
  'serviceVersion',
  'resource',
  'backends',
  'sampler',
  'tailSampling',
  'limits',
  'logging',
  'metrics',
  'onDiagnostic',
  'disabled',
  'flushTimeoutMs',
  'metricExportIntervalMs',
  'exportDelayMs',
  'batchWindowMs',
  'contextStorage',
  'otlp',
]);

/** Throws on options a user most likely misspelled or mistyped. */
export function checkOptions(o: MonitorOptions): void {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new TypeError('createMonitor: options must be an object such as { serviceName: "api" }.');
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new TypeError(`createMonitor: unknown option \`${k}\`; known options are ${[...KNOWN].join(', ')}.`);
  }
  if (o.serviceName !== undefined && (typeof o.serviceName !== 'string' || o.serviceName === '')) {
    throw new TypeError('createMonitor: `serviceName` must be a non-empty string.');
  }
  if (o.serviceVersion !== undefined && typeof o.serviceVersion !== 'string') throw new TypeError('createMonitor: `serviceVersion` must be a string.');
  if (o.backends !== undefined) {
    if (!Array.isArray(o.backends)) throw new TypeError('createMonitor: `backends` must be an array, such as [new MemoryBackend()].');
    o.backends.forEach((b, i) => {
      if (!b || typeof (b as Backend).export !== 'function') {
        throw new TypeError(`createMonitor: \`backends[${i}]\` has no export(batch) method; pass a backend such as new OtlpBackend() or new MemoryBackend().`);
      }
    });
  }
  if (o.resource !== undefined) {
    if (!isRecord(o.resource)) {
      throw new TypeError(`createMonitor: \`resource\` must be an object of attributes, such as { 'deployment.environment.name': 'prod' }, got ${kindOf(o.resource)}.`);
    }
    for (const [k, v] of Object.entries(o.resource)) {
      // OpenTelemetry requires a non-empty attribute key; OTLP receivers reject or drop one
      // without. An undefined value is left out anyway, so its key does not matter.
      if (k === '' && v !== undefined) {
        throw new TypeError('createMonitor: `resource` has an attribute with an empty key; name it or remove it.');
      }
      if (v !== undefined && !isAttributeValue(v)) {
        throw new TypeError(`createMonitor: \`resource[${JSON.stringify(k)}]\` must be a string, number, boolean or an array of one of them, got ${kindOf(v)}.`);
      }
    }
    const svc = o.resource['service.name'];
    if (svc !== undefined && (typeof svc !== 'string' || svc === '')) {
      throw new TypeError(`createMonitor: \`resource["service.name"]\` must be a non-empty string, got ${kindOf(svc)}.`);
    }
  }
  checkGroup('logging', o.logging, ['level', 'redactFields', 'redactDefaults'], 'such as { level: "debug" }');
  if (o.logging?.redactDefaults !== undefined && typeof o.logging.redactDefaults !== 'boolean') {
    throw new TypeError(`createMonitor: \`logging.redactDefaults\` must be true or false, got ${kindOf(o.logging.redactDefaults)}.`);
  }
  checkGroup('metrics', o.metrics, ['exemplars'], 'such as { exemplars: false }');
  if (o.metrics?.exemplars !== undefined && typeof o.metrics.exemplars !== 'boolean') {
    throw new TypeError(`createMonitor: \`metrics.exemplars\` must be true or false, got ${kindOf(o.metrics.exemplars)}.`);
  }
  if (o.disabled !== undefined && typeof o.disabled !== 'boolean') {
    throw new TypeError(`createMonitor: \`disabled\` must be true or false (configFromEnv reads OTEL_SDK_DISABLED into it), got ${kindOf(o.disabled)}.`);
  }
  if (o.otlp !== undefined && !isRecord(o.otlp)) {
    throw new TypeError(`createMonitor: \`otlp\` must be an object of OTEL_EXPORTER_OTLP_* settings, as configFromEnv returns, got ${kindOf(o.otlp)}; for an endpoint use OTEL_EXPORTER_OTLP_ENDPOINT.`);
  }
  if (o.onDiagnostic !== undefined && typeof o.onDiagnostic !== 'function') throw new TypeError('createMonitor: `onDiagnostic` must be a function.');
  // The core bundles no OTLP exporter: only the runtime adapters build one from `otlp`, so here
  // the OTEL_EXPORTER_OTLP_* settings (createMonitor({ ...configFromEnv(env) })) would go unused.
  if (o.otlp !== undefined && o.backends === undefined && o.disabled !== true) {
    const message = 'createMonitor ignores `otlp` (runtime adapters read it): pass backends: [new OtlpBackend(otlpOptionsFromEnv(env))]';
    try {
      (o.onDiagnostic ?? ((d) => warnConfig(d.message)))({ kind: 'config', message });
    } catch {
      // A throwing hook must not fail construction over a warning.
    }
  }
  if (o.flushTimeoutMs !== undefined && (typeof o.flushTimeoutMs !== 'number' || !(o.flushTimeoutMs > 0))) {
    throw new RangeError(`createMonitor: \`flushTimeoutMs\` must be a number > 0, got ${String(o.flushTimeoutMs)}.`);
  }
  if (o.metricExportIntervalMs !== undefined && (typeof o.metricExportIntervalMs !== 'number' || !(o.metricExportIntervalMs >= 0))) {
    throw new RangeError(`createMonitor: \`metricExportIntervalMs\` must be a number ≥ 0, got ${String(o.metricExportIntervalMs)}.`);
  }
  if (o.exportDelayMs !== undefined && (typeof o.exportDelayMs !== 'number' || !(o.exportDelayMs >= 0))) {
    throw new RangeError(`createMonitor: \`exportDelayMs\` must be a number ≥ 0 (0 turns the scheduled export off), got ${String(o.exportDelayMs)}.`);
  }
  if (o.batchWindowMs !== undefined && (typeof o.batchWindowMs !== 'number' || !(o.batchWindowMs >= 0) || o.batchWindowMs > 25_000)) {
    throw new RangeError(`createMonitor: \`batchWindowMs\` must be a number from 0 to 25000 (0 exports every scope at once), got ${String(o.batchWindowMs)}.`);
  }
  if (o.contextStorage !== undefined && !isContextStorage(o.contextStorage)) {
    throw new TypeError(
      'createMonitor: `contextStorage` must be a ContextStorage (an object with run(value, fn) and get() methods) or an AsyncLocalStorage class (with run and getStore on its prototype); omit it to use the detected one.',
    );
  }
  if (o.logging?.redactFields !== undefined && (!Array.isArray(o.logging.redactFields) || o.logging.redactFields.some((f) => typeof f !== 'string'))) {
    throw new TypeError('createMonitor: `logging.redactFields` must be an array of attribute names.');
  }
}

/** The shapes `setContextStorage` accepts; anything else would make every later span throw. */
function isContextStorage(s: unknown): boolean {
  if (typeof s === 'function') {
    const proto = (s as { prototype?: { run?: unknown; getStore?: unknown } }).prototype;
    return proto != null && typeof proto.run === 'function' && typeof proto.getStore === 'function';
  }
  return s !== null && typeof s === 'object' && typeof (s as ContextStorage<unknown>).run === 'function' && typeof (s as ContextStorage<unknown>).get === 'function';
}

/** A plain options object: not null, an array or a primitive. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isAttributeValue(v: unknown): boolean {
  return isScalar(v) || (Array.isArray(v) && v.every((x) => x === null || x === undefined || isScalar(x)));
}

/** How a wrong value is named in a message: its type, and short primitives as written. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : `a ${typeof v}`;
}

/** A nested options object (`logging`, `metrics`): an object with only the known keys. */
function checkGroup(name: string, v: unknown, known: readonly string[], example: string): void {
  if (v === undefined) return;
  if (!isRecord(v)) throw new TypeError(`createMonitor: \`${name}\` must be an object ${example}, got ${kindOf(v)}.`);
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) throw new TypeError(`createMonitor: unknown option \`${name}.${k}\`; known options are ${known.map((x) => `${name}.${x}`).join(', ')}.`);
  }
}
