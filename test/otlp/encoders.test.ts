import { describe, expect, it } from 'vitest';
import {
  encodeLogsJson,
  encodeLogsProto,
  encodeMetricsJson,
  encodeMetricsProto,
  encodeTracesJson,
  encodeTracesProto,
} from '../../src/exporters/otlp/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { HistogramMetric, SummaryMetric } from '../../src/model/metric-data.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { expectedLogs, expectedMetrics, expectedTraces, nanos } from './helpers/expected.js';
import { batch, CHILD_ID, LINK_SPAN, LINK_TRACE, REMOTE_PARENT, resource, ROOT_ID, scope, T0, TRACE_ID } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';

const b = batch({ spans: true, logs: true, metrics: true });

describe('traces encoders, decoded by protobufjs from the official .proto files', () => {
  const proto = decodeProto('traces', encodeTracesProto(b));
  const json = parseJson(encodeTracesJson(b));

  it('protobuf matches the expected ExportTraceServiceRequest field by field', () => {
    expect(canonical(proto)).toEqual(canonical(expectedTraces(b)));
  });

  it('JSON matches the same expectation (OTLP-J1)', () => {
    expect(canonical(json)).toEqual(canonical(expectedTraces(b)));
  });

  it('groups spans by instrumentation scope into separate ScopeSpans', () => {
    const ss = proto.resourceSpans[0].scopeSpans;
    expect(ss.map((s: any) => s.scope)).toEqual([scope, { name: 'otel-bridge', version: '2.0.0' }]);
    expect(ss[0].spans.map((s: any) => s.spanId)).toEqual([ROOT_ID, CHILD_ID]);
  });

  it('OTLP-J2: ids are lowercase hex in JSON and 16/8 raw bytes in protobuf', () => {
    const [root, child] = json.resourceSpans[0].scopeSpans[0].spans;
    expect(root.traceId).toBe(TRACE_ID);
    expect(root.spanId).toBe(ROOT_ID);
    expect(root.parentSpanId).toBeUndefined();
    expect(child.parentSpanId).toBe(REMOTE_PARENT);
    expect(root.links[0]).toMatchObject({ traceId: LINK_TRACE, spanId: LINK_SPAN });
    expect(proto.resourceSpans[0].scopeSpans[0].spans[1].parentSpanId).toBe(REMOTE_PARENT);
  });

  it('TR-04: flags carry W3C flags, 0x100 always, 0x200 when the parent or link is remote', () => {
    const spans = proto.resourceSpans[0].scopeSpans[0].spans;
    expect(spans[0].flags).toBe(0x101);
    expect(spans[1].flags).toBe(0x301);
    expect(proto.resourceSpans[0].scopeSpans[1].spans[0].flags).toBe(0x100);
    expect(spans[0].links[0].flags).toBe(0x301);
    expect(spans[0].links[1].flags).toBe(0x100);
  });

  it('OTLP-J3/J5: enums are numbers, times are decimal strings exact to the nanosecond (OTLP-J9)', () => {
    const root = json.resourceSpans[0].scopeSpans[0].spans[0];
    expect(root.kind).toBe(2);
    expect(root.status.code).toBe(1);
    // T0 as a double is 1700000000123.456787109375 ms: the nanosecond is rounded, never float-multiplied.
    expect(root.startTimeUnixNano).toBe('1700000000123456787');
    expect(root.startTimeUnixNano).toBe(nanos(T0));
    expect(root.events[0].timeUnixNano).toBe(nanos(T0 + 10.000001));
    expect(proto.resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano).toBe(nanos(T0 + 250.5));
  });

  it('OTLP-J7: integers as intValue strings (negatives, above 2^53), others as doubleValue', () => {
    const attrs = Object.fromEntries(json.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: any) => [kv.key, kv.value]));
    expect(attrs['http.response.status_code']).toEqual({ intValue: '200' });
    expect(attrs['app.negative']).toEqual({ intValue: '-42' });
    expect(attrs['app.big']).toEqual({ intValue: '1152921504606846976' });
    expect(attrs['app.double']).toEqual({ doubleValue: 3.14159 });
    expect(attrs['app.bool']).toEqual({ boolValue: false });
    expect(attrs['app.empty']).toEqual({ stringValue: '' });
    expect(attrs['app.ints']).toEqual({ arrayValue: { values: [{ intValue: '1' }, { intValue: '-2' }, { intValue: '3' }] } });
    const pattrs = Object.fromEntries(proto.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: any) => [kv.key, kv.value]));
    expect(pattrs['app.negative']).toEqual({ intValue: '-42' });
    expect(pattrs['app.big']).toEqual({ intValue: '1152921504606846976' });
    expect(pattrs['app.huge'].stringValue).toHaveLength(10_000);
  });

  it('OTLP-J4: every key is lowerCamelCase', () => {
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (keys.push(k), walk(x));
    };
    walk(json);
    walk(parseJson(encodeLogsJson(b)));
    walk(parseJson(encodeMetricsJson(b)));
    for (const k of keys) expect(k).toMatch(/^[a-z][a-zA-Z]*$/);
  });

  it('OTLP-J9: round ms and half ms convert exactly in both encodings', () => {
    for (const [ms, ns] of [
      [1544712660000, '1544712660000000000'],
      [1700000000123.5, '1700000000123500000'],
      [4102444800000.25, '4102444800000250000'],
    ] as const) {
      const one: TelemetryBatch = { ...b, spans: [{ ...b.spans[1], startTime: ms, endTime: ms }] };
      expect(parseJson(encodeTracesJson(one)).resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano).toBe(ns);
      expect(decodeProto('traces', encodeTracesProto(one)).resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano).toBe(ns);
    }
  });

  it('skips invalid or all-zero parent ids and lowercases uppercase ids', () => {
    const odd: TelemetryBatch = {
      ...b,
      spans: [{ ...b.spans[0], traceId: TRACE_ID.toUpperCase(), parentSpanId: '0000000000000000', links: [], events: [] }],
    };
    const j = parseJson(encodeTracesJson(odd)).resourceSpans[0].scopeSpans[0].spans[0];
    expect(j.traceId).toBe(TRACE_ID);
    expect(j.parentSpanId).toBeUndefined();
    const p = decodeProto('traces', encodeTracesProto(odd)).resourceSpans[0].scopeSpans[0].spans[0];
    expect(p.traceId).toBe(TRACE_ID);
    expect(p.parentSpanId).toBeUndefined();
  });
});

describe('logs encoders', () => {
  const proto = decodeProto('logs', encodeLogsProto(b));
  const json = parseJson(encodeLogsJson(b));

  it('protobuf matches the expected ExportLogsServiceRequest (nested kvlist, arrays, bytes, null)', () => {
    expect(canonical(proto)).toEqual(canonical(expectedLogs(b)));
  });

  it('JSON matches the same expectation', () => {
    expect(canonical(json)).toEqual(canonical(expectedLogs(b)));
  });

  it('severity, body, ids only when present, bytes as base64 and NaN/-Infinity as strings (OTLP-J7, J8)', () => {
    const [info, error] = json.resourceLogs[0].scopeLogs[0].logRecords;
    expect(info).toMatchObject({ severityNumber: 9, severityText: 'INFO', body: { stringValue: 'order placed ✓' }, traceId: TRACE_ID, spanId: ROOT_ID, flags: 1 });
    expect(error.traceId).toBeUndefined();
    expect(error.spanId).toBeUndefined();
    expect(error.severityNumber).toBe(17);
    const attrs = Object.fromEntries(info.attributes.map((kv: any) => [kv.key, kv.value]));
    expect(attrs.bytes).toEqual({ bytesValue: 'AAEC+v8=' });
    expect(attrs.nan).toEqual({ doubleValue: 'NaN' });
    expect(attrs.inf).toEqual({ doubleValue: '-Infinity' });
    expect(attrs.nothing).toEqual({});
    const pinfo = proto.resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(pinfo.body).toEqual({ stringValue: 'order placed ✓' });
    expect(pinfo.traceId).toBe(TRACE_ID);
    expect(proto.resourceLogs[0].scopeLogs[0].logRecords[1].traceId).toBeUndefined();
  });

  it('cuts AnyValue nesting (and cycles) so protoc-style decoders with a 100-message limit accept it', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const list: unknown[] = [];
    list.push(list);
    const deep: TelemetryBatch = { ...b, logs: [{ ...b.logs[1], attributes: { cyclic: cyclic as never, list: list as never } }] };
    const p = decodeProto('logs', encodeLogsProto(deep)); // protobufjs enforces protoc's limit of 100
    const j = parseJson(encodeLogsJson(deep));
    expect(canonical(j)).toEqual(canonical(p));
    let depth = 0;
    for (let v = j.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value; v.kvlistValue; v = v.kvlistValue.values[0].value) depth++;
    expect(depth).toBe(24);
  });
});

describe('metrics encoders', () => {
  for (const temporality of ['delta', 'cumulative'] as const) {
    const mb = batch({ metrics: temporality });
    it(`MET-01: protobuf and JSON match the expected ExportMetricsServiceRequest: name, description, unit and the gauge/sum/histogram/summary data field (${temporality})`, () => {
      const expected = canonical(expectedMetrics(mb));
      expect(canonical(decodeProto('metrics', encodeMetricsProto(mb)))).toEqual(expected);
      expect(canonical(parseJson(encodeMetricsJson(mb)))).toEqual(expected);
    });
  }

  it('MET-02: DELTA=1 / CUMULATIVE=2, monotonic counter, non-monotonic updowncounter, gauge without temporality', () => {
    const d = decodeProto('metrics', encodeMetricsProto(batch({ metrics: 'delta' }))).resourceMetrics[0].scopeMetrics[0].metrics;
    const c = parseJson(encodeMetricsJson(batch({ metrics: 'cumulative' }))).resourceMetrics[0].scopeMetrics[0].metrics;
    expect(d[0].sum).toMatchObject({ aggregationTemporality: 1, isMonotonic: true });
    expect(c[0].sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    expect(d[1].sum.isMonotonic).toBeUndefined(); // false is the proto3 default, left out
    expect(c[1].sum.isMonotonic).toBe(false);
    expect(d[2].gauge.aggregationTemporality).toBeUndefined();
    expect(d[3].histogram.aggregationTemporality).toBe(1);
    expect(c[3].histogram.aggregationTemporality).toBe(2);
  });

  it('MET-04: delta points start at the previous collection, cumulative ones at series creation', () => {
    const d = parseJson(encodeMetricsJson(batch({ metrics: 'delta' }))).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
    const c = parseJson(encodeMetricsJson(batch({ metrics: 'cumulative' }))).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
    expect(d.startTimeUnixNano).toBe(nanos(T0));
    expect(c.startTimeUnixNano).toBe(nanos(T0 - 3_600_000));
    expect(d.timeUnixNano).toBe(c.timeUnixNano);
  });

  it('MET-06: bucketCounts has bounds+1 entries as strings, min/max, exemplars with ids; sum left out after negatives', () => {
    const h = parseJson(encodeMetricsJson(b)).resourceMetrics[0].scopeMetrics[0].metrics[3].histogram.dataPoints;
    expect(h[0].bucketCounts).toEqual(['0', '2', '1', '1', '0', '0', '1', '1']);
    expect(h[0].bucketCounts).toHaveLength(h[0].explicitBounds.length + 1);
    expect(h[0]).toMatchObject({ count: '6', sum: 181.5, min: 1.5, max: 120 });
    expect(h[0].exemplars[0]).toEqual({ timeUnixNano: nanos(T0 + 100), asDouble: 120, traceId: TRACE_ID, spanId: ROOT_ID });
    expect(h[1].sum).toBeUndefined();
    expect(h[2]).toMatchObject({ count: '0', sum: 0 });
    expect(h[2].min).toBeUndefined();
  });

  it('MET-09: summary quantile values, NaN as a string in JSON', () => {
    const s = parseJson(encodeMetricsJson(b)).resourceMetrics[0].scopeMetrics[0].metrics[4].summary.dataPoints[0];
    expect(s.quantileValues.at(-1)).toEqual({ quantile: 1, value: 'NaN' });
    const p = decodeProto('metrics', encodeMetricsProto(b)).resourceMetrics[0].scopeMetrics[0].metrics[4].summary.dataPoints[0];
    expect(p.quantileValues.map((q: any) => q.quantile)).toEqual([0, 0.5, 0.99, 1]);
  });

  it('OTLP-J5: uint64 counts are their exact decimal digits up to 2^64, saturated at 2^64-1 beyond, in both encodings', () => {
    for (const [count, digits] of [
      [2 ** 53 + 2, '9007199254740994'],
      [18014400656965632, '18014400656965632'], // String() gives ...630
      [1e21, '18446744073709551615'], // String() gives 1e+21
      [2 ** 64, '18446744073709551615'],
    ] as const) {
      const [h, sm] = [b.metrics!.metrics[3], b.metrics!.metrics[4]] as [HistogramMetric, SummaryMetric];
      const hp = { ...h.points[0], count, bucketCounts: h.points[0].bucketCounts.map((c, i) => (i === 1 ? count : c)) };
      const big: TelemetryBatch = {
        ...b,
        metrics: { ...b.metrics!, metrics: [{ ...h, points: [hp] }, { ...sm, points: [{ ...sm.points[0], count }] }] },
      };
      for (const decoded of [parseJson(encodeMetricsJson(big)), decodeProto('metrics', encodeMetricsProto(big))]) {
        const [hm, smm] = decoded.resourceMetrics[0].scopeMetrics[0].metrics;
        expect(hm.histogram.dataPoints[0].count).toBe(digits);
        expect(hm.histogram.dataPoints[0].bucketCounts[1]).toBe(digits);
        expect(smm.summary.dataPoints[0].count).toBe(digits);
      }
    }
  });

  it('an empty snapshot encodes an empty request', () => {
    const empty = { resource, scope, spans: [], logs: [], metrics: { temporality: 'delta' as const, time: T0, metrics: [] } };
    expect(decodeProto('metrics', encodeMetricsProto(empty))).toEqual({});
    expect(parseJson(encodeMetricsJson(empty))).toEqual({ resourceMetrics: [] });
  });
});
