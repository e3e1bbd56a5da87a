/**
 * `@opentelemetry/api` instruments created with `{ valueType: ValueType.INT }`: as in
 * @opentelemetry/sdk-metrics 2.x, a non-integer value loses its fractional digits (with a
 * warning), and counters, up-down counters and gauges export their points as `asInt` (MET-03:
 * NumberDataPoint `as_int = 6`, sfixed64; OTLP-J5: a decimal string in JSON). Histograms keep
 * a double sum. End to end: API meter → the monitor → OtlpBackend (protobuf and JSON) → a local
 * receiver, decoded by protobufjs over the official .proto files, and compared with what the
 * SDK itself (sdk-metrics + otlp-transformer) encodes for the same calls.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics, ValueType, type Meter } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CollectingReader } from './helpers/sdk-reader.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor, setContextStorage, type Diagnostic } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { parseJson } from '../otlp/helpers/canonical.js';
import { decodeProto, types } from '../otlp/helpers/proto-decoder.js';
import { startReceiver, type Receiver } from '../otlp/helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  setContextStorage(AsyncLocalStorage);
  rx = await startReceiver();
});
afterAll(() => rx.close());
afterEach(() => unregisterOpenTelemetry());

/** The same calls, made on our bridge's meter and on the SDK's. */
function record(meter: Meter): void {
  const requests = meter.createCounter('app.requests', { valueType: ValueType.INT });
  requests.add(2.7); // 2
  requests.add(4, { route: '/a' });
  requests.add(1);
  requests.add(-0.5, { route: '/neg' }); // negative: refused before truncation, no series of 0
  const inflight = meter.createUpDownCounter('app.inflight', { valueType: ValueType.INT });
  inflight.add(-1.9); // -1: truncated toward zero
  inflight.add(-3);
  const depth = meter.createGauge('app.queue.depth', { valueType: ValueType.INT });
  depth.record(7.9); // 7
  const big = meter.createCounter('app.bytes', { valueType: ValueType.INT, unit: 'By' });
  big.add(2 ** 53); // beyond 2^31: the full sfixed64 range is used
  const size = meter.createHistogram('app.payload', { valueType: ValueType.INT, advice: { explicitBucketBoundaries: [1, 10] } });
  size.record(2.5); // 2
  size.record(3);
  size.record(-0.5); // negative: dropped, not recorded as 0
  const ratio = meter.createCounter('app.ratio'); // DOUBLE, the default
  ratio.add(1.5);
}

/** name → each point's value fields (asInt / asDouble, or a histogram's count and sum), attributes left out. */
function values(request: any): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const rm of request.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const data = m.sum ?? m.gauge ?? m.histogram;
        out[m.name] = (data.dataPoints as any[])
          .map((p) => (m.histogram ? { count: p.count, sum: p.sum } : 'asInt' in p ? { asInt: p.asInt } : { asDouble: p.asDouble }))
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      }
    }
  }
  return out;
}

const EXPECTED = {
  'app.requests': [{ asInt: '3' }, { asInt: '4' }],
  'app.inflight': [{ asInt: '-4' }],
  'app.queue.depth': [{ asInt: '7' }],
  'app.bytes': [{ asInt: '9007199254740992' }],
  'app.payload': [{ count: '2', sum: 5 }],
  'app.ratio': [{ asDouble: 1.5 }],
};


async function sdkRequest(): Promise<any> {
  const reader = new CollectingReader('delta');
  const provider = new MeterProvider({ readers: [reader] });
  record(provider.getMeter('lib'));
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return decodeProto('metrics', ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!);
}

describe('ValueType.INT through the bridge', () => {
  it('OTLP protobuf and JSON carry asInt for INT sums and gauges, a double sum for INT histograms, as the SDK encodes them', async () => {
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const monitor = createMonitor({
      serviceName: 'int-values',
      onDiagnostic: (d) => diags.push(d),
      backends: [
        new OtlpBackend({ name: 'proto', endpoint: rx.url, protocol: 'http/protobuf' }),
        new OtlpBackend({ name: 'json', endpoint: rx.url, protocol: 'http/json' }),
      ],
    });
    expect(registerOpenTelemetry(monitor)).toBe(true);
    record(metrics.getMeter('lib'));
    const r = await monitor.flush();
    expect(r.backends.map((b) => b.ok)).toEqual([true, true]);
    await monitor.shutdown();

    const got = rx.requests.slice(start).filter((q) => q.path === '/v1/metrics');
    const proto = got.find((q) => String(q.headers['content-type']).includes('protobuf'))!;
    const json = got.find((q) => String(q.headers['content-type']).includes('json'))!;

    // Protobuf, decoded independently.
    const fromProto = decodeProto('metrics', proto.body);
    const ours = values(fromProto);
    for (const [name, v] of Object.entries(EXPECTED)) expect(ours[name], name).toEqual(v);

    // JSON: asInt as a decimal string (OTLP-J5) in the raw text, and the same message once
    // protobufjs reads the JSON into the official types.
    const text = new TextDecoder().decode(json.body);
    expect(text).toContain('"asInt":"9007199254740992"');
    expect(text).toContain('"asInt":"-4"');
    const fromJson = types.metrics.toObject(types.metrics.fromObject(parseJson(json.body)), { longs: String, enums: Number, json: true, defaults: false });
    const oursJson = values(fromJson);
    for (const [name, v] of Object.entries(EXPECTED)) expect(oursJson[name], name).toEqual(v);

    // The SDK, fed the same calls, encodes the same values with the same oneof.
    const sdk = values(await sdkRequest());
    for (const [name, v] of Object.entries(EXPECTED)) expect(sdk[name], `SDK ${name}`).toEqual(v);

    // The truncation is reported (once per instrument), as the SDK warns through its diag.
    const otel = diags.filter((d) => d.kind === 'otel').map((d) => d.message);
    for (const name of ['app.requests', 'app.inflight', 'app.queue.depth', 'app.payload']) {
      expect(otel.filter((m) => m.includes(`"${name}"`) && /fractional digits/.test(m)), name).toHaveLength(1);
    }
    expect(otel.some((m) => m.includes('"app.bytes"') || m.includes('"app.ratio"'))).toBe(false);
  });

  it('a non-finite value given to an INT instrument is dropped and counted, as the SDK ignores it', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    registerOpenTelemetry(monitor);
    const c = metrics.getMeter('lib').createCounter('app.count', { valueType: ValueType.INT });
    c.add(Infinity);
    c.add(NaN);
    c.add(4);
    const snap = monitor.metrics.collect();
    expect(snap.metrics.find((m) => m.name === 'app.count')?.points.map((p) => ('value' in p ? p.value : undefined))).toEqual([4]);
    const dropped = snap.metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(dropped?.points.find((p) => p.attributes.reason === 'invalid_value')).toMatchObject({ value: 2 });
  });

  it('the value type is decided by the first creation: a DOUBLE handle on an INT counter still records integers', () => {
    const diags: Diagnostic[] = [];
    const start = rx.requests.length;
    const monitor = createMonitor({ serviceName: 'int-values', backends: [new OtlpBackend({ endpoint: rx.url })], onDiagnostic: (d) => diags.push(d) });
    registerOpenTelemetry(monitor);
    metrics.getMeter('lib').createCounter('app.hits', { valueType: ValueType.INT }).add(1);
    metrics.getMeter('other').createCounter('app.hits').add(2.5);
    return monitor.flush().then(async () => {
      await monitor.shutdown();
      const body = rx.requests.slice(start).find((q) => q.path === '/v1/metrics')!.body;
      expect(values(decodeProto('metrics', body))['app.hits']).toEqual([{ asInt: '3' }]);
      expect(diags.filter((d) => d.kind === 'otel').map((d) => d.message)).toEqual([
        expect.stringMatching(/"app\.hits".*INT/),
        expect.stringMatching(/"app\.hits".*fractional digits/),
      ]);
    });
  });

  it('an INT gauge whose points once held a fraction (the app’s own handle on the name) stays double for good: no series switches value type', () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => undefined });
    registerOpenTelemetry(monitor);
    metrics.getMeter('lib').createGauge('room.temp', { valueType: ValueType.INT }).record(20, { room: 'a' });
    const type = () => (monitor.metrics.collect().metrics.find((m) => m.name === 'room.temp') as { valueType?: string } | undefined)?.valueType;
    expect(type()).toBe('int');
    const own = monitor.metrics.createGauge('room.temp');
    own.set(20.5, { room: 'b' });
    expect(type()).toBeUndefined();
    own.remove({ room: 'b' });
    expect(type()).toBeUndefined(); // only integers again, still double
  });
});
