/**
 * Canonical form for comparing OTLP payloads from different encoders: proto3 allows default
 * values (0, "", false, [], unset messages) to be written or left out, so they are removed,
 * except where presence matters (AnyValue and data-point oneofs, optional sum/min/max).
 * Numbers in 64-bit integer fields become decimal strings (OTLP-J5 accepts both on input).
 */
const KEEP = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'asDouble', 'asInt', 'sum', 'min', 'max', 'value', 'body', 'quantile']);
export const INT64_KEYS = new Set([
  'startTimeUnixNano',
  'endTimeUnixNano',
  'timeUnixNano',
  'observedTimeUnixNano',
  'intValue',
  'asInt',
  'count',
  'bucketCounts',
  'rejectedSpans',
  'rejectedDataPoints',
  'rejectedLogRecords',
]);

function isDefault(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === 0 ||
    v === '0' ||
    v === '' ||
    v === false ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

export function canonical(v: unknown, key?: string): any {
  if (Array.isArray(v)) return v.map((x) => canonical(x, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = canonical((v as Record<string, unknown>)[k], k);
      if (!KEEP.has(k) && isDefault(x)) continue;
      if (x === undefined) continue;
      out[k] = x;
    }
    return out;
  }
  // BigInt: String(2 ** 60) would print a rounded decimal.
  if (key && INT64_KEYS.has(key) && typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  return v;
}

/** Parses UTF-8 JSON bytes, as a receiver would. */
export function parseJson(body: Uint8Array): any {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
}
