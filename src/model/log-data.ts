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
  /**
   * The message: text for `monitor.logger`'s records; for a record of the OpenTelemetry Logs API,
   * its body as given, structured or not (logs data model: Body is any AnyValue), or none
   * (undefined) when it gave none.
   */
  readonly body?: AnyValue;
  /** When the record was observed (epoch ms), where that is not `time`: a Logs API record's `observedTimestamp`, else its emit time. */
  readonly observedTime?: number;
  /** A Logs API record's event name (logs data model EventName, OTLP `event_name`). */
  readonly eventName?: string;
  readonly attributes: Record<string, AnyValue>;
  readonly droppedAttributesCount: number;
  /** Trace and span ids of the span that was active when the record was made. */
  readonly traceId?: string;
  readonly spanId?: string;
  readonly traceFlags?: number;
  readonly instrumentationScope?: InstrumentationScope;
}
