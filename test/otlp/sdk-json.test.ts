/**
 * Our traces JSON against the official OpenTelemetry JS SDK's (@opentelemetry/otlp-transformer
 * 0.223.1) for the same spans. The SDK writes int64 `intValue` as JSON numbers where OTLP-J5
 * wants strings; `canonical` normalises that one difference.
 */
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { toReadableSpans } from './helpers/sdk-spans.js';

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
