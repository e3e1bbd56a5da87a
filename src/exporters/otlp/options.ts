import type { DiagnosticHandler } from '../../model/batch.js';
import type { Temporality } from '../../model/metric-data.js';
import type { OtlpSignal } from './endpoint.js';
import { CLIENT_HEADERS, TOKEN } from '../../http/token.js';
import { DEFAULT_ENDPOINT, SIGNALS, isHttpUrl, perSignalUrl, signalUrlFromBase } from './endpoint.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type OtlpCompression = 'gzip' | 'none';
export type OtlpTemporality = Temporality | 'lowmemory';

/** Retry tuning for 429/502/503/504 and network errors (OTLP-09, OTLP-10). */
export interface OtlpRetryOptions {
  /** Attempts in total, first one included. Default 5; 1 disables retries. */
  readonly maxAttempts?: number;
  /** First backoff when the server gives no Retry-After. Default 1000 ms. */
  readonly initialBackoffMs?: number;
  /** Backoff ceiling. Default 5000 ms. */
  readonly maxBackoffMs?: number;
}

/** A fetch-compatible function (globalThis.fetch by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OtlpBackendOptions {
  /** Base URL; `v1/traces`, `v1/metrics`, `v1/logs` are appended (ENV-02). Default `http://localhost:4318`. */
  readonly endpoint?: string;
  /** Full URL for traces, used as is (ENV-02). Overrides `endpoint` for this signal. */
  readonly tracesEndpoint?: string;
  readonly metricsEndpoint?: string;
  readonly logsEndpoint?: string;
  /** Default `http/protobuf` (ENV-06). */
  readonly protocol?: OtlpProtocol;
  /** Protocol for one signal, overriding `protocol` (OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, ENV-01). */
  readonly tracesProtocol?: OtlpProtocol;
  readonly metricsProtocol?: OtlpProtocol;
  readonly logsProtocol?: OtlpProtocol;
  /**
   * Sent with every request, for example an API key. Never echoed in diagnostics. Names are
   * case-insensitive. `Content-Type` and `Content-Encoding` are the exporter's (they describe
   * the body); a `User-Agent` given here goes in front of the exporter's own (OTLP-12).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra headers per signal, merged over `headers`; a name in any case replaces the generic one. */
  readonly tracesHeaders?: Readonly<Record<string, string>>;
  readonly metricsHeaders?: Readonly<Record<string, string>>;
  readonly logsHeaders?: Readonly<Record<string, string>>;
  /** Default `none`; `gzip` compresses with CompressionStream and sends `Content-Encoding: gzip`. */
  readonly compression?: OtlpCompression;
  /** Compression for one signal, overriding `compression` (OTEL_EXPORTER_OTLP_<SIGNAL>_COMPRESSION). */
  readonly tracesCompression?: OtlpCompression;
  readonly metricsCompression?: OtlpCompression;
  readonly logsCompression?: OtlpCompression;
  /**
   * Bounds each signal's request, its retries included (ENV-04): the default of the per-signal
   * timeouts. Default 10000; 0 means no limit. The monitor's `flushTimeoutMs` bounds the whole
   * export on top of it.
   */
  readonly timeoutMs?: number;
  /** Timeout for one signal's request, overriding `timeoutMs` (OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, ENV-01). */
  readonly tracesTimeoutMs?: number;
  readonly metricsTimeoutMs?: number;
  readonly logsTimeoutMs?: number;
  /**
   * Metric temporality this backend asks the monitor for. Default `delta` (DESIGN decision 3).
   * `lowmemory` (ENV-08) is `delta` but for observable counters (OpenTelemetry bridge), sent
   * as their totals (Cumulative); up-down counters are Cumulative in all three.
   */
  readonly temporality?: OtlpTemporality;
  /** Injected fetch, for tests and unusual runtimes. Default: `globalThis.fetch` at call time. */
  readonly fetch?: FetchLike;
  /** Receives failures, partial successes and server warnings. */
  readonly onDiagnostic?: DiagnosticHandler;
  /** Signals to send. Default all three; without 'metrics' the backend asks for no metrics. */
  readonly signals?: readonly OtlpSignal[];
  readonly retry?: OtlpRetryOptions;
  /** Backend name in the monitor's diagnostics. Default `otlp`. */
  readonly name?: string;
}

export interface ResolvedOtlpOptions {
  readonly name: string;
  readonly urls: Readonly<Record<OtlpSignal, string>>;
  /** Per signal, the per-signal option or else the generic one; likewise `compression`. */
  readonly protocol: Readonly<Record<OtlpSignal, OtlpProtocol>>;
  /** Per signal, generic and per-signal headers merged; names lowercased. */
  readonly headers: Readonly<Record<OtlpSignal, Readonly<Record<string, string>>>>;
  readonly compression: Readonly<Record<OtlpSignal, OtlpCompression>>;
  /** Per signal, the per-signal timeout or else `timeoutMs`; 0 means no limit. */
  readonly timeoutMs: Readonly<Record<OtlpSignal, number>>;
  readonly temporality: OtlpTemporality;
  readonly signals: ReadonlySet<OtlpSignal>;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
export const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];

/**
 * Whether a header value can be sent (an RFC 9110 field value). fetch throws on CR, LF, NUL
 * and anything above U+00FF, Node's fetch on the other controls too; that would fail every
 * export, each one retried as a network error.
 */
export function isHeaderValue(v: string): boolean {
  return !/[^\t\x20-\x7e\x80-\xff]/.test(v);
}


/** Why a header name (a token) cannot be sent, or undefined when it can. */
export function unsendableHeaderName(name: string): string | undefined {
  if (CLIENT_HEADERS.includes(name.toLowerCase())) return "is the HTTP client's to set (a request carrying it fails): leave it out";
  return undefined;
}

function fail(option: string, allowed: string): never {
  throw new TypeError(`OtlpBackend: option "${option}" ${allowed}`);
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(option, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(String(value))}`);
}

function checkUrl(option: string, url: unknown): string | undefined {
  if (url === undefined) return undefined;
  // The value itself is not echoed: an endpoint may embed credentials.
  if (typeof url !== 'string' || !isHttpUrl(url)) fail(option, 'must be an absolute http:// or https:// URL');
  // The URL parser ignores outer spaces and newlines (a secret pasted with one), but `v1/traces`
  // appended after them would not be: "https://host /v1/traces" is no URL, "/base /v1/traces"
  // another path. Trimmed, as the OTEL_* variables are.
  return url.trim();
}

/**
 * Throws unless `o` is a plain object whose keys are all in `known` (when given). Otherwise a typo (`url`,
 * `timeout`), a `retry: false` or a `Headers` instance (whose entries are no properties) would
 * be ignored without a word: the exporter would post elsewhere, retry, or send no API key.
 */
function checkKeys(option: string, o: unknown, known?: string[]): void {
  const proto = o !== null && typeof o === 'object' ? Object.getPrototypeOf(o) : 0;
  if (proto !== Object.prototype && proto !== null) fail(option, 'must be a plain object');
  for (const k in o as object) if (known && !known.includes(k)) fail(option === 'options' ? k : `${option}.${k}`, `is unknown; known: ${known.join(', ')}`);
}

/** The options a signal can override: `tracesEndpoint`, `metricsTimeoutMs`, … */
const PER_SIGNAL = ['endpoint', 'protocol', 'headers', 'compression', 'timeoutMs'];

function checkHeaders(option: string, headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  checkKeys(option, headers);
  const out: Record<string, string> = {};
  for (let [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (!TOKEN.test(k)) fail(option, `has an invalid header name ${JSON.stringify(k)}`);
    const unsendable = unsendableHeaderName(k);
    if (unsendable) fail(option, `header ${JSON.stringify(k)} ${unsendable}`);
    // Outer tabs, spaces, CR and LF are dropped as fetch's header normalisation does: a secret
    // read with its trailing newline (a mounted file, `echo … |`) is a valid value, not an error.
    if (typeof v === 'string') v = v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    if (typeof v !== 'string' || !isHeaderValue(v)) {
      fail(option, `header ${JSON.stringify(k)} must be a string of Latin-1 characters without controls other than tab (value not shown)`);
    }
    // Lowercased so that a spread merges names differing only in case: fetch would send both,
    // joined with ", ".
    out[k.toLowerCase()] = v as string;
  }
  return out;
}

/** A value as a message shows it: NaN and Infinity as such (JSON writes null), a string quoted. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkMs(option: string, value: unknown, fallback: number, min: number, what = 'milliseconds'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    fail(option, `must be a finite number ≥ ${min} (${what}), got ${shown(value)}`);
  }
  return value;
}

/**
 * The `signals: []` that otlpOptionsFromEnv gives when OTEL_{TRACES,METRICS,LOGS}_EXPORTER
 * name no OTLP signal: valid configuration (export nothing), which must not stop the app (ENV-13).
 * Given in code, an empty list is a mistake (see resolveOtlpOptions).
 */
export const NO_SIGNALS_FROM_ENV = new WeakSet<readonly OtlpSignal[]>();

/** Validates options and fills defaults; throws a TypeError naming the option on bad config. */
export function resolveOtlpOptions(options: OtlpBackendOptions): ResolvedOtlpOptions {
  const known = ['temporality', 'fetch', 'onDiagnostic', 'signals', 'retry', 'name', ...PER_SIGNAL];
  for (const s of SIGNALS) for (const k of PER_SIGNAL) known.push(s + k[0].toUpperCase() + k.slice(1));
  checkKeys('options', options, known);
  const base = checkUrl('endpoint', options.endpoint) ?? DEFAULT_ENDPOINT;
  const urls = {} as Record<OtlpSignal, string>;
  for (const s of SIGNALS) {
    const url = checkUrl(`${s}Endpoint`, options[`${s}Endpoint`]);
    urls[s] = url !== undefined ? perSignalUrl(url) : signalUrlFromBase(base, s);
  }

  const common = checkHeaders('headers', options.headers);
  const headers = {} as Record<OtlpSignal, Record<string, string>>;
  for (const s of SIGNALS) headers[s] = { ...common, ...checkHeaders(`${s}Headers`, options[`${s}Headers`]) };

  const protocolAll = oneOf('protocol', options.protocol, PROTOCOLS, 'http/protobuf');
  const compressionAll = oneOf('compression', options.compression, COMPRESSIONS, 'none');
  const timeoutAll = checkMs('timeoutMs', options.timeoutMs, 10000, 0);
  const protocol = {} as Record<OtlpSignal, OtlpProtocol>;
  const compression = {} as Record<OtlpSignal, OtlpCompression>;
  const timeoutMs = {} as Record<OtlpSignal, number>;
  for (const s of SIGNALS) {
    protocol[s] = oneOf(`${s}Protocol`, options[`${s}Protocol`], PROTOCOLS, protocolAll);
    compression[s] = oneOf(`${s}Compression`, options[`${s}Compression`], COMPRESSIONS, compressionAll);
    timeoutMs[s] = checkMs(`${s}TimeoutMs`, options[`${s}TimeoutMs`], timeoutAll, 0);
  }

  let signals: Set<OtlpSignal> = new Set(SIGNALS);
  if (options.signals !== undefined) {
    if (!Array.isArray(options.signals)) fail('signals', 'must be an array of "traces", "metrics", "logs"');
    // Every batch would be let go unseen and uncounted: an OtlpBackend that sends nothing is no backend.
    if (options.signals.length === 0 && !NO_SIGNALS_FROM_ENV.has(options.signals)) {
      fail('signals', 'is empty: give at least one signal, or leave the OtlpBackend out');
    }
    signals = new Set(options.signals.map((s) => oneOf('signals', s, SIGNALS, 'traces')));
  }

  const retry = options.retry ?? {};
  if ((retry as unknown) === false) fail('retry', 'must be a plain object; for no retries write { maxAttempts: 1 }');
  checkKeys('retry', retry, ['maxAttempts', 'initialBackoffMs', 'maxBackoffMs']);
  const maxAttempts = checkMs('retry.maxAttempts', retry.maxAttempts, 5, 1, 'attempts, the first one included');
  if (!Number.isInteger(maxAttempts)) fail('retry.maxAttempts', `must be an integer ≥ 1 (attempts, the first one included), got ${shown(maxAttempts)}`);

  for (const k of ['fetch', 'onDiagnostic'] as const) if (options[k] !== undefined && typeof options[k] !== 'function') fail(k, 'must be a function');

  return {
    name: options.name ?? 'otlp',
    urls,
    protocol,
    headers,
    compression,
    timeoutMs,
    temporality: oneOf('temporality', options.temporality, ['delta', 'cumulative', 'lowmemory'] as const, 'delta'),
    signals,
    maxAttempts,
    initialBackoffMs: checkMs('retry.initialBackoffMs', retry.initialBackoffMs, 1000, 0),
    maxBackoffMs: checkMs('retry.maxBackoffMs', retry.maxBackoffMs, 5000, 0),
  };
}
