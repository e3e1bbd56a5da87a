/**
 * A tracer's schema URL (`getTracerProvider().getTracer(name, version, { schemaUrl })`) is
 * written as ScopeSpans.schema_url (field 3, JSON `schemaUrl`); scopes that differ only by it
 * are separate ScopeSpans, as in @opentelemetry/otlp-transformer. The protobuf is read with
 * protobufjs over the official .proto files.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogsJson, encodeLogsProto, encodeTracesJson, encodeTracesProto } from '../../src/exporters/otlp/index.js';
import { setContextStorage } from '../../src/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import { OpenTelemetryBackend, registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { canonical, parseJson } from './helpers/canonical.js';
import { batch, logs } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { toReadableSpans } from './helpers/sdk-spans.js';

const URL_A = 'https://opentelemetry.io/schemas/1.26.0';
const URL_B = 'https://opentelemetry.io/schemas/1.30.0';

/** The fixture spans plus three from scope lib@2.0: with URL A, without a URL, with URL B. */
function withSchemaUrls(): TelemetryBatch {
  const b = batch({ spans: true });
  const base = b.spans[b.spans.length - 1]!;
  const at = (n: number, schemaUrl?: string) => ({
    ...base,
    name: `lib-${n}`,
    spanId: `c0ffee000000010${n}`,
    instrumentationScope: schemaUrl === undefined ? { name: 'lib', version: '2.0' } : { name: 'lib', version: '2.0', schemaUrl },
  });
  return { ...b, spans: [...b.spans, at(1, URL_A), at(2), at(3, URL_B), at(4, URL_A)] };
}

describe('ScopeSpans.schema_url', () => {
  const b = withSchemaUrls();

  it('JSON: one ScopeSpans per (name, version, schemaUrl), with "schemaUrl" only where set', () => {
    const ss = parseJson(encodeTracesJson(b)).resourceSpans[0].scopeSpans;
    const lib = ss.filter((s: { scope: { name: string } }) => s.scope.name === 'lib');
    expect(lib.map((s: { scope: object; schemaUrl?: string; spans: { name: string }[] }) => [s.scope, s.schemaUrl, s.spans.map((x) => x.name)])).toEqual([
      [{ name: 'lib', version: '2.0' }, URL_A, ['lib-1', 'lib-4']],
      [{ name: 'lib', version: '2.0' }, undefined, ['lib-2']],
      [{ name: 'lib', version: '2.0' }, URL_B, ['lib-3']],
    ]);
    for (const s of ss.filter((s: { scope: { name: string } }) => s.scope.name !== 'lib')) expect(s).not.toHaveProperty('schemaUrl');
  });

  it('protobuf: schema_url = 3 decodes with the official protos, and matches the JSON', () => {
    const proto = decodeProto('traces', encodeTracesProto(b));
    expect(proto.resourceSpans[0].scopeSpans.map((s: { schemaUrl?: string }) => s.schemaUrl ?? '')).toEqual(['', '', URL_A, '', URL_B]);
    expect(canonical(proto)).toEqual(canonical(parseJson(encodeTracesJson(b))));
  });

  it('the same messages as @opentelemetry/otlp-transformer writes for spans whose scope has a schemaUrl', () => {
    const sdkSpans = toReadableSpans(b);
    const sdkJson = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdkSpans)));
    expect(canonical(parseJson(encodeTracesJson(b)))).toEqual(canonical(sdkJson));
    const sdkProto = decodeProto('traces', ProtobufTraceSerializer.serializeRequest(sdkSpans)!);
    expect(canonical(decodeProto('traces', encodeTracesProto(b)))).toEqual(canonical(sdkProto));
  });

  it('logs of a scope with a schema URL get ScopeLogs.schema_url (also field 3)', () => {
    const l = logs().map((r) => ({ ...r, instrumentationScope: { name: 'lib', schemaUrl: URL_A } }));
    const lb: TelemetryBatch = { ...batch({}), logs: l };
    expect(parseJson(encodeLogsJson(lb)).resourceLogs[0].scopeLogs[0].schemaUrl).toBe(URL_A);
    expect(decodeProto('logs', encodeLogsProto(lb)).resourceLogs[0].scopeLogs[0].schemaUrl).toBe(URL_A);
  });
});

describe('bridge: TracerProvider.getTracer(name, version, { schemaUrl })', () => {
  beforeAll(() => setContextStorage(AsyncLocalStorage));
  afterEach(() => unregisterOpenTelemetry());

  it('API spans export with the schema URL; tracers differing only by it are distinct scopes', async () => {
    const exporter = new InMemorySpanExporter();
    const m = createTestMonitor({ backends: [new OpenTelemetryBackend({ spanExporter: exporter })] }).monitor;
    expect(registerOpenTelemetry(m)).toBe(true);
    const provider = trace.getTracerProvider();
    const a = provider.getTracer('lib', '2.0', { schemaUrl: URL_A });
    expect(provider.getTracer('lib', '2.0', { schemaUrl: URL_A })).toBe(a);
    a.startSpan('with-url').end();
    provider.getTracer('lib', '2.0').startSpan('without-url').end();
    await m.flush();
    const spans: ReadableSpan[] = exporter.getFinishedSpans();
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['with-url']!.instrumentationScope).toEqual({ name: 'lib', version: '2.0', schemaUrl: URL_A });
    expect(byName['without-url']!.instrumentationScope).toEqual({ name: 'lib', version: '2.0' });
    const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
    expect(json.resourceSpans[0].scopeSpans.map((s: { schemaUrl?: string; spans: { name: string }[] }) => [s.schemaUrl, s.spans.map((x) => x.name)])).toEqual([
      [URL_A, ['with-url']],
      [undefined, ['without-url']],
    ]);
  });

  it("the monitor's own OTLP encoding of bridged spans carries it too", async () => {
    const { monitor, memory } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    trace.getTracerProvider().getTracer('lib', '2.0', { schemaUrl: URL_B }).startSpan('x').end();
    await monitor.flush();
    const span = memory.spans.find((s) => s.name === 'x')!;
    expect(span.instrumentationScope).toEqual({ name: 'lib', version: '2.0', schemaUrl: URL_B });
    const out: TelemetryBatch = { ...batch({}), spans: memory.spans as unknown as TelemetryBatch['spans'] };
    expect(parseJson(encodeTracesJson(out)).resourceSpans[0].scopeSpans.map((s: { schemaUrl?: string }) => s.schemaUrl)).toEqual([URL_B]);
    expect(decodeProto('traces', encodeTracesProto(out)).resourceSpans[0].scopeSpans.map((s: { schemaUrl?: string }) => s.schemaUrl)).toEqual([URL_B]);
  });
});
