import { context as apiContext, isSpanContextValid, trace, type Context, type TimeInput } from '@opentelemetry/api';
import { redactDeep } from '../attributes/redact.js';
import { clip, sanitizeAny, type Cut } from '../attributes/sanitize.js';
import { CONVERTED } from '../logs/log-value.js';
import type { AnyValue } from '../model/attributes.js';
import type { Logger, LogOwner } from '../logs/logger.js';
import type { Monitor } from '../monitor.js';
import type { LogLevel, LogRecordData } from '../model/log-data.js';
import type { InstrumentationScope } from '../model/resource.js';
import { scopeIn } from './context-manager.js';
import { unwrapSpan } from './span.js';
import { timeInputToMs } from './time.js';

/**
 * An `@opentelemetry/api-logs` LogRecord. Declared here: api-logs is the app's optional
 * dependency, and the bridge's types must not require it.
 */
export interface LogRecordLike {
  eventName?: string;
  timestamp?: TimeInput;
  observedTimestamp?: TimeInput;
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  attributes?: Record<string, unknown>;
  exception?: unknown;
  context?: Context;
}

/** The monitor's level a severity number falls in: 1–4 trace, 5–8 debug, … 21–24 fatal. */
const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const levelOf = (n: number): LogLevel => LEVELS[Math.min(5, (n - 1) >> 2)];

/** What one emit() hands the inner logger's onLog. */
interface Pending {
  ctx: Context;
  time: number | undefined;
  observed: number | undefined;
  severityNumber: number;
  severityText: string;
  /** A body that is not text, sanitised and redacted as attribute values are. */
  body: AnyValue | undefined;
  /** The record gave no body (undefined or null): the record has none, not "" (logs data model: Body is optional). */
  none: boolean;
  eventName: string | undefined;
}

/**
 * An `@opentelemetry/api-logs` Logger writing into the monitor's log buffer. Body and attributes
 * go through a logger of the monitor's own class, so they are sanitised, limited and redacted
 * exactly as `monitor.logger` records are; this adds the severity, times, trace ids and
 * request scope of the API record's context, and the logger's instrumentation scope.
 */
export class BridgeLogger {
  readonly #monitor: Monitor;
  readonly #scope: InstrumentationScope;
  readonly #successor: (() => BridgeLogger | undefined) | undefined;
  readonly #inner: Logger;
  #pending: Pending | undefined;

  constructor(monitor: Monitor, scope: InstrumentationScope, successor?: () => BridgeLogger | undefined) {
    this.#monitor = monitor;
    this.#scope = scope;
    this.#successor = successor;
    const owner: LogOwner = {
      limits: monitor.limits,
      diag: monitor.diag,
      redactor: monitor.redactor,
      get closed() {
        return monitor.closed;
      },
      onLog: (r) => this.#keep(r),
    };
    // The class of the monitor's own logger: a value import would bundle it into /otel a second time.
    this.#inner = new (monitor.logger.constructor as new (owner: LogOwner, level: LogLevel) => Logger)(owner, 'trace');
  }

  emit(record: LogRecordLike): void {
    const next = this.#successor?.();
    if (next !== undefined) return next.emit(record);
    const m = this.#monitor;
    if (!m.enabled) return;
    let p: Pending;
    let body: unknown;
    let attributes: unknown;
    try {
      let n = record.severityNumber;
      if (n === undefined || n === null) n = 0;
      else if (typeof n !== 'number' || n < 0 || n > 24 || n % 1 !== 0) {
        m.diag.drop('invalid_value', 'an OpenTelemetry log record had a severityNumber outside 0–24; it was kept as unspecified (0)');
        n = 0;
      }
      // Below logging.level: not kept, as monitor.logger does not keep it (SeverityNumber 0 always is).
      if (n > 0 && !m.closed && !m.logger.isEnabled(levelOf(n))) return;
      const text = record.severityText;
      let ctx = record.context;
      if (ctx !== undefined && typeof (ctx as { getValue?: unknown } | null)?.getValue !== 'function') {
        m.diag.drop('invalid_attribute', "an OpenTelemetry log record's context is not a Context (from @opentelemetry/api); the active one was used");
        ctx = undefined;
      }
      // A severityText or eventName that is not text is left out, counted as a severityNumber outside 0–24 is.
      if (text !== undefined && text !== null && typeof text !== 'string') {
        m.diag.drop('invalid_value', "an OpenTelemetry log record's severityText is not a string; it was left out");
      }
      const eventName = record.eventName;
      if (eventName !== undefined && eventName !== null && typeof eventName !== 'string') {
        m.diag.drop('invalid_value', "an OpenTelemetry log record's eventName is not a string; it was left out");
      }
      body = record.body;
      p = {
        ctx: ctx ?? apiContext.active(),
        // As the SDK: each time that is not given is the emit time.
        time: recordTime(record.timestamp, m),
        observed: recordTime(record.observedTimestamp, m),
        severityNumber: n,
        severityText: typeof text === 'string' ? (text.length > MAX_SEVERITY_TEXT ? longSeverityText(text, m) : text) : '',
        // Logs data model: Body is any AnyValue, kept structured (a map stays a map, 42 an int).
        // A BigInt as in an attribute: an int while it is a safe integer, else its digits (top level or nested).
        body: body != null && typeof body !== 'string' ? structured(body, m) : undefined,
        none: body === undefined || body === null,
        eventName: typeof eventName === 'string' && eventName !== '' ? eventName : undefined,
      };
      if (p.body !== undefined) body = '';
      attributes = record.attributes;
      if (notAttributes(attributes)) {
        // A list's indexes are no attribute names ("0", "1", …), and a primitive has none: dropped,
        // counted, and the record kept, its exception.* attributes included.
        m.diag.drop('invalid_value', "an OpenTelemetry log record's attributes are not an object of name → value; they were dropped (the record was kept)");
        attributes = undefined;
      }
      attributes = withException(attributes, record.exception);
    } catch {
      // A record whose fields throw when read (a getter, a revoked Proxy) is misuse, as for spans.
      return void m.diag.drop('invalid_attribute', 'an OpenTelemetry log record that throws when read was dropped');
    }
    this.#pending = p;
    try {
      this.#inner.log('trace', body === undefined || body === null ? '' : body, attributes as Record<string, unknown>);
    } finally {
      this.#pending = undefined;
    }
  }

  /** As the SDK's Logger.enabled: false once the monitor is shut down, or below logging.level. */
  enabled(options?: { severityNumber?: number }): boolean {
    const next = this.#successor?.();
    if (next !== undefined) return next.enabled(options);
    const m = this.#monitor;
    let n: unknown;
    try {
      n = options?.severityNumber;
    } catch {
      // Options that throw when read (a revoked Proxy): answered as given none, never thrown.
    }
    return m.enabled && !m.closed && (!(typeof n === 'number' && n >= 1) || m.logger.isEnabled(levelOf(n)));
  }

  /** The inner logger's record, completed from the API record, to the API context's request scope. */
  #keep(r: LogRecordData): void {
    const p = this.#pending;
    if (p === undefined) return;
    const m = this.#monitor;
    const ctx = p.ctx;
    const sc = trace.getSpanContext(ctx);
    const ids = sc !== undefined && isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags } : undefined;
    const time = p.time ?? r.time;
    const observed = p.observed ?? r.time;
    const record: LogRecordData = {
      time,
      severityNumber: p.severityNumber,
      severityText: p.severityText,
      // No body given, none kept (undefined; the inner logger's '' is its stand-in).
      body: p.none ? undefined : (p.body ?? r.body),
      attributes: r.attributes,
      droppedAttributesCount: r.droppedAttributesCount,
      ...ids,
      instrumentationScope: this.#scope,
      ...(observed !== time && { observedTime: observed }),
      ...(p.eventName !== undefined && { eventName: p.eventName }),
    };
    // As the API context's spans are scoped (fromApiContext): its own scope, its span's, or the current request's.
    const scope = scopeIn(ctx, unwrapSpan(trace.getSpan(ctx), m.diag));
    m.onLog(record, scope?.owner === (m as object) ? scope : undefined);
  }
}

/**
 * A structured body within the limits and redaction of log values. A cut is counted, and so, once
 * per body, is what it lost or changed as an attribute's value is counted: a function or symbol
 * left out, a value that threw when read, a BigInt past 2^53 or an invalid Date written as text.
 * An Error is the map of its name, message, stack and cause, as in an attribute.
 */
function structured(body: unknown, m: Monitor): AnyValue | undefined {
  const cut: Cut = { truncated: false };
  const v = redactDeep(sanitizeAny(body, m.limits.logMessageLengthLimit, 0, undefined, cut, m.redactor), m.redactor) as AnyValue | undefined;
  if (cut.truncated) m.diag.drop('attribute_truncated', 'an OpenTelemetry log record body was cut to the limits of log values');
  if (cut.noValue) m.diag.drop('invalid_attribute', 'a function or a symbol in an OpenTelemetry log record body (no log value) was left out');
  if (cut.unreadable) m.diag.drop('invalid_attribute', 'log data that throws when read was dropped');
  if (cut.converted) m.diag.drop('invalid_attribute', CONVERTED);
  return v;
}

/**
 * Characters of a record's severityText kept: the name of a level ("WARN", "Warning"), yet the
 * caller's own string, which went out whole (a megabyte of it in every export).
 */
const MAX_SEVERITY_TEXT = 64;

function longSeverityText(text: string, m: Monitor): string {
  m.diag.drop('attribute_truncated', `an OpenTelemetry log record's severityText longer than ${MAX_SEVERITY_TEXT} characters was truncated`);
  return clip(text, MAX_SEVERITY_TEXT);
}

/** Attributes given that are not an object of name → value: a primitive, a function or an array. */
function notAttributes(a: unknown): boolean {
  if (a === undefined || a === null) return false;
  if (typeof a !== 'object') return true;
  try {
    return Array.isArray(a);
  } catch {
    // A revoked Proxy: the inner logger reads it, keeps the record and counts it (invalid_attribute).
    return false;
  }
}

/**
 * The record's attributes with `exception` as the prototype the inner logger takes its
 * `exception.*` attributes from (own keys alone are attributes).
 */
function withException(attributes: unknown, exception: unknown): unknown {
  const error = toError(exception);
  if (error === undefined) return attributes;
  if (attributes !== undefined && attributes !== null && typeof attributes !== 'object') return attributes;
  const out: Record<string, unknown> = Object.create(error);
  try {
    Object.assign(out, attributes);
  } catch {
    // Attributes that throw when read: the inner logger counts them and keeps the record.
    return attributes;
  }
  // An exception.* attribute the record gives wins, as in sdk-logs: the inner logger takes from
  // the error only the ones missing.
  return out;
}

/**
 * An exception as the SDK reads one: an Error, an object's name, message and stack, or a text;
 * a `code` (a Node system error's `ENOENT`) is its type before the name, as in sdk-logs and spans.
 */
function toError(x: unknown): Error | undefined {
  if (x === undefined || x === null) return undefined;
  const code = typeof x === 'object' ? (x as { code?: unknown }).code : undefined;
  if (x instanceof Error && !code) return x;
  const e = Object.create(x instanceof Error ? x : Error.prototype) as Error;
  // Own values, read from x itself: a DOMException's (an AbortError's, code 20) name and message
  // are getters that refuse another receiver, and its name has no setter.
  const set = (k: string, v: unknown): unknown => typeof v == 'string' && Object.defineProperty(e, k, { value: v, writable: true });
  if (typeof x !== 'object') set('message', String(x));
  else for (const k of ['name', 'message', 'stack']) set(k, (x as Record<string, unknown>)[k]);
  if (code) set('name', String(code));
  return e;
}

let latest: BridgeLoggerProvider | undefined;
/** Providers registerOpenTelemetry installed (a provider built by hand never follows another). */
const served = new WeakSet<BridgeLoggerProvider>();

/** Marks `provider` as the one registerOpenTelemetry installed last. */
export function setLatestLoggerProvider(provider: BridgeLoggerProvider): void {
  served.add(provider);
  latest = provider;
}

/**
 * An `@opentelemetry/api-logs` LoggerProvider over a monitor: one logger per name, version and
 * schema URL, each its own instrumentation scope.
 */
export class BridgeLoggerProvider {
  readonly #loggers = new Map<string, BridgeLogger>();
  readonly #monitor: Monitor;
  constructor(monitor: Monitor) {
    this.#monitor = monitor;
  }

  getLogger(name: string, version?: string, options?: { schemaUrl?: string }): BridgeLogger {
    const n = typeof name === 'string' ? name : '';
    const v = typeof version === 'string' && version !== '' ? version : undefined;
    const url = options?.schemaUrl;
    const schemaUrl = typeof url === 'string' && url !== '' ? url : undefined;
    const key = `${n}@${v ?? ''} ${schemaUrl ?? ''}`;
    let l = this.#loggers.get(key);
    if (l === undefined) {
      // A logger taken at load (a log transport's constructor) follows a later registration, as tracers do.
      const successor = (): BridgeLogger | undefined => (latest !== undefined && latest !== this && served.has(this) ? latest.getLogger(name, version, options) : undefined);
      this.#loggers.set(key, (l = new BridgeLogger(this.#monitor, { name: n, version: v, schemaUrl }, successor)));
    }
    return l;
  }

  /** Exports what is buffered (the monitor's `forceFlush`). */
  forceFlush(): Promise<void> {
    return this.#monitor.forceFlush();
  }
}

/** A record's time as `timeInputToMs` reads it; one given that it cannot read is replaced by the emit time, and counted. */
function recordTime(t: unknown, m: Monitor): number | undefined {
  const ms = timeInputToMs(t as TimeInput);
  if (ms === undefined && t !== undefined && t !== null) m.diag.drop('invalid_value', 'an OpenTelemetry log record had a timestamp that is not a time; the emit time was used');
  return ms;
}
