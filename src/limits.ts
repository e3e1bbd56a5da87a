import { kindOf } from './config/option-keys.js';

/**
 * Limits that keep memory and CPU bounded whatever the input. Span limits follow
 * OpenTelemetry's defaults (ENV-14); the value-length defaults are finite because a
 * 1 MB string in a hot path must not travel to every backend.
 */
export interface Limits {
  /** Attributes per span, event and link, and per log record unless `logAttributeCountLimit` is set (OpenTelemetry default 128). Metric labels are exempt (ENV-15): see `labelCountLimit`. */
  attributeCountLimit: number;
  /** Characters kept of a string attribute value; longer ones are truncated and counted. Log records too, unless `logAttributeValueLengthLimit` is set. */
  attributeValueLengthLimit: number;
  /** Attributes per log record (OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT). Default: `attributeCountLimit`. */
  logAttributeCountLimit: number;
  /** Characters kept of a log attribute value, at any depth (OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT). Default: `attributeValueLengthLimit`. */
  logAttributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  /** Attributes per span event (OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT). Default: `attributeCountLimit`. */
  eventAttributeCountLimit: number;
  /** Attributes per span link (OTEL_LINK_ATTRIBUTE_COUNT_LIMIT). Default: `attributeCountLimit`. */
  linkAttributeCountLimit: number;
  /** Finished spans kept per scope (request); more are dropped and counted. */
  spansPerScope: number;
  /** Log records kept per scope; more are dropped and counted. */
  logsPerScope: number;
  /** Characters kept of a log message. */
  logMessageLengthLimit: number;
  /** Distinct attribute sets per instrument before values go to the overflow series (MET-11). */
  cardinalityLimit: number;
  /** Characters kept of a metric label value. */
  labelValueLengthLimit: number;
  /** Labels per metric series when `labelNames` are not declared (the first in name order are kept); a bound on memory, apart from the attribute limits. */
  labelCountLimit: number;
  /** Spans and logs buffered outside any scope (or after their scope closed) until the next flush. */
  maxBufferedItems: number;
  /**
   * Estimated bytes of the spans and logs buffered by `maxBufferedItems` (both lists together).
   * Sizes are estimated cheaply (strings by length, fixed costs per object), not measured;
   * beyond the bound the oldest items are dropped, an eighth of the list at a time, and counted (`buffer_full`).
   */
  maxBufferedBytes: number;
  /** Exports in flight at once per backend; beyond it new data waits for that backend (the others take it at once) within `maxBufferedItems` and `maxBufferedBytes`, the oldest dropped and counted when full. */
  maxPendingExports: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: 4096,
  logAttributeCountLimit: 128,
  logAttributeValueLengthLimit: 4096,
  eventCountLimit: 128,
  linkCountLimit: 128,
  eventAttributeCountLimit: 128,
  linkAttributeCountLimit: 128,
  spansPerScope: 1000,
  logsPerScope: 1000,
  logMessageLengthLimit: 16384,
  cardinalityLimit: 2000,
  labelValueLengthLimit: 1024,
  labelCountLimit: 128,
  maxBufferedItems: 10000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxPendingExports: 64,
});

/**
 * Merges user limits over the defaults, throwing on values that are not positive integers; the
 * OpenTelemetry attribute, event and link limits take 0 too: keep none (ENV-15).
 */
export function resolveLimits(user: Partial<Limits> | undefined): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  if (user === undefined) return out;
  if (user === null || typeof user !== 'object' || Array.isArray(user)) {
    throw new TypeError('createMonitor: `limits` must be an object such as { cardinalityLimit: 2000 }.');
  }
  for (const key of Object.keys(user) as (keyof Limits)[]) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new TypeError(
        `createMonitor: unknown limit \`limits.${String(key)}\`; known limits are ${Object.keys(DEFAULT_LIMITS).join(', ')}.`,
      );
    }
    const v = user[key];
    if (v === undefined) continue;
    const min = /ttribute|^(event|link)C/.test(key) ? 0 : 1;
    if (typeof v !== 'number' || !(v >= min) || (!Number.isInteger(v) && v !== Infinity)) {
      throw new RangeError(`createMonitor: \`limits.${key}\` must be an integer ≥ ${min} (or Infinity), got ${kindOf(v)}.`);
    }
    out[key] = v;
  }
  // The log, event and link limits follow the general ones unless set on their own (ENV-14: a model-specific limit wins).
  for (const m of ['log', 'event', 'link'] as const) out[`${m}AttributeCountLimit`] = user[`${m}AttributeCountLimit`] ?? out.attributeCountLimit;
  out.logAttributeValueLengthLimit = user.logAttributeValueLengthLimit ?? out.attributeValueLengthLimit;
  return out;
}
