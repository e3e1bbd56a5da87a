/**
 * The span model on the wire (TR-01, TR-02, TR-03, TR-05): spans made through the monitor, sent by
 * OtlpBackend as protobuf and decoded by protobufjs from the official .proto files, with the enum
 * numbers looked up there, never copied from our constants.
 */
import { describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { handleRequest } from '../../src/http/index.js';
import { createMonitor, SpanKind, SpanStatus, type Monitor } from '../../src/index.js';
import { nanos } from './helpers/expected.js';
import { decodeProto, types } from './helpers/proto-decoder.js';

const protoEnum = (name: string): Record<string, number> => types.traces.root.lookupEnum(name).values;

/** Records with a monitor whose only backend is OTLP protobuf, flushes, and returns the decoded spans. */
async function exported(record: (monitor: Monitor) => void | Promise<void>, limits?: { attributeCountLimit: number }): Promise<any[]> {
  const bodies: Uint8Array[] = [];
  const fetch = async (_url: string, init: RequestInit) => (bodies.push(init.body as Uint8Array), new Response(null, { status: 200 }));
  const monitor = createMonitor({ serviceName: 'span-model', backends: [new OtlpBackend({ fetch, signals: ['traces'] })], onDiagnostic: () => {}, ...(limits ? { limits } : {}) });
  await record(monitor);
  await monitor.flush();
  await monitor.shutdown();
  return bodies.flatMap((b) => decodeProto('traces', b).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)));
}

const byName = (spans: any[], name: string) => spans.find((s) => s.name === name);

describe('span model on the wire (decoded with the official trace.proto)', () => {
  it('TR-01: each SpanKind is sent as the number trace.proto gives it; a span without a kind is INTERNAL, never UNSPECIFIED', async () => {
    const kinds = protoEnum('opentelemetry.proto.trace.v1.Span.SpanKind');
    expect(kinds.SPAN_KIND_UNSPECIFIED).toBe(0);
    const spans = await exported((m) => {
      for (const name of Object.keys(SpanKind)) m.tracer.startSpan(name, { kind: SpanKind[name as keyof typeof SpanKind] }).end();
      m.tracer.startSpan('no-kind').end();
    });
    for (const name of ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const) {
      expect([name, SpanKind[name]]).toEqual([name, kinds[`SPAN_KIND_${name}`]]);
      expect([name, byName(spans, name).kind]).toEqual([name, kinds[`SPAN_KIND_${name}`]]);
    }
    expect(byName(spans, 'no-kind').kind).toBe(kinds.SPAN_KIND_INTERNAL);
  });

  it('TR-02: Status{message, code} with UNSET=0, OK=1, ERROR=2; a message only with ERROR; setting UNSET is ignored; OK is final', async () => {
    const codes = protoEnum('opentelemetry.proto.trace.v1.Status.StatusCode');
    expect(SpanStatus).toEqual({ UNSET: codes.STATUS_CODE_UNSET, OK: codes.STATUS_CODE_OK, ERROR: codes.STATUS_CODE_ERROR });
    const spans = await exported((m) => {
      m.tracer.startSpan('error').setStatus(SpanStatus.ERROR, 'card declined').end();
      m.tracer.startSpan('ok-with-message').setStatus(SpanStatus.OK, 'not kept').end();
      m.tracer.startSpan('unset-after-error').setStatus(SpanStatus.ERROR, 'boom').setStatus(SpanStatus.UNSET).end();
      m.tracer.startSpan('ok-then-error').setStatus(SpanStatus.OK).setStatus(SpanStatus.ERROR, 'late').end();
      m.tracer.startSpan('untouched').end();
    });
    expect(byName(spans, 'error').status).toEqual({ code: codes.STATUS_CODE_ERROR, message: 'card declined' });
    expect(byName(spans, 'ok-with-message').status).toEqual({ code: codes.STATUS_CODE_OK });
    expect(byName(spans, 'unset-after-error').status).toEqual({ code: codes.STATUS_CODE_ERROR, message: 'boom' });
    expect(byName(spans, 'ok-then-error').status).toEqual({ code: codes.STATUS_CODE_OK });
    // UNSET is the proto3 default: no code on the wire, and never a message.
    expect(byName(spans, 'untouched').status?.code ?? 0).toBe(codes.STATUS_CODE_UNSET);
    expect(byName(spans, 'untouched').status?.message).toBeUndefined();
  });

  it('TR-02: the HTTP instrumentation leaves the status UNSET unless there is an error (2xx and 4xx served, 5xx and a throw are ERROR)', async () => {
    const spans = await exported(async (m) => {
      const waits: Promise<unknown>[] = [];
      const serve = (path: string, handler: () => Response) => handleRequest(m, new Request(`http://x${path}`), handler, (p) => waits.push(p)).catch(() => undefined);
      await serve('/ok', () => new Response('ok'));
      await serve('/missing', () => new Response(null, { status: 404 }));
      await serve('/down', () => new Response(null, { status: 503 }));
      await serve('/throws', () => {
        throw new TypeError('x');
      });
      await Promise.all(waits);
    });
    const statusOf = (path: string) => spans.find((s) => s.attributes.some((a: any) => a.key === 'url.path' && a.value.stringValue === path)).status?.code ?? 0;
    expect(['/ok', '/missing', '/down', '/throws'].map(statusOf)).toEqual([0, 0, 2, 2]);
  });

  it('TR-03: an event is {timeUnixNano, name, attributes, droppedAttributesCount}; a link is {traceId, spanId, traceState, attributes, droppedAttributesCount, flags}', async () => {
    const t = 1_700_000_000_123;
    const linked = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b9c7c989f97918e1', traceFlags: 1, traceState: 'congo=t61rcWkgMzE', isRemote: true };
    const spans = await exported(
      (m) => {
        const span = m.tracer.startSpan('with-extras', { links: [{ context: linked, attributes: { 'link.kind': 'follows', extra: 1 } }] });
        span.addEvent('cache.miss', { key: 'user:1', extra: 2 }, t);
        span.end();
      },
      { attributeCountLimit: 1 },
    );
    const s = byName(spans, 'with-extras');
    expect(s.events).toEqual([{ timeUnixNano: nanos(t), name: 'cache.miss', attributes: [{ key: 'key', value: { stringValue: 'user:1' } }], droppedAttributesCount: 1 }]);
    expect(s.links).toEqual([
      {
        traceId: linked.traceId,
        spanId: linked.spanId,
        traceState: linked.traceState,
        attributes: [{ key: 'link.kind', value: { stringValue: 'follows' } }],
        droppedAttributesCount: 1,
        flags: 0x301, // sampled, is-remote known, remote (TR-04)
      },
    ]);
  });

  it('TR-05: a span is never sent without a name; its end is never before its start; both are Unix-epoch nanoseconds', async () => {
    const t = 1_700_000_000_000;
    const before = BigInt(Date.now()) * 1_000_000n;
    const spans = await exported((m) => {
      m.tracer.startSpan('').end();
      m.tracer.startSpan('renamed').updateName('').end();
      m.tracer.startSpan('ends-early', { startTime: t }).end(t - 5_000);
      m.tracer.startSpan('now').end();
    });
    for (const s of spans) expect(s.name).not.toBe('');
    expect(spans.map((s) => s.name)).toEqual(['unnamed', 'renamed', 'ends-early', 'now']);
    const early = byName(spans, 'ends-early');
    expect([early.startTimeUnixNano, early.endTimeUnixNano]).toEqual([nanos(t), nanos(t)]);
    const now = byName(spans, 'now');
    // Epoch nanoseconds: within a minute of the wall clock read around the test, not a monotonic reading.
    expect(BigInt(now.startTimeUnixNano)).toBeGreaterThan(before - 60_000_000_000n);
    expect(BigInt(now.startTimeUnixNano)).toBeLessThan(BigInt(Date.now()) * 1_000_000n + 60_000_000_000n);
    expect(BigInt(now.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(now.startTimeUnixNano));
  });
});
