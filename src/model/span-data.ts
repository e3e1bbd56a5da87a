import type { Attributes } from './attributes.js';
import type { InstrumentationScope } from './resource.js';

/** OTLP span kinds (TR-01). */
export const SpanKind = {
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** OTLP status codes (TR-02). */
export const SpanStatus = {
  UNSET: 0,
  OK: 1,
  ERROR: 2,
} as const;
export type SpanStatus = (typeof SpanStatus)[keyof typeof SpanStatus];

/** W3C trace flags: bit 0 is "sampled". */
export const TraceFlags = { NONE: 0, SAMPLED: 1 } as const;

export interface SpanContext {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
}

export interface SpanEventData {
  readonly name: string;
  /** Epoch milliseconds (fractional). */
  readonly time: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLinkData {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/**
 * A finished span as exporters see it. Times are epoch milliseconds with sub-millisecond
 * fraction; encoders turn them into Unix nanoseconds without float multiplication (OTLP-J9)
 * through `msToUnixNano` in `src/time.ts`.
 */
export interface SpanData {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId?: string | undefined;
  /** True when the parent came from another process (a `traceparent` header). */
  readonly parentIsRemote?: boolean | undefined;
  readonly traceFlags: number;
  readonly traceState?: string | undefined;
  readonly startTime: number;
  readonly endTime: number;
  readonly attributes: Attributes;
  readonly events: readonly SpanEventData[];
  readonly links: readonly SpanLinkData[];
  readonly status: { readonly code: SpanStatus; readonly message?: string };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  /** Set when the span was made through another tracer name (for example the OpenTelemetry API bridge). */
  readonly instrumentationScope?: InstrumentationScope | undefined;
}
