/**
 * Attribute values as OpenTelemetry defines them: primitives and homogeneous arrays of them,
 * whose elements may be `null` (exported as an empty OTLP `AnyValue`). Log attributes may also
 * nest maps and mixed arrays (OTLP `AnyValue`).
 */
export type AttributeValue = string | number | boolean | (string | null)[] | (number | null)[] | (boolean | null)[];

/** Span, event, link and resource attributes. */
export type Attributes = Record<string, AttributeValue>;

/** Any value a log record attribute or body may hold (OTLP `AnyValue`). */
export type AnyValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | AnyValue[]
  | { [key: string]: AnyValue };

/**
 * Metric series labels as recorded: each value keeps the type it was first given (OTLP sends a
 * number as intValue or doubleValue, a boolean as boolValue; Prometheus writes its String() text).
 */
export type Labels = Record<string, string | number | boolean>;

/**
 * What a caller may pass as labels. A series is identified by its values' text, so `200` and
 * `"200"` are one series; its values keep the types of the call that made it.
 */
export type LabelsInput = Record<string, string | number | boolean>;
