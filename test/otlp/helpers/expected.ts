/**
 * What the receiver should decode, written independently of the encoders: straight from the
 * spec's field list, with BigInt time arithmetic and Buffer base64. Compared after `canonical`.
 */
import type { TelemetryBatch } from '../../../src/model/batch.js';
import type { MetricData } from '../../../src/model/metric-data.js';
import type { SpanData } from '../../../src/model/span-data.js';

export function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

function dbl(v: number): number | string {
  return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function anyValue(v: unknown): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: BigInt(v).toString() } : { doubleValue: dbl(v) };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === 'object') return { kvlistValue: { values: kvs(v as Record<string, unknown>) } };
  return {};
}

export function kvs(attrs: Record<string, unknown>): unknown[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function scopes<T extends { instrumentationScope?: { name: string; version?: string } }>(items: readonly T[], fallback: { name: string; version?: string }) {
  const groups = new Map<string, { scope: { name: string; version?: string }; items: T[] }>();
  for (const it of items) {
    const s = it.instrumentationScope ?? fallback;
    const k = `${s.name}@${s.version ?? ''}`;
    if (!groups.has(k)) groups.set(k, { scope: s, items: [] });
    groups.get(k)!.items.push(it);
  }
  return [...groups.values()];
}

const flags = (traceFlags: number, remote?: boolean) => (traceFlags & 0xff) | 0x100 | (remote ? 0x200 : 0);

function span(s: SpanData) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    flags: flags(s.traceFlags, s.parentIsRemote),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    attributes: kvs(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({ timeUnixNano: nanos(e.time), name: e.name, attributes: kvs(e.attributes), droppedAttributesCount: e.droppedAttributesCount })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      traceState: l.traceState,
      attributes: kvs(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      flags: flags(l.traceFlags, l.isRemote),
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message },
  };
}

export function expectedTraces(b: TelemetryBatch) {
  return {
    resourceSpans: [
      {
        resource: { attributes: kvs(b.resource.attributes) },
        scopeSpans: scopes(b.spans, b.scope).map((g) => ({ scope: g.scope, spans: g.items.map(span) })),
      },
    ],
  };
}

export function expectedLogs(b: TelemetryBatch) {
  return {
    resourceLogs: [
      {
        resource: { attributes: kvs(b.resource.attributes) },
        scopeLogs: scopes(b.logs, b.scope).map((g) => ({
          scope: g.scope,
          logRecords: g.items.map((r) => ({
            timeUnixNano: nanos(r.time),
            observedTimeUnixNano: nanos(r.time),
            severityNumber: r.severityNumber,
            severityText: r.severityText,
            body: { stringValue: r.body },
            attributes: kvs(r.attributes),
            droppedAttributesCount: r.droppedAttributesCount,
            traceId: r.traceId,
            spanId: r.spanId,
            flags: r.traceId ? r.traceFlags : undefined,
          })),
        })),
      },
    ],
  };
}

function point(p: { attributes: Readonly<Record<string, unknown>>; startTime: number; time: number }) {
  return { attributes: kvs(p.attributes), startTimeUnixNano: nanos(p.startTime), timeUnixNano: nanos(p.time) };
}

function metric(m: MetricData) {
  const head = { name: m.name, description: m.help, unit: m.unit };
  const temporality = m.temporality === 'delta' ? 1 : 2;
  switch (m.type) {
    case 'counter':
    case 'updowncounter':
      return {
        ...head,
        sum: { dataPoints: m.points.map((p) => ({ ...point(p), asDouble: dbl(p.value) })), aggregationTemporality: temporality, isMonotonic: m.type === 'counter' },
      };
    case 'gauge':
      return { ...head, gauge: { dataPoints: m.points.map((p) => ({ ...point(p), asDouble: dbl(p.value) })) } };
    case 'histogram':
      return {
        ...head,
        histogram: {
          aggregationTemporality: temporality,
          dataPoints: m.points.map((p) => ({
            ...point(p),
            count: String(p.count),
            ...(p.min < 0 ? {} : { sum: p.sum }),
            bucketCounts: p.bucketCounts.map(String),
            explicitBounds: p.bounds,
            exemplars: (p.exemplars ?? []).map((e) => ({ timeUnixNano: nanos(e.time), asDouble: e.value, traceId: e.traceId, spanId: e.spanId })),
            ...(p.count > 0 ? { min: p.min, max: p.max } : {}),
          })),
        },
      };
    case 'summary':
      return {
        ...head,
        summary: {
          dataPoints: m.points.map((p) => ({
            ...point(p),
            count: String(p.count),
            sum: p.sum,
            quantileValues: p.quantiles.map((q) => ({ quantile: q.quantile, value: dbl(q.value) })),
          })),
        },
      };
  }
}

export function expectedMetrics(b: TelemetryBatch) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: kvs(b.resource.attributes) },
        scopeMetrics: [{ scope: b.scope, metrics: b.metrics!.metrics.map(metric) }],
      },
    ],
  };
}
