import { DEFAULT_ENDPOINT, SIGNALS, isHttpUrl, type OtlpSignal } from './endpoint.js';
import { COMPRESSIONS, NO_SIGNALS_FROM_ENV, PROTOCOLS, isHeaderValue, unsendableHeaderName } from './options.js';
import type { OtlpBackendOptions } from './options.js';
import { TOKEN } from '../../http/token.js';
import { varText, warnConfig } from '../../config/env.js';

/**
 * An environment record: a server process's variables, `Deno.env.toObject()`, or a Workers `env` (an interface
 * without an index signature, holding bindings beside its vars).
 */
type Env = object;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const P = 'OTEL_EXPORTER_OTLP_';

/**
 * Parses `k1=v1,k2=v2` header lists (ENV-03): values are percent-decoded, entries that do not
 * parse or that no request could carry are skipped one by one, never the whole list.
 */
export function parseOtlpHeaders(value: string, warn?: (message: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '' || !TOKEN.test(key)) {
      warn?.('ignored a malformed OTLP header entry');
      continue;
    }
    // Kept, it would make the OtlpBackend constructor throw (ENV-13: warn and ignore instead).
    const unsendable = unsendableHeaderName(key);
    if (unsendable) {
      warn?.(`ignored OTLP header "${key}": it ${unsendable}`);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // The value is not shown: it is likely a credential.
      warn?.(`ignored OTLP header "${key}": bad percent-encoding`);
      continue;
    }
    // Kept, it would make the OtlpBackend constructor throw (ENV-13: warn and ignore instead).
    if (isHeaderValue(value)) out[key] = value;
    else warn?.(`ignored OTLP header "${key}": its value has a control character or one above U+00FF`);
  }
  return out;
}

/**
 * Reads the OTLP exporter variables (ENV-01…08) into OtlpBackend options. Lenient: an empty,
 * malformed or unknown value is ignored (and reported through `warn`, by default one console
 * line each, as configFromEnv does), never thrown, so a
 * typo in the environment cannot stop the app. Per-signal endpoints, headers, protocols and
 * compression and timeouts override the generic ones (ENV-01); each signal's timeout bounds
 * that signal's request.
 * `OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none` or `console` leaves that signal out (`signals`, ENV-16).
 *
 * @example
 * const otlp = new OtlpBackend({ ...otlpOptionsFromEnv(env), onDiagnostic });
 */
export function otlpOptionsFromEnv(env: Env, warn: (message: string) => void = warnConfig): OtlpBackendOptions {
  const vars = (env ?? {}) as Readonly<Record<string, unknown>>;
  const o: Mutable<OtlpBackendOptions> = {};
  const read = new Set<string>();
  const get = (name: string): string | undefined => {
    read.add(P + name);
    const v = varText(vars[P + name]);
    return v === undefined || v.trim() === '' ? undefined : v.trim(); // empty means unset (ENV-13)
  };

  // The generic variable (''), then each signal's: ENDPOINT → endpoint, TRACES_ENDPOINT → tracesEndpoint.
  const all = ['', ...SIGNALS] as const;
  for (const s of all) {
    const name = s.toUpperCase() + (s && '_') + 'ENDPOINT';
    const v = get(name);
    if (v !== undefined && !isHttpUrl(v)) {
      // Without a scheme (`collector:4318`) it looks set, and it still turns OTLP on in the adapters,
      // so the generic endpoint or the default is used (OpenTelemetry SDKs fall back to it too): the
      // message says which, not "where they would without it" (the console, in the adapters).
      warn(`ignored ${P}${name}: not an http(s) URL, so ${s ? P + 'ENDPOINT or ' : ''}the default ${DEFAULT_ENDPOINT} is used (write it with http:// or https:// in front)`);
    } else if (v) o[s ? (`${s}Endpoint` as const) : 'endpoint'] = v;
  }
  for (const s of all) {
    const name = s.toUpperCase() + (s && '_') + 'HEADERS';
    const v = get(name);
    // Which of the four variables holds the entry: the message says, not the value.
    if (v) o[s ? (`${s}Headers` as const) : 'headers'] = parseOtlpHeaders(v, (m) => warn(`${m} (in ${P}${name})`));
  }

  // Integer milliseconds (ENV-04); negative or non-numeric means warn and keep the default. So do
  // more digits than a number holds: Infinity made new OtlpBackend throw (a larger finite value is
  // clamped where a timer is set).
  const ms = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined || (/^\d+$/.test(v) && +v < Infinity)) return v === undefined ? v : Number(v);
    warn(`ignored ${P}${name}=${JSON.stringify(v)}: expected integer milliseconds ≥ 0`);
    return undefined;
  };
  const timeout = ms('TIMEOUT');
  if (timeout !== undefined) o.timeoutMs = timeout;

  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = get(name)?.toLowerCase();
    if (v === undefined || allowed.includes(v as T)) return v as T | undefined;
    warn(`ignored ${P}${name}=${JSON.stringify(v)}: expected ${allowed.join(' or ')}`);
    return undefined;
  };
  const compression = pick('COMPRESSION', COMPRESSIONS);
  if (compression) o.compression = compression;
  const protocol = pick('PROTOCOL', PROTOCOLS);
  if (protocol) o.protocol = protocol;
  const signals: OtlpSignal[] = [];
  for (const s of SIGNALS) {
    const S = s.toUpperCase();
    const c = pick(S + '_COMPRESSION', COMPRESSIONS);
    if (c) o[`${s}Compression`] = c;
    const p = pick(S + '_PROTOCOL', PROTOCOLS);
    if (p) o[`${s}Protocol`] = p;
    const t = ms(S + '_TIMEOUT');
    if (t !== undefined) o[`${s}TimeoutMs`] = t;
    // ENV-16: `otlp` (the default) keeps the signal, `none` and `console` (the runtime adapters
    // print it) leave it out; other exporters are not built here: reported, the signal stays on.
    const name = `OTEL_${S}_EXPORTER`;
    const values = (varText(vars[name]) ?? '').toLowerCase().split(',').map((v) => v.trim());
    const other = values.filter((v) => v && v !== 'otlp' && v !== 'none' && v !== 'console');
    if (other[0]) warn(`ignored ${name}=${JSON.stringify(other.join())}: only otlp, console and none are supported`);
    if (values.includes('otlp') || !values.some((v) => v === 'none' || v === 'console')) signals.push(s);
  }
  if (signals.length < SIGNALS.length) o.signals = signals;
  // Every signal turned off here is a valid setting (export nothing), not the mistake `signals: []` is in code.
  if (signals.length === 0) NO_SIGNALS_FROM_ENV.add(signals);

  const pref = get('METRICS_TEMPORALITY_PREFERENCE')?.toLowerCase();
  // ENV-08: delta is Delta for counters (sync and observable) and histograms, Cumulative for
  // up-down counters; lowmemory differs only in keeping observable counters Cumulative.
  if (pref === 'delta' || pref === 'cumulative' || pref === 'lowmemory') o.temporality = pref;
  else if (pref !== undefined) warn(`ignored ${P}METRICS_TEMPORALITY_PREFERENCE=${JSON.stringify(pref)}: expected cumulative, delta or lowmemory`);

  // Exponential histograms are chosen in code (their code then comes into the bundle only when
  // used): the default value is what happens, another is said, with how to get it.
  const agg = get('METRICS_DEFAULT_HISTOGRAM_AGGREGATION')?.toLowerCase();
  if (agg !== undefined && agg !== 'explicit_bucket_histogram') warn(`ignored ${P}METRICS_DEFAULT_HISTOGRAM_AGGREGATION=${JSON.stringify(agg)}: for exponential histograms set metrics: { histogramBuckets: base2ExponentialBuckets() } in code`);

  // A misspelt name still turns OTLP on in the runtime adapters (any OTEL_EXPORTER_OTLP_* does),
  // to the default endpoint; an unsupported one (certificates) is ignored: both said. An empty
  // one is unset (ENV-13), as in get().
  for (const k in vars) if (k.startsWith(P) && !read.has(k) && /\S/.test(varText(vars[k]) ?? '')) warn(`ignored ${k}: unknown or unsupported`);
  return o;
}
