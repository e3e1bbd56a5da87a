/**
 * A null inside a homogeneous array attribute (OpenTelemetry common spec: kept as-is) is an
 * AnyValue with no value set in OTLP, `{}` in OTLP/JSON, checked with protobufjs against the
 * official .proto files; the console shows it as `null`.
 */
import { describe, expect, it } from 'vitest';
import { formatAttributes } from '../../src/exporters/console/format.js';
import { encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import type { SpanData } from '../../src/model/span-data.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { parseJson } from './helpers/canonical.js';
import { resource, scope } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';

describe('array attributes with null elements', () => {
  it('stay arrays of their type, the null an empty AnyValue in protobuf and JSON', async () => {
    const { monitor, memory } = createTestMonitor();
    const span = monitor.tracer.startSpan('s');
    span.setAttribute('counts', [1, null, 3] as number[]);
    span.setAttributes({ names: ['a', null, 'c'] as string[], flags: [null, true] as boolean[] });
    span.end();
    await monitor.flush();
    const s = memory.spans[0];
    expect(s.attributes).toMatchObject({ counts: [1, null, 3], names: ['a', null, 'c'], flags: [null, true] });

    // The ended span itself, as the monitor hands it to exporters (the memory record is a test view of it).
    const batch = { resource, scope, spans: [span as unknown as SpanData], logs: [] };
    const expected = [
      { key: 'counts', value: { arrayValue: { values: [{ intValue: '1' }, {}, { intValue: '3' }] } } },
      { key: 'names', value: { arrayValue: { values: [{ stringValue: 'a' }, {}, { stringValue: 'c' }] } } },
      { key: 'flags', value: { arrayValue: { values: [{}, { boolValue: true }] } } },
    ];
    for (const decoded of [decodeProto('traces', encodeTracesProto(batch)), parseJson(encodeTracesJson(batch))]) {
      const attrs = decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes;
      for (const kv of expected) expect(attrs).toContainEqual(kv);
    }
    expect(formatAttributes({ counts: s.attributes.counts })).toBe(' {counts=[1,null,3]}');
  });
});
