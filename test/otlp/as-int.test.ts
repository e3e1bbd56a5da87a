/**
 * MET-03 `as_int = 6` (sfixed64) and OTLP-J5 (`"asInt"` as a decimal string): number data marked
 * `valueType: 'int'` (what the OpenTelemetry bridge's ValueType.INT instruments collect) goes
 * out as asInt across the whole int64 range, negatives included; a metric holding a value no
 * int64 can hold (past the range, or a fraction the app's own handle added) goes wholly as
 * asDouble, never wrapped and never mixed within one metric; unmarked data stays asDouble. Decoded by protobufjs over the
 * official .proto files.
 */
import { describe, expect, it } from 'vitest';
import { encodeMetricsJson, encodeMetricsProto } from '../../src/exporters/otlp/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { MetricData } from '../../src/model/metric-data.js';
import { parseJson } from './helpers/canonical.js';
import { resource, scope, T0, T1 } from './helpers/fixtures.js';
import { decodeProto, types } from './helpers/proto-decoder.js';

const VALUES = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 62, -(2 ** 63)];
const EXPECTED = [
  { asInt: '0' },
  { asInt: '1' },
  { asInt: '-1' },
  { asInt: '2147483648' },
  { asInt: '-2147483649' },
  { asInt: '9007199254740992' },
  { asInt: '-9007199254740992' },
  { asInt: '4611686018427387904' },
  { asInt: '-9223372036854775808' },
];

function batch(): TelemetryBatch {
  const pointsOf = (values: number[]) => values.map((value, i) => ({ attributes: { i: String(i) }, startTime: T0, time: T1, value }));
  const int = { valueType: 'int' };
  const metrics = [
    { type: 'updowncounter', name: 'int.sum', help: '', unit: '', temporality: 'cumulative', points: pointsOf(VALUES), ...int },
    { type: 'gauge', name: 'int.gauge', help: '', unit: '', temporality: 'delta', points: pointsOf(VALUES.slice(0, 3)), ...int },
    { type: 'counter', name: 'int.wide', help: '', unit: '', temporality: 'delta', points: pointsOf([1, 2 ** 63, 1e300]), ...int },
    { type: 'counter', name: 'int.fraction', help: '', unit: '', temporality: 'delta', points: pointsOf([2, 3.5]), ...int },
    { type: 'counter', name: 'plain', help: '', unit: '', temporality: 'delta', points: [{ attributes: {}, startTime: T0, time: T1, value: 5 }] },
  ] as MetricData[];
  return { resource, scope, spans: [], logs: [], metrics: { temporality: 'delta', time: T1, metrics } };
}

const WANT = {
  'int.sum': EXPECTED,
  'int.gauge': EXPECTED.slice(0, 3),
  'int.wide': [{ asDouble: 1 }, { asDouble: 2 ** 63 }, { asDouble: 1e300 }],
  'int.fraction': [{ asDouble: 2 }, { asDouble: 3.5 }],
  plain: [{ asDouble: 5 }],
};

function valuesOf(request: any): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const m of request.resourceMetrics[0].scopeMetrics[0].metrics) {
    out[m.name] = (m.sum ?? m.gauge).dataPoints.map((p: any) => ('asInt' in p ? { asInt: p.asInt } : { asDouble: p.asDouble }));
  }
  return out;
}

describe('asInt for number data marked valueType int', () => {
  it('protobuf: sfixed64 over the int64 range; a metric with a value past it or a fraction wholly asDouble; unmarked data asDouble', () => {
    const got = valuesOf(decodeProto('metrics', encodeMetricsProto(batch())));
    expect(got).toEqual(WANT);
  });

  it('JSON: the same, asInt as decimal strings', () => {
    const body = encodeMetricsJson(batch());
    const text = new TextDecoder().decode(body);
    expect(text).toContain('"asInt":"-9223372036854775808"');
    expect(text).toContain('"asDouble":5}');
    const got = valuesOf(types.metrics.toObject(types.metrics.fromObject(parseJson(body)), { longs: String, json: true, defaults: false }));
    expect(got).toEqual(WANT);
  });
});
