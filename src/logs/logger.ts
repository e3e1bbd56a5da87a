// Value imports in the order whose bundle compresses best (module order follows it; `npm run size`).
import { clip, describe, hasOwn, sanitizeAny, defineSafe, UNSERIALIZABLE, type Cut } from '../attributes/sanitize.js';
import { contextStorage } from '../context/active.js';
import { now } from '../time.js';
import type { Diagnostics } from '../diag/diagnostics.js';
import type { Limits } from '../limits.js';
import type { AnyValue } from '../model/attributes.js';
import type { LogLevel, LogRecordData } from '../model/log-data.js';
import type { Scope } from '../scope/scope.js';
import type { SpanContext } from '../model/span-data.js';
import { INVALID_SPAN_ID, INVALID_TRACE_ID } from '../trace/ids.js';
import { SeverityNumber } from '../model/log-data.js';
import { redactEntry, type Redactor } from '../attributes/redact.js';
import { CONVERTED } from './log-value.js';
import { stackTrace } from '../trace/stack.js';


/** Severity number per level, and `severityText` per level (so a record does not upper-case its level on every call). */
const LEVELS = {} as Record<LogLevel, number>;
const TEXT = {} as Record<LogLevel, string>;
for (const [text, n] of Object.entries(SeverityNumber)) {
  const level = text.toLowerCase() as LogLevel;
  LEVELS[level] = n;
  TEXT[level] = text;
}

export function checkLevel(level: unknown): LogLevel {
  if (level === undefined) return 'info';
  const name = levelName(level);
  if (name !== undefined) return name;
  throw new TypeError(`createMonitor: \`logging.level\` must be one of ${Object.keys(LEVELS).join(', ')}, got ${JSON.stringify(level)}.`);
}

/** Where log records go: provided by the monitor. */
export interface LogOwner {
  readonly limits: Limits;
  readonly diag: Diagnostics;
  readonly redactor: Redactor;
  readonly closed: boolean;
  /** False for a `disabled: true` monitor, which keeps nothing. */
  readonly enabled?: boolean;
  onLog(record: LogRecordData, scope: Scope | undefined): void;
}

/**
 * Name → value: any object (a class instance or a value of an `interface` type too: its own
 * enumerable keys), a Map, or a Headers or URLSearchParams (their entries); an Error gives the
 * record its exception.* attributes, beside its own fields (`code`, `errno`). Not a Set, which
 * has values but no names (dropped and counted as `invalid_value`).
 */
type LogAttributes<T> = T extends Set<unknown> ? never : T;
const UNREADABLE = 'log data that throws when read was dropped';
const NO_VALUE = 'a function or a symbol in a log attribute (no log value) was left out';
// An Error as the attributes gives the record its exception.* attributes (see log()).

/**
 * Structured logs with OpenTelemetry severities, the active span's ids, and secrets redacted
 * before a record is kept. `child(attributes)` returns a logger that adds them to every record.
 */
export class Logger {
  readonly #owner: LogOwner;
  readonly #min: number;
  readonly #bound: Record<string, AnyValue>;
  /** Number of bound attributes: a record's own attributes count on from it. */
  readonly #boundCount: number;
  /** Bound attributes the count limit dropped when the child logger was made: every record reports them. */
  readonly #boundDropped: number;
  /** Attributes `clean` dropped over the count limit, read right after it returns. */
  #dropped = 0;
  /** Attributes `clean` could not read (a throwing getter) or wrote as '[Unserializable]', counted as invalid_attribute. */
  #unreadable = 0;
  /** Set by sanitizeAny when it cuts a value; reset by `clean`. */
  readonly #cut: Cut = { truncated: false };

  constructor(owner: LogOwner, level: LogLevel, bound: Record<string, AnyValue> = {}, boundDropped = 0) {
    this.#owner = owner;
    this.#min = LEVELS[level];
    this.#bound = bound;
    this.#boundCount = Object.keys(bound).length;
    this.#boundDropped = boundDropped;
  }

  trace<T extends object>(message: unknown, attributes?: LogAttributes<T>): void {
    this.log('trace', message, attributes);
  }
  debug<T extends object>(message: unknown, attributes?: LogAttributes<T>): void {
    this.log('debug', message, attributes);
  }
  info<T extends object>(message: unknown, attributes?: LogAttributes<T>): void {
    this.log('info', message, attributes);
  }
  /**
   * `attributes` as for `info`, or a caught value as it is (`catch (err) { logger.warn('retrying', err) }`):
   * an Error gives exception.*, another object its own keys, and a value that is no object (a
   * thrown string or number) is dropped and counted as `invalid_value`, the record kept.
   */
  warn(message: unknown, attributes?: unknown): void {
    this.log('warn', message, attributes);
  }
  /** As `warn`: `catch (err) { logger.error('parse failed', err) }` takes the caught value as it is. */
  error(message: unknown, attributes?: unknown): void {
    this.log('error', message, attributes);
  }
  /** As `warn`: takes a caught value as it is. */
  fatal(message: unknown, attributes?: unknown): void {
    this.log('fatal', message, attributes);
  }

  /** True when records at `level` are kept: guard expensive attribute building with it. */
  isEnabled(level: LogLevel): boolean {
    const name = levelName(level);
    // A disabled or shut-down monitor keeps no record: guarded work would be wasted.
    return this.#owner.enabled !== false && !this.#owner.closed && name !== undefined && LEVELS[name] >= this.#min;
  }

  /** A logger that adds `attributes` to every record. */
  child<T extends object>(attributes: LogAttributes<T>): Logger {
    let merged: Record<string, AnyValue> | undefined;
    try {
      merged = this.#clean(attributes);
      // Only a cleaned object sets #unreadable: after `child(undefined)` it still holds the last record's count.
      if (merged !== undefined && this.#unreadable) this.#owner.diag.drop('invalid_attribute', UNREADABLE, this.#unreadable);
    } catch {
      // Attributes whose keys cannot be listed (a revoked Proxy): the child is this logger's twin, the misuse counted.
      this.#owner.diag.drop('invalid_attribute', UNREADABLE);
    }
    return merged === undefined ? new Logger(this.#owner, levelOf(this.#min), this.#bound, this.#boundDropped) : new Logger(this.#owner, levelOf(this.#min), merged, this.#boundDropped + this.#dropped);
  }

  /** A record at `level`; `attributes` as for `warn` (a caught value taken as it is). */
  log(level: LogLevel, message: unknown, attributes?: unknown): void {
    try {
      let severityNumber = LEVELS[level];
      if (typeof severityNumber !== 'number') {
        // Not one of the six names as written: `ERROR` counts as `error`, as in logging.level.
        const name = levelName(level);
        if (name === undefined) return this.#unknownLevel(level);
        level = name;
        severityNumber = LEVELS[name];
      }
      if (severityNumber < this.#min) return;
      const owner = this.#owner;
      if (owner.closed) {
        owner.diag.drop('after_shutdown', 'a log record was written after shutdown(); it was dropped');
        return;
      }
      let unreadable = 0;
      let body = message as string;
      if (typeof message !== 'string') {
        // Written up to the message limit and 8 levels deep (a cut sets #cut.truncated).
        body = describe(message, owner.redactor, owner.limits.logMessageLengthLimit, this.#cut);
        if (this.#cut.truncated) {
          this.#cut.truncated = false;
          // Cut at 8 levels ([Object]) or at 256 KB ([Truncated]) here; a text cut at the limit is over it, and counted below.
          if (body.length <= owner.limits.logMessageLengthLimit) owner.diag.drop('attribute_truncated', 'a log message given as an object was cut at 8 levels or 256 KB');
        }
        // An object message with a getter that throws: written as '[Unserializable]', and counted.
        if (body === UNSERIALIZABLE) unreadable = 1;
        else if (typeof message === 'symbol' || typeof message === 'function' || (message instanceof Date && Number.isNaN(message.getTime()))) {
          // Its description is no log value (a lazy `() => text` is never called, an invalid Date holds no time): counted as the attribute would be.
          owner.diag.drop('invalid_attribute', CONVERTED);
        } else {
          try {
            // An Error's text is its exception.message, whose quoted URLs lose their secrets there.
            if (message instanceof Error) body = owner.redactor.apply('exception.message', body) as string;
          } catch {
            // a message that throws when read is described as text above
          }
        }
      }
      if (body.length > owner.limits.logMessageLengthLimit) {
        owner.diag.drop('attribute_truncated', () => `a log message longer than ${owner.limits.logMessageLengthLimit} characters was truncated (limits.logMessageLengthLimit)`);
        body = clip(body, owner.limits.logMessageLengthLimit);
      }
      let attrs = this.#bound;
      let dropped = this.#boundDropped;
      let error: Error | undefined;
      try {
        if (message instanceof Error) {
          error = message;
          // `logger.error(err)` keeps what `logger.error('msg', err)` keeps: the error's own fields
          // (a Node system error's `code` and `errno`) as attributes, beside its exception.*.
          attributes ??= message;
        }
      } catch {
        // A message that throws when read (a revoked Proxy) is described as text above (and
        // counted there); the attributes given with it are still read.
      }
      try {
        if (attributes !== undefined && attributes !== null) {
          // `logger.error('charge failed', err)`: the error's name, message and stack live in
          // non-enumerable properties, so as plain attributes it would leave nothing behind.
          if (error === undefined && attributes instanceof Error) error = attributes;
          const c = this.#clean(attributes);
          if (c) {
            attrs = c;
            dropped += this.#dropped;
            unreadable += this.#unreadable;
          }
        }
      } catch {
        // Attributes whose keys cannot be listed (a revoked Proxy) are misuse, as for spans: the
        // record keeps its message and bound attributes. A getter that throws loses only its key (#clean).
        unreadable++;
      }
      if (error !== undefined) {
        // Taken from the error, not from `attributes`, so they meet the value length limit here.
        // One the record gives itself wins, as in sdk-logs (a message the app cleaned of a card
        // number): only the missing ones come from the error.
        // Each is read on its own: a getter that throws loses its attribute (counted), not the record.
        const max = owner.limits.logAttributeValueLengthLimit;
        const e = error;
        const exception: Record<string, string> = {};
        let long = false;
        const put = (key: string, get: () => unknown, optional?: boolean): void => {
          if (hasOwn.call(attrs, key)) return;
          let v: string;
          try {
            v = textOf(get());
          } catch {
            unreadable++;
            return;
          }
          if (optional && !v) return;
          // Redacted before the cut, which could leave part of a secret behind (the record's own
          // attributes are redacted as they are cleaned; these come from the error).
          v = owner.redactor.apply(key, v) as string;
          long ||= v.length > max;
          exception[key] = clip(v, max);
        };
        put('exception.type', () => e.name);
        put('exception.message', () => e.message);
        put('exception.stacktrace', () => (e.stack ? (stackTrace(e, owner.redactor, max) ?? e.stack) : ''), true);
        if (long) {
          owner.diag.drop('attribute_truncated', () => `a log record's exception attribute longer than ${max} characters was truncated (limits.logAttributeValueLengthLimit)`);
        }
        attrs = { ...attrs };
        // Within the count limit as any other attribute (ENV-15).
        let n = Object.keys(attrs).length;
        let over = 0;
        for (const k in exception) {
          if (n < owner.limits.logAttributeCountLimit) {
            attrs[k] = exception[k];
            n++;
          } else over++;
        }
        if (over) {
          dropped += over;
          owner.diag.drop('attribute_limit', () => `a log record had more than ${owner.limits.logAttributeCountLimit} attributes (limits.logAttributeCountLimit)`, over);
        }
      }
      if (unreadable) owner.diag.drop('invalid_attribute', UNREADABLE, unreadable);
      const ctx = contextStorage().get();
      const span = ctx?.span;
      // A recording span's own fields (its id strings are cached): no SpanContext object per record.
      const sc = span === undefined ? undefined : typeof (span as Partial<SpanContext>).traceId === 'string' ? (span as unknown as SpanContext) : validContext(span.spanContext());
      const record: LogRecordData =
        sc === undefined
          ? { time: now(), severityNumber, severityText: TEXT[level], body, attributes: attrs, droppedAttributesCount: dropped }
          : {
              time: now(),
              severityNumber,
              severityText: TEXT[level],
              body,
              attributes: attrs,
              droppedAttributesCount: dropped,
              traceId: sc.traceId,
              spanId: sc.spanId,
              traceFlags: sc.traceFlags,
            };
      const scope = (span as { scope?: Scope } | undefined)?.scope ?? ctx?.scope;
      // Another monitor's scope (all monitors share one context storage) is not this logger's.
      owner.onLog(record, scope !== undefined && scope.owner !== (owner as object) ? undefined : scope);
    } catch {
      // logging must never throw into the caller
      this.#owner.diag.drop('internal_error', 'a log record could not be built; it was dropped');
    }
  }

  #notObject(kind: string): undefined {
    this.#owner.diag.drop('invalid_value', () => `logger attributes must be an object of name → value, got a ${kind}; they were dropped (the record was kept)`);
  }

  #unknownLevel(level: unknown): void {
    this.#owner.diag.drop('invalid_value', () => `logger.log() got the unknown level ${describe(level).slice(0, 64)}; use one of ${Object.keys(LEVELS).join(', ')}. The record was dropped`);
  }

  /**
   * The bound attributes with `attributes` over them: sanitised, within the count limit for
   * the merged set (the excess is left in `this.#dropped`), and redacted here, before the record
   * is kept anywhere (LoggingConfig.redact_fields). Cuts and drops are counted. One pass, no key array.
   */
  #clean(given: unknown): Record<string, AnyValue> | undefined {
    let attributes = given as Record<string, unknown>;
    if (attributes instanceof Map) {
      // Its entries are the attributes, keys as text, as a Map nested in one keeps them: its own
      // keys are none, and it was recorded as {} with nothing counted.
      attributes = {};
      for (const [k, v] of given as unknown as Map<unknown, unknown>) defineSafe(attributes, String(k), v);
    }
    if (typeof attributes !== 'object' || attributes === null) {
      // `logger.info('user', id)` as with console.log: the value would vanish without a trace.
      if (attributes !== undefined && attributes !== null) this.#notObject(typeof attributes);
      return undefined;
    }
    const limits = this.#owner.limits;
    const redactor = this.#owner.redactor;
    // A list given as the attributes (`request.rawHeaders`, header entries) has indexes for names:
    // its secret header values are redacted as a header list's (see Redactor.apply).
    if (Array.isArray(attributes)) attributes = redactor.apply('headers', attributes) as never;
    const cut = this.#cut;
    const base = this.#boundCount;
    const attrs: Record<string, AnyValue> = base > 0 ? { ...this.#bound } : {};
    let n = base;
    let dropped = 0;
    let truncated = 0;
    let unreadable = 0;
    let noValue = 0;
    let converted = 0;
    for (const key in attributes) {
      if (!hasOwn.call(attributes, key)) continue;
      if (key.length === 0) {
        // OpenTelemetry: an attribute key is a non-empty string. Dropped and counted, as on a span.
        this.#owner.diag.drop('invalid_attribute', 'an attribute key was empty or not a string; the attribute was dropped');
        continue;
      }
      // A key the bound attributes hold already replaces its value and takes no new room.
      const known = base > 0 && hasOwn.call(attrs, key);
      if (!known && n >= limits.logAttributeCountLimit) {
        dropped++;
        continue;
      }
      let v: AnyValue | undefined;
      let given: unknown;
      try {
        given = attributes[key];
        // With the redactor: a value over the limit is redacted before it is cut (see sanitizeAny).
        // An Error, at any depth, is its map; a BigInt past 2^53 or an invalid Date is text, flagged `cut.converted`.
        v = sanitizeAny(given, limits.logAttributeValueLengthLimit, 0, undefined, cut, redactor, key);
      } catch {
        // This key's getter threw (or its value is a revoked Proxy): the other keys are kept.
        unreadable++;
        continue;
      }
      if (cut.truncated) {
        cut.truncated = false;
        truncated++;
      }
      if (cut.noValue) {
        // One nested somewhere in this attribute's value (a map or a list).
        cut.noValue = false;
        noValue++;
      }
      if (cut.unreadable) {
        cut.unreadable = false;
        unreadable++;
      }
      if (cut.converted) {
        // Once per attribute, wherever in its value (as noValue above).
        cut.converted = false;
        converted++;
      }
      if (v === undefined) {
        // A function or a symbol has no log value: left out, and counted (an undefined value is
        // simply absent, as in sdk-logs).
        if (typeof given === 'function' || typeof given === 'symbol') noValue++;
        continue;
      }
      if (!known) n++;
      defineSafe(attrs, key, redactEntry(key, v, redactor, 1) as AnyValue);
    }
    // Nothing read: `logger.info('request', request.headers)` gives a Headers (or URLSearchParams),
    // whose own keys are none, so it was recorded as {} with nothing counted. Its entries are the
    // attributes, as when it is nested in one. Checked only here, off the usual path.
    if (n === base && attributes === given) {
      if (isEntries(attributes)) {
        const entries: Record<string, unknown> = {};
        (attributes as unknown as Headers).forEach((v: unknown, k) => defineSafe(entries, k, v));
        return this.#clean(entries);
      }
      // A Set has values but no names: recorded as {}, they were lost uncounted.
      if (attributes instanceof Set) return this.#notObject('Set');
    }
    this.#dropped = dropped;
    this.#unreadable = unreadable;
    if (noValue) this.#owner.diag.drop('invalid_attribute', NO_VALUE, noValue);
    if (converted) this.#owner.diag.drop('invalid_attribute', CONVERTED, converted);
    if (dropped) this.#owner.diag.drop('attribute_limit', () => `a log record had more than ${limits.logAttributeCountLimit} attributes (limits.logAttributeCountLimit)`, dropped);
    if (truncated) {
      this.#owner.diag.drop(
        'attribute_truncated',
        () => `a log attribute value was cut: a string over ${limits.logAttributeValueLengthLimit} characters (limits.logAttributeValueLengthLimit), a map or list over 128 entries, or nesting over 8 levels`,
        truncated,
      );
    }
    return attrs;
  }
}

/** A Headers or URLSearchParams: entries reached through `forEach`, none of them own keys. */
function isEntries(o: object): boolean {
  return (typeof Headers === 'function' && o instanceof Headers) || (typeof URLSearchParams === 'function' && o instanceof URLSearchParams);
}

/** A level name as given, or in lower case; undefined when it is none of the six (or not a string). */
function levelName(level: unknown): LogLevel | undefined {
  if (typeof level !== 'string') return undefined;
  if (hasOwn.call(LEVELS, level)) return level as LogLevel;
  const lower = level.toLowerCase();
  return hasOwn.call(LEVELS, lower) ? (lower as LogLevel) : undefined;
}

/**
 * A non-recording span's context, or undefined when it is invalid (all-zero ids, as
 * `@opentelemetry/api`'s INVALID_SPAN_CONTEXT made active): that is no trace, so the record has
 * no ids, as a Logs API record in it has none (not zeros). A recording span's ids are always valid.
 */
function validContext(sc: SpanContext): SpanContext | undefined {
  return sc.traceId === INVALID_TRACE_ID || sc.spanId === INVALID_SPAN_ID ? undefined : sc;
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : describe(v);
}

function levelOf(n: number): LogLevel {
  let best: LogLevel = 'trace';
  for (const [k, v] of Object.entries(LEVELS) as [LogLevel, number][]) if (v <= n) best = k;
  return best;
}
