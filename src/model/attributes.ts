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

/** Metric series labels: always strings once recorded. */
export type Labels = Record<string, string>;

/** What a caller may pass as labels; numbers and booleans are turned into strings. */
export type LabelsInput = Record<string, string | number | boolean>;
