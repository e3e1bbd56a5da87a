import { ExportResultCode, hrTimeToNanoseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { createMonitor, msToUnixNano, SpanKind, SpanStatus, type SpanData, type TelemetryBatch } from '../../src/index.js';
import { msToHrTime, OpenTelemetryBackend, type SpanExporterLike } from '../../src/otel/index.js';
import { batch as fixtureBatch } from '../otlp/helpers/fixtures.js';

const hrNanos = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** Every field of every span survives exactly (times compared as integers, to the nanosecond). */
function checkSpans(out: ReadableSpan[], input: readonly SpanData[], b: TelemetryBatch) {
  expect(out).toHaveLength(input.length);
  for (let i = 0; i < input.length; i++) {
    const s = input[i];
    const r = out.find((x) => x.spanContext().spanId === s.spanId)!;
    expect(r, s.name).toBeDefined();
    expect(r.name).toBe(s.name);
    expect(r.kind).toBe(s.kind - 1);
    expect(r.spanContext()).toMatchObject({ traceId: s.traceId, spanId: s.spanId, traceFlags: s.traceFlags, isRemote: false });
    expect(r.spanContext().traceState?.serialize()).toBe(s.traceState);
    if (s.parentSpanId) {
      expect(r.parentSpanContext).toMatchObject({ traceId: s.traceId, spanId: s.parentSpanId, isRemote: s.parentIsRemote === true });
    } else expect(r.parentSpanContext).toBeUndefined();
    expect(String(hrNanos(r.startTime))).toBe(msToUnixNano(s.startTime));
    expect(String(hrNanos(r.endTime))).toBe(msToUnixNano(s.endTime));
    expect(hrNanos(r.duration)).toBe(hrNanos(r.endTime) - hrNanos(r.startTime));
    expect(r.startTime[1]).toBeLessThan(1e9);
    expect(Number.isInteger(r.startTime[1])).toBe(true);
    expect(r.status).toEqual(s.status);
    expect(r.attributes).toEqual(s.attributes);
    expect(r.events.map((e) => ({ name: e.name, time: String(hrNanos(e.time)), attributes: e.attributes, dropped: e.droppedAttributesCount }))).toEqual(
      s.events.map((e) => ({ name: e.name, time: msToUnixNano(e.time), attributes: e.attributes, dropped: e.droppedAttributesCount })),
    );
    expect(
      r.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, ts: l.context.traceState?.serialize(), attributes: l.attributes, d: l.droppedAttributesCount })),
    ).toEqual(s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, ts: l.traceState, attributes: l.attributes, d: l.droppedAttributesCount })));
    expect(r.droppedAttributesCount).toBe(s.droppedAttributesCount);
    expect(r.droppedEventsCount).toBe(s.droppedEventsCount);
    expect(r.droppedLinksCount).toBe(s.droppedLinksCount);
    expect(r.instrumentationScope).toEqual(s.instrumentationScope ?? b.scope);
    expect(r.ended).toBe(true);
    expect(r.resource.attributes).toEqual(b.resource.attributes);
  }
}

describe('msToHrTime', () => {
  it('is exactly msToUnixNano, split in seconds and nanoseconds', () => {
    const cases = [1_700_000_000_123.4567, 1_700_000_000_999.9999996, 1_700_000_000_000, 0.5, 1234.000001, 1_767_225_599_999.999];
    for (let i = 0; i < 2000; i++) cases.push(1_600_000_000_000 + Math.random() * 2e11);
    for (const ms of cases) {
      const hr = msToHrTime(ms);
      expect(hr[1]).toBeGreaterThanOrEqual(0);
      expect(hr[1]).toBeLessThan(1e9);
      expect(String(hrNanos(hr))).toBe(msToUnixNano(ms));
    }
  });
});

describe('OpenTelemetryBackend', () => {
  it('via SimpleSpanProcessor + InMemorySpanExporter: every field survives exactly', async () => {
    const exporter = new InMemorySpanExporter();
    const backend = new OpenTelemetryBackend({ spanProcessor: new SimpleSpanProcessor(exporter) });
    const b = fixtureBatch({ spans: true });
    expect(await backend.export(b)).toEqual({ ok: true });
    await backend.forceFlush();
    // SDK span processors pass on sampled spans only (a record-only span is not exported).
    const sampled = b.spans.filter((s) => s.traceFlags & 1);
    expect(sampled.length).toBeGreaterThan(1);
    checkSpans(exporter.getFinishedSpans(), sampled, b);
  });

  it('directly as the exporter: one export call per flush', async () => {
    const exporter = new InMemorySpanExporter();
    let calls = 0;
    const counting: SpanExporterLike = {
      export: (spans, cb) => {
        calls++;
        exporter.export(spans as unknown as ReadableSpan[], cb);
      },
      shutdown: () => exporter.shutdown(),
    };
    const backend = new OpenTelemetryBackend({ spanExporter: counting });
    const b = fixtureBatch({ spans: true });
    expect(await backend.export(b)).toEqual({ ok: true });
    expect(calls).toBe(1);
    checkSpans(exporter.getFinishedSpans(), b.spans, b);
  });

  it('the SDK OTLP serializer reads the converted spans (ids, parent, kind, times)', () => {
    const exporter = new InMemorySpanExporter();
    const backend = new OpenTelemetryBackend({ spanExporter: exporter });
    const b = fixtureBatch({ spans: true });
    return backend.export(b).then(() => {
      const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!));
      const spans = json.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans));
      expect(spans).toHaveLength(b.spans.length);
      for (const s of b.spans) {
        const o = spans.find((x: any) => x.spanId === s.spanId);
        expect(o.traceId).toBe(s.traceId);
        expect(o.parentSpanId ?? undefined).toBe(s.parentSpanId);
        expect(o.kind).toBe(s.kind);
        expect(String(o.startTimeUnixNano)).toBe(msToUnixNano(s.startTime));
        expect(String(o.endTimeUnixNano)).toBe(msToUnixNano(s.endTime));
      }
    });
  });

  it('end to end from a monitor: spans reach the SDK once, with kinds, status and parents', async () => {
    const exporter = new InMemorySpanExporter();
    const monitor = createMonitor({ serviceName: 'svc', backends: [new OpenTelemetryBackend({ spanProcessor: new BatchSpanProcessor(exporter) })] });
    const scope = monitor.openScope();
    await scope.run(() =>
      monitor.tracer.startActiveSpan('root', { kind: SpanKind.SERVER }, async (root) => {
        const child = monitor.tracer.startSpan('child', { kind: SpanKind.CLIENT });
        child.setStatus(SpanStatus.ERROR, 'nope');
        child.end();
        root.setStatus(SpanStatus.OK);
      }),
    );
    await scope.close();
    await monitor.forceFlush();
    await monitor.flush();
    const out = exporter.getFinishedSpans();
    expect(out.map((s) => s.name).sort()).toEqual(['child', 'root']);
    const root = out.find((s) => s.name === 'root')!;
    const child = out.find((s) => s.name === 'child')!;
    expect(root.kind).toBe(1);
    expect(child.kind).toBe(2);
    expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(child.status).toEqual({ code: 2, message: 'nope' });
    expect(root.status).toEqual({ code: 1 });
    expect(root.resource.attributes['service.name']).toBe('svc');
    expect(hrTimeToNanoseconds(root.duration)).toBeGreaterThanOrEqual(0);
    await monitor.shutdown();
  });

  it('a failing exporter is a failed export, never a throw', async () => {
    const fail = new OpenTelemetryBackend({ spanExporter: { export: (_s, cb) => cb({ code: ExportResultCode.FAILED, error: new Error('vendor down') }), shutdown: async () => {} } });
    expect(await fail.export(fixtureBatch({ spans: true }))).toEqual({ ok: false, reason: 'export_failed', error: 'vendor down' });
    const thrower = new OpenTelemetryBackend({
      spanExporter: {
        export: () => {
          throw new Error('sync');
        },
        shutdown: async () => {},
      },
    });
    expect(await thrower.export(fixtureBatch({ spans: true }))).toMatchObject({ ok: false, error: 'sync' });
  });

  it('a span processor whose onEnd throws for one span: the other spans of the batch still reach it, and only that one is counted', async () => {
    const b = fixtureBatch({ spans: true });
    expect(b.spans.length).toBeGreaterThan(1);
    const bad = b.spans[0]!.spanId;
    const got: string[] = [];
    const backend = new OpenTelemetryBackend({
      spanProcessor: {
        onEnd: (s) => {
          if (s.spanContext().spanId === bad) throw new Error('processor rejects it');
          got.push(s.spanContext().spanId);
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    });
    const r = await backend.export(b);
    expect(got).toEqual(b.spans.slice(1).map((s) => s.spanId));
    expect(r).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 1 } });
    expect(r.error).toContain('processor rejects it');

    // through a monitor: one span counted as dropped, not the whole batch
    const diags: string[] = [];
    let n = 0;
    const monitor = createMonitor({
      serviceName: 'svc',
      onDiagnostic: (d) => diags.push(d.kind),
      backends: [
        new OpenTelemetryBackend({
          spanProcessor: {
            onEnd: () => {
              if (n++ === 0) throw new Error('first');
            },
            forceFlush: async () => {},
            shutdown: async () => {},
          },
        }),
      ],
    });
    for (const name of ['a', 'b', 'c']) monitor.tracer.startSpan(name).end();
    await monitor.flush();
    expect(n).toBe(3);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points).toEqual([expect.objectContaining({ attributes: { reason: 'export_failed' }, value: 1 })]);
    await monitor.shutdown();
  });

  it('configuration errors throw at construction', () => {
    expect(() => new OpenTelemetryBackend({} as never)).toThrow(/exactly one/);
    expect(() => new OpenTelemetryBackend({ spanProcessor: {} } as never)).toThrow(/onEnd/);
  });
});
