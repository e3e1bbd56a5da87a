/** The fixture spans as the OpenTelemetry JS SDK's ReadableSpan objects, for comparisons and benchmarks. */
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TelemetryBatch } from '../../../src/model/batch.js';
import type { SpanData } from '../../../src/model/span-data.js';

type HrTime = [number, number];

function hr(ms: number): HrTime {
  const whole = Math.floor(ms);
  const ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

const traceState = (s: string | undefined) => (s === undefined ? undefined : ({ serialize: () => s } as never));

export function toReadableSpans(b: TelemetryBatch): ReadableSpan[] {
  const resource = resourceFromAttributes(b.resource.attributes);
  // One object per scope, as the SDK's tracers share theirs: its protobuf serializer groups by identity.
  const scopes = new Map<string, { name: string; version?: string; schemaUrl?: string }>();
  return b.spans.map((s: SpanData): ReadableSpan => {
    const own = s.instrumentationScope ?? b.scope;
    const key = `${own.name}@${own.version ?? ''}:${own.schemaUrl ?? ''}`;
    if (!scopes.has(key)) scopes.set(key, own.schemaUrl ? { name: own.name, version: own.version, schemaUrl: own.schemaUrl } : { name: own.name, version: own.version });
    const scope = scopes.get(key)!;
    return {
      name: s.name,
      kind: s.kind - 1, // the API's SpanKind has no UNSPECIFIED
      spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: s.traceFlags, traceState: traceState(s.traceState) }),
      parentSpanContext: s.parentSpanId ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: s.traceFlags, isRemote: s.parentIsRemote } : undefined,
      startTime: hr(s.startTime),
      endTime: hr(s.endTime),
      duration: [0, 0],
      ended: true,
      status: { code: s.status.code, message: s.status.message },
      attributes: s.attributes,
      links: s.links.map((l) => ({
        context: { traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags, isRemote: l.isRemote, traceState: traceState(l.traceState) },
        attributes: l.attributes,
        droppedAttributesCount: l.droppedAttributesCount,
      })),
      events: s.events.map((e) => ({ name: e.name, time: hr(e.time), attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: s.droppedAttributesCount,
      droppedEventsCount: s.droppedEventsCount,
      droppedLinksCount: s.droppedLinksCount,
    } as ReadableSpan;
  });
}
