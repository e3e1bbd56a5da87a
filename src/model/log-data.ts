import type { AnyValue } from './attributes.js';
import type { InstrumentationScope } from './resource.js';

/** OpenTelemetry severity numbers (the first of each range). */
export const SeverityNumber = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
} as const;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogRecordData {
  /** Epoch milliseconds (fractional). */
  readonly time: number;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly attributes: Record<string, AnyValue>;
  readonly droppedAttributesCount: number;
  /** Trace and span ids of the span that was active when the record was made. */
  readonly traceId?: string;
  readonly spanId?: string;
  readonly traceFlags?: number;
  readonly instrumentationScope?: InstrumentationScope;
}
