import { warnConfig } from './env.js';
import { kindOf } from './option-keys.js';
import { PROPAGATORS } from '../trace/propagation/propagation.js';
import type { TailPolicy, TailSamplingOptions } from '../trace/sampling/tail.js';
import type { SamplerConfig } from '../trace/sampling/samplers.js';
import type { AsyncLocalStorageClass, ContextStorage } from '../context/storage.js';
import type { ActiveContext } from '../context/active.js';
import type { Limits } from '../limits.js';
import type { AttributeValue } from '../model/attributes.js';
import type { Backend, DiagnosticHandler } from '../model/batch.js';
import type { LogLevel } from '../model/log-data.js';
import type { ExponentialBucketsOption } from '../metrics/exponential-histogram.js';
import { settleQuietly } from '../diag/callback.js';
import { resolveLimits } from '../limits.js';
import { createTailPolicy } from '../trace/sampling/tail.js';
import { checkLevel } from '../logs/logger.js';

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
  /**
   * W3C headers read from incoming requests and written on outgoing ones (OTEL_PROPAGATORS).
   * Default both; `[]` propagates nothing.
   */
  propagators?: readonly ('tracecontext' | 'baggage')[];
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
    /**
     * `base2ExponentialBuckets()`: every histogram created without `buckets` of its own is an
     * exponential one, the library's own (`http.server.request.duration`, the client and
     * database durations, OpenTelemetry API histograms, whose bucket advice it replaces) included.
     */
    histogramBuckets?: ExponentialBucketsOption;
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
   * (OTEL_BSP_SCHEDULE_DELAY, whose 0 means "no delay": 1 ms here). Longer delays than a timer honours (2^31−1 ms, about 24.8 days,
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

/** createMonitor's option names (the Workers adapter lists them with its own in an unknown-option error). */
export const KNOWN = new Set([
  'serviceName',
  'serviceVersion',
  'resource',
  'backends',
  'sampler',
  'propagators',
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

/** Throws a configuration error: createMonitor's message names the option and what it takes. */
function fail(message: string, E: new (m: string) => Error = TypeError): never {
  throw new E(`createMonitor: ${message}`);
}

/** Option `k` is true, false or absent. */
function checkBoolean(k: string, v: unknown, note = ''): void {
  if (v !== undefined && typeof v !== 'boolean') fail(`\`${k}\` must be true or false${note}, got ${kindOf(v)}.`);
}

/** Option `k` is absent or a number from `min` (5e-324, the least positive number, for "> 0") to `max`. */
function checkNumber(o: MonitorOptions, k: 'flushTimeoutMs' | 'metricExportIntervalMs' | 'exportDelayMs' | 'batchWindowMs', rule: string, min = 0, max = Infinity): void {
  const v = o[k];
  if (v !== undefined && (typeof v !== 'number' || !(v >= min) || v > max)) fail(`\`${k}\` must be a number ${rule}, got ${kindOf(v)}.`, RangeError);
}

/** Throws on options a user most likely misspelled or mistyped. */
export function checkOptions(o: MonitorOptions): void {
  if (!isRecord(o as unknown)) fail('options must be an object such as { serviceName: "api" }.');
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail(`unknown option \`${k}\`; known options are ${[...KNOWN].join(', ')}.`);
  const { serviceName, backends, resource } = o;
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === '')) fail('`serviceName` must be a non-empty string.');
  if (o.serviceVersion !== undefined && typeof o.serviceVersion !== 'string') fail('`serviceVersion` must be a string.');
  if (backends !== undefined) {
    if (!Array.isArray(backends)) fail('`backends` must be an array, such as [new MemoryBackend()].');
    backends.forEach((b, i) => {
      if (!b || typeof (b as Backend).export !== 'function') fail(`\`backends[${i}]\` has no export(batch) method; pass a backend such as new OtlpBackend() or new MemoryBackend().`);
      // Listed twice, it would get every item twice: a collector sums a counter's deltas to double.
      if (backends.indexOf(b) !== i) fail(`\`backends[${i}]\` is the same backend as \`backends[${backends.indexOf(b)}]\`; list it once.`);
    });
  }
  if (resource !== undefined) {
    if (!isRecord(resource)) fail(`\`resource\` must be an object of attributes, such as { 'deployment.environment.name': 'prod' }, got ${kindOf(resource)}.`);
    for (const [k, v] of Object.entries(resource)) {
      // OpenTelemetry requires a non-empty attribute key; OTLP receivers reject or drop one
      // without. An undefined value is left out anyway, so its key does not matter.
      if (k === '' && v !== undefined) fail('`resource` has an attribute with an empty key; name it or remove it.');
      if (v !== undefined && !isAttributeValue(v)) fail(`\`resource[${JSON.stringify(k)}]\` must be a string, number, boolean or an array of one of them (all of one type), got ${kindOf(v)}.`);
    }
    const svc = resource['service.name'];
    if (svc !== undefined && (typeof svc !== 'string' || svc === '')) fail(`\`resource["service.name"]\` must be a non-empty string, got ${kindOf(svc)}.`);
  }
  checkNumber(o, 'flushTimeoutMs', '> 0', 5e-324);
  checkNumber(o, 'metricExportIntervalMs', '≥ 0');
  checkNumber(o, 'exportDelayMs', '≥ 0 (0 turns the scheduled export off)');
  checkNumber(o, 'batchWindowMs', 'from 0 to 25000 (0 exports every scope at once)', 0, 25_000);
  // The other options' checks do nothing when none is given (a Workers adapter's usual options):
  // apart, they are not compiled then (a function is compiled whole on its first call, and the
  // first request of a Worker, where its monitor is built (CF-03), pays for every one).
  if (MORE.some((k) => o[k] !== undefined)) checkMore(o);
}

/** The options checkMore checks. */
const MORE = ['logging', 'metrics', 'tailSampling', 'propagators', 'disabled', 'otlp', 'onDiagnostic', 'contextStorage', 'limits'] as const;

function checkMore(o: MonitorOptions): void {
  const { backends, logging, metrics } = o;
  checkGroup('logging', logging, ['level', 'redactFields', 'redactDefaults'], 'such as { level: "debug" }');
  checkBoolean('logging.redactDefaults', logging?.redactDefaults);
  checkGroup('metrics', metrics, ['exemplars', 'histogramBuckets'], 'such as { exemplars: false }');
  const hb = metrics?.histogramBuckets;
  // Its instrument too: an object written by hand ({ kind: 'base2_exponential' }, read from JSON) has none.
  if (hb !== undefined && (hb === null || typeof hb !== 'object' || (hb as { kind?: unknown }).kind !== 'base2_exponential' || typeof (hb as { instrument?: unknown }).instrument !== 'function')) {
    fail(`\`metrics.histogramBuckets\` takes base2ExponentialBuckets() (every histogram without buckets of its own made exponential), got ${kindOf(hb)}.`);
  }
  // A misspelt key (slowerThan) would leave its default in force: every trace kept. createSampler checks `sampler`'s.
  const { tailSampling } = o;
  if (isRecord(tailSampling)) checkGroup('tailSampling', tailSampling, ['keepErrors', 'slowerThanMs', 'ratio', 'policies'], '');
  checkBoolean('metrics.exemplars', metrics?.exemplars);
  const p = o.propagators;
  const bad = Array.isArray(p) ? p.findIndex((v) => !PROPAGATORS.includes(v)) : 0;
  if (p !== undefined && bad >= 0) fail(`\`propagators\` lists "tracecontext" and/or "baggage" ([] for none), got ${kindOf(Array.isArray(p) ? p[bad] : p)}.`);
  checkBoolean('disabled', o.disabled, ' (configFromEnv reads OTEL_SDK_DISABLED into it)');
  checkOtlpVariables(o.otlp);
  if (o.onDiagnostic !== undefined && typeof o.onDiagnostic !== 'function') fail('`onDiagnostic` must be a function.');
  // The core bundles no OTLP exporter: only the runtime adapters build one from `otlp`, so here
  // the OTEL_EXPORTER_OTLP_* settings (createMonitor({ ...configFromEnv(env) })) would go unused.
  if (o.otlp !== undefined && backends === undefined && o.disabled !== true) {
    const message = 'createMonitor ignores `otlp` (runtime adapters read it): pass backends: [new OtlpBackend(otlpOptionsFromEnv(env))]';
    try {
      settleQuietly((o.onDiagnostic ?? ((d) => warnConfig(d.message)))({ kind: 'config', message }));
    } catch {
      // A throwing hook must not fail construction over a warning.
    }
  }
  if (o.contextStorage !== undefined && !isContextStorage(o.contextStorage)) {
    fail('`contextStorage` must be a ContextStorage (with run(value, fn) and get()) or an AsyncLocalStorage class; omit it to use the detected one.');
  }
  const fields = logging?.redactFields;
  if (fields !== undefined && (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string'))) fail('`logging.redactFields` must be an array of attribute names.');
  // Read again where the monitor is built; checked here too, as adapters check an options object
  // where it is given (checkConfigNow): a misspelt limit passed there and threw at the first
  // request instead, failing every request of a Worker.
  resolveLimits(o.limits);
  if (tailSampling !== undefined) createTailPolicy(tailSampling);
  checkLevel(logging?.level);
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

/** A scalar, or an array of one type of scalar (OpenTelemetry: arrays are homogeneous), nulls allowed. */
function isAttributeValue(v: unknown): boolean {
  let type: string | undefined;
  return isScalar(v) || (Array.isArray(v) && v.every((x) => x === null || x === undefined || (isScalar(x) && (type ??= typeof x) === typeof x)));
}


/** A nested options object (`logging`, `metrics`): an object with only the known keys. */
/**
 * `otlp` holds OTEL_* variables as configFromEnv returns them. An OtlpBackend option there
 * (`otlp: { endpoint }`) was ignored without a word, the export going to localhost:4318.
 */
export function checkOtlpVariables(otlp: unknown): void {
  if (otlp === undefined) return;
  const example = '{ OTEL_EXPORTER_OTLP_ENDPOINT: url } (as configFromEnv returns)';
  if (!isRecord(otlp)) fail(`\`otlp\` must be an object such as ${example}, got ${kindOf(otlp)}.`);
  for (const k in otlp) {
    if (!k.startsWith('OTEL_')) fail(`\`otlp.${k}\` is not an OTEL_* variable: \`otlp\` takes ${example}; for OtlpBackend options pass backends: [new OtlpBackend({ ${k}: … })].`);
    // Another value (headers as a record) is no variable's text: read as unset, it would be lost unseen.
    const v = otlp[k];
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      fail(`\`otlp.${k}\` must be the variable's text (a string), got ${kindOf(v)}; for OtlpBackend options (endpoint, headers, …) pass backends: [new OtlpBackend({ … })].`);
    }
  }
}

function checkGroup(name: string, v: unknown, known: readonly string[], example: string): void {
  if (v === undefined) return;
  if (!isRecord(v)) fail(`\`${name}\` must be an object ${example}, got ${kindOf(v)}.`);
  for (const k of Object.keys(v)) if (!known.includes(k)) fail(`unknown option \`${name}.${k}\`; known options are ${known.map((x) => `${name}.${x}`).join(', ')}.`);
}
