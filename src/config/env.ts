// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { PROPAGATORS } from '../trace/propagation/propagation.js';
import { SAMPLER_NAMES, type SamplerConfig, type SamplerName } from '../trace/sampling/samplers.js';
import { defineSafe } from '../attributes/sanitize.js';
import type { MonitorOptions } from './options.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';

/**
 * An environment as the process-based adapters pass it (Node's environment, Deno's): text or unset, so
 * `(env) => ({ serviceName: env.FUNCTION_NAME ?? 'orders' })` type-checks. (`string | unknown` was
 * `unknown`: such a function failed with a confusing error naming Monitor.) Values are still read as
 * `unknown` (see varText): a Workers `env` holds bindings and JSON vars; that adapter has its own type.
 */
export type EnvRecord = Record<string, string | undefined>;

/**
 * A variable's text. A Workers var written without quotes (`OTEL_SDK_DISABLED = true`,
 * `OTEL_TRACES_SAMPLER_ARG = 0.1` in wrangler.toml) reaches `env` as a JSON boolean or number: read
 * as the text it was. Any other non-string (a binding, a JSON object) is no value.
 */
export function varText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function str(env: object, name: string): string | undefined {
  const v = varText((env as EnvRecord)[name]);
  // An empty value counts as unset (ENV-13).
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** Parses `k1=v1,k2=v2` with percent-decoding; undefined when any part fails (ENV-10). */
export function parseKeyValueList(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      const key = decodeURIComponent(part.slice(0, eq).trim());
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      if (!key) return undefined;
      defineSafe(out, key, value);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** A whole number (a limit, where 0 keeps none (ENV-15), or milliseconds), or undefined (warned) when the variable holds something else. */
function whole(env: object, name: string, warn: (m: string) => void): number | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 0) return n;
  warn(`${name}=${JSON.stringify(v)} is not a whole number; ignored`);
  return undefined;
}

/** How a bad environment value is reported when no `onWarning` is given: one console line. */
export function warnConfig(message: string): void {
  if (typeof console !== 'undefined') console.warn(`[lexigram/monitor] config: ${message}`);
}

/**
 * Turns an environment record (Workers `env`, `Deno.env.toObject()`, Node's environment) into
 * monitor options from the standard OTEL_* variables (digest §1d). Bad values are reported
 * through `onWarning` and ignored, as the specification asks; nothing here throws. `env` may be
 * any object: a Workers `env` is an interface (no index signature) holding bindings beside its vars.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ ...configFromEnv(env), backends: [...] });
 * ```
 */
export function configFromEnv(env: EnvRecord | object | undefined | null, options?: { onWarning?: (message: string) => void }): MonitorOptions {
  // Every variable read is an OTEL_* one: a plain object with no such key (a Worker's bindings,
  // most apps) gives {} here, and readEnv, a large function compiled on its first call, is never
  // compiled (on Workers, by the first request: CF-03). Any other object (getters on a class, a
  // null prototype) is read name by name, as always.
  return env && typeof env === 'object' && (Object.getPrototypeOf(env) !== Object.prototype || Object.keys(env).some((k) => k.startsWith('OTEL_')))
    ? readEnv(env, options?.onWarning ?? warnConfig)
    : {};
}

function readEnv(env: object, warn: (message: string) => void): MonitorOptions {
  const out: MonitorOptions = {};

  const disabled = str(env, 'OTEL_SDK_DISABLED');
  if (disabled !== undefined) {
    const d = disabled.toLowerCase();
    if (d === 'true') out.disabled = true;
    else if (d !== 'false') warn(`OTEL_SDK_DISABLED=${JSON.stringify(disabled)} is not true or false; telemetry stays on`);
  }

  const resourceRaw = str(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (resourceRaw !== undefined) {
    const attrs = parseKeyValueList(resourceRaw);
    if (attrs === undefined) warn('OTEL_RESOURCE_ATTRIBUTES could not be decoded; the whole variable was discarded');
    else {
      const { 'service.name': svc, 'service.version': ver, ...rest } = attrs;
      if (Object.keys(rest).length) out.resource = rest;
      if (svc) out.serviceName = svc;
      if (ver) out.serviceVersion = ver;
    }
  }
  const serviceName = str(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) out.serviceName = serviceName; // wins over OTEL_RESOURCE_ATTRIBUTES (ENV-09)

  const samplerName = str(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase();
  if (samplerName !== undefined) {
    if (!(SAMPLER_NAMES as readonly string[]).includes(samplerName)) {
      warn(`OTEL_TRACES_SAMPLER=${JSON.stringify(samplerName)} is not supported here; using parentbased_always_on`);
    } else {
      let sampler: SamplerConfig = samplerName as SamplerName;
      if (samplerName.endsWith('traceidratio')) {
        const arg = str(env, 'OTEL_TRACES_SAMPLER_ARG');
        let ratio = 1;
        if (arg !== undefined) {
          const n = Number(arg);
          if (Number.isFinite(n) && n >= 0 && n <= 1) ratio = n;
          else warn(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(arg)} is not a probability in [0, 1]; using 1.0`);
        }
        sampler = { type: samplerName as SamplerName, ratio };
      }
      out.sampler = sampler;
    }
  }

  /** The members of list variable `name` in `known` (case-insensitive); the others are said (ENV-13). */
  const pick = (name: string, known: string[]): string[] => {
    const all = str(env, name)?.toLowerCase().split(',').map((v) => v.trim()).filter(Boolean) ?? [];
    const bad = all.filter((v) => !known.includes(v));
    if (bad[0]) warn(`${name}: ${bad} not supported (only ${known}); ignored`);
    return all.filter((v) => known.includes(v));
  };

  // ENV-16: `none` propagates nothing; with only values this library lacks (b3, xray), the default stays.
  const props = pick('OTEL_PROPAGATORS', ['none', ...PROPAGATORS]);
  if (props[0]) out.propagators = props.includes('none') ? [] : PROPAGATORS.filter((p) => props.includes(p));

  const limits: Partial<Limits> = {};
  // ENV-14: OTEL_ATTRIBUTE_* apply to spans and log records, a model-specific variable only to
  // its own model: a span limit must not reach log records through the shared default.
  const pair = (what: string, span: 'attributeCountLimit' | 'attributeValueLengthLimit', log: 'logAttributeCountLimit' | 'logAttributeValueLengthLimit'): number | undefined => {
    const all = whole(env, `OTEL_${what}_LIMIT`, warn);
    const spans = whole(env, `OTEL_SPAN_${what}_LIMIT`, warn);
    const logs = whole(env, `OTEL_LOGRECORD_${what}_LIMIT`, warn);
    if ((spans ?? all) !== undefined) limits[span] = spans ?? all;
    if ((logs ?? all ?? spans) !== undefined) limits[log] = logs ?? all ?? DEFAULT_LIMITS[log];
    return all;
  };
  const allCount = pair('ATTRIBUTE_COUNT', 'attributeCountLimit', 'logAttributeCountLimit');
  pair('ATTRIBUTE_VALUE_LENGTH', 'attributeValueLengthLimit', 'logAttributeValueLengthLimit');
  for (const k of ['event', 'link'] as const) {
    const K = k.toUpperCase();
    const v = whole(env, `OTEL_SPAN_${K}_COUNT_LIMIT`, warn);
    if (v !== undefined) limits[`${k}CountLimit`] = v;
    // Nor does OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT reach event and link attributes: theirs, else the general one, else 128.
    const a = whole(env, `OTEL_${K}_ATTRIBUTE_COUNT_LIMIT`, warn) ?? allCount ?? (limits.attributeCountLimit === undefined ? undefined : DEFAULT_LIMITS[`${k}AttributeCountLimit`]);
    if (a !== undefined) limits[`${k}AttributeCountLimit`] = a;
  }
  if (Object.keys(limits).length) out.limits = limits;

  // ENV-16: trace_based (the default) is what histograms do; always_on cannot be (an exemplar
  // here is a sampled span's), so it is reported like any other value this library lacks.
  const filter = str(env, 'OTEL_METRICS_EXEMPLAR_FILTER')?.toLowerCase();
  if (filter === 'always_off') out.metrics = { exemplars: false };
  else if (filter !== undefined && filter !== 'trace_based') warn(`OTEL_METRICS_EXEMPLAR_FILTER=${JSON.stringify(filter)} is not supported here; using trace_based`);

  const interval = whole(env, 'OTEL_METRIC_EXPORT_INTERVAL', warn);
  if (interval !== undefined) out.metricExportIntervalMs = interval;
  // One timer serves spans and logs: the shorter delay meets both bounds.
  const spans = whole(env, 'OTEL_BSP_SCHEDULE_DELAY', warn);
  const logs = whole(env, 'OTEL_BLRP_SCHEDULE_DELAY', warn);
  // 0 means "no delay" to OpenTelemetry's batch processors (export on the next tick), while
  // `exportDelayMs: 0` turns the timer off: what ends outside a request would wait for the next
  // one. So 0 becomes the shortest timer.
  if (spans !== undefined || logs !== undefined) out.exportDelayMs = Math.max(1, Math.min(spans ?? logs!, logs ?? spans!));

  // OTLP exporter variables are gathered for the runtime adapters, which build the backends; with
  // them OTEL_{TRACES,METRICS,LOGS}_EXPORTER (ENV-16): otlp, console or none per signal, others said.
  const otlp: Record<string, string> = {};
  for (const key of Object.keys(env)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_')) {
      const v = str(env, key);
      if (v !== undefined) otlp[key] = v;
    }
  }
  let named = Object.keys(otlp).length ? 'otlp' : '';
  for (const S of ['TRACES', 'METRICS', 'LOGS']) {
    const key = `OTEL_${S}_EXPORTER`;
    const ok = pick(key, ['otlp', 'console', 'none']).join();
    if (ok) named += otlp[key] = ok;
  }
  // Console everywhere is the adapters' default: only OTLP or none changes what they build.
  if (/otlp|none/.test(named)) out.otlp = otlp;
  return out;
}
