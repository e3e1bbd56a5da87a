/**
 * Our traces JSON against the official OpenTelemetry JS SDK's (@opentelemetry/otlp-transformer
 * 0.223.1) for the same spans. The SDK writes int64 `intValue` as JSON numbers where OTLP-J5
 * wants strings; `canonical` normalises that one difference.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { SpanData } from '../../src/model/span-data.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';

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
  const scopes = new Map<string, { name: string; version?: string }>();
  return b.spans.map((s: SpanData): ReadableSpan => {
    const own = s.instrumentationScope ?? b.scope;
    const key = `${own.name}@${own.version ?? ''}`;
    if (!scopes.has(key)) scopes.set(key, { name: own.name, version: own.version });
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

describe('traces JSON vs @opentelemetry/otlp-transformer 0.223.1', () => {
  const b = batch({ spans: true });
  const sdkSpans = toReadableSpans(b);

  it('OTLP-J1: same ExportTraceServiceRequest as JsonTraceSerializer once int64 numbers are strings (OTLP-J5)', () => {
    const sdk = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdkSpans)));
    const ours = parseJson(encodeTracesJson(b));
    expect(canonical(ours)).toEqual(canonical(sdk));
  });

  it('the only raw difference is int64 as string vs number: the SDK writes "intValue": 200', () => {
    const sdkText = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdkSpans));
    expect(sdkText).toContain('"intValue":200');
    expect(new TextDecoder().decode(encodeTracesJson(b))).toContain('"intValue":"200"');
  });

  it('our protobuf decodes to the same message as ProtobufTraceSerializer output', () => {
    const sdk = decodeProto('traces', ProtobufTraceSerializer.serializeRequest(sdkSpans)!);
    const ours = decodeProto('traces', encodeTracesProto(b));
    expect(canonical(ours)).toEqual(canonical(sdk));
  });
});
