import type { Attributes as ApiAttributes, HrTime, Link as ApiLink, SpanContext as ApiSpanContext, SpanKind as ApiSpanKind, SpanStatus as ApiSpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope, Resource } from '../model/resource.js';
import type { SpanData } from '../model/span-data.js';
import { toApiSpanContext } from './span.js';
import { hrTimeDiff, msToHrTime } from './time.js';

/**
 * The `Resource` shape that `@opentelemetry/sdk-trace-base` 2.x exporters read, as a plain
 * object (no dependency on `@opentelemetry/resources`).
 */
export interface ReadableResource {
  readonly attributes: ApiAttributes;
  readonly asyncAttributesPending?: boolean;
  readonly schemaUrl?: string;
  waitForAsyncAttributes?(): Promise<void>;
  merge(other: ReadableResource | null): ReadableResource;
  getRawAttributes(): [string, ApiAttributes[string]][];
}

/** A finished span in the `ReadableSpan` shape of `@opentelemetry/sdk-trace-base` 2.x. */
export interface ReadableSpanLike {
  readonly name: string;
  readonly kind: ApiSpanKind;
  readonly spanContext: () => ApiSpanContext;
  readonly parentSpanContext?: ApiSpanContext;
  /** The 1.x field, kept for exporters that still read it. */
  readonly parentSpanId?: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: ApiSpanStatus;
  readonly attributes: ApiAttributes;
  readonly links: ApiLink[];
  readonly events: { time: HrTime; name: string; attributes?: ApiAttributes; droppedAttributesCount?: number }[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: ReadableResource;
  readonly instrumentationScope: InstrumentationScope;
  /** The 1.x field name of `instrumentationScope`. */
  readonly instrumentationLibrary: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** Our resource as an OpenTelemetry SDK `Resource`. */
export function toReadableResource(resource: Resource): ReadableResource {
  const attributes = { ...resource.attributes } as ApiAttributes;
  const r: ReadableResource = {
    attributes,
    asyncAttributesPending: false,
    waitForAsyncAttributes: () => Promise.resolve(),
    merge: (other) => (other ? toReadableResource({ attributes: { ...attributes, ...other.attributes } as Resource['attributes'] }) : r),
    getRawAttributes: () => Object.entries(attributes) as [string, ApiAttributes[string]][],
  };
  return r;
}

/**
 * Converts one finished span. Kinds go from OTLP numbering (INTERNAL 1) to the API's
 * (INTERNAL 0); times become `[seconds, nanoseconds]` exactly as the OTLP encoders write them.
 */
export function toReadableSpan(s: SpanData, resource: ReadableResource, fallbackScope: InstrumentationScope): ReadableSpanLike {
  const ctx = toApiSpanContext({ traceId: s.traceId, spanId: s.spanId, traceFlags: s.traceFlags, traceState: s.traceState, isRemote: false });
  const startTime = msToHrTime(s.startTime);
  const endTime = msToHrTime(s.endTime);
  const scope = s.instrumentationScope ?? fallbackScope;
  const status: ApiSpanStatus = s.status.message !== undefined ? { code: s.status.code, message: s.status.message } : { code: s.status.code };
  return {
    name: s.name,
    kind: (s.kind - 1) as ApiSpanKind,
    spanContext: () => ctx,
    parentSpanContext: s.parentSpanId
      ? toApiSpanContext({ traceId: s.traceId, spanId: s.parentSpanId, traceFlags: s.traceFlags, isRemote: s.parentIsRemote === true })
      : undefined,
    parentSpanId: s.parentSpanId,
    startTime,
    endTime,
    duration: hrTimeDiff(startTime, endTime),
    status,
    attributes: { ...s.attributes } as ApiAttributes,
    links: s.links.map((l) => ({
      context: toApiSpanContext({ traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags, traceState: l.traceState, isRemote: l.isRemote }),
      attributes: { ...l.attributes } as ApiAttributes,
      droppedAttributesCount: l.droppedAttributesCount,
    })),
    events: s.events.map((e) => ({ time: msToHrTime(e.time), name: e.name, attributes: { ...e.attributes } as ApiAttributes, droppedAttributesCount: e.droppedAttributesCount })),
    ended: true,
    resource,
    instrumentationScope: scope,
    instrumentationLibrary: scope,
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
  };
}
