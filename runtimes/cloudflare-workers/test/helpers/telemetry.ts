/** Reads what the local OTLP receiver got, decoded by protobufjs from the official protos. */
import { decodeProto } from '../../../../test/otlp/helpers/proto-decoder.js';
import type { Receiver } from '../../../../test/otlp/helpers/receiver.js';

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number; message?: string };
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events?: { name: string }[];
  resource: Record<string, unknown>;
}

function anyValue(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  return v;
}

export function attrs(list: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list ?? []) out[a.key] = anyValue(a.value);
  return out;
}

export function spansOf(receiver: Receiver): DecodedSpan[] {
  const out: DecodedSpan[] = [];
  for (const r of receiver.requests) {
    if (r.path !== '/v1/traces') continue;
    const msg = decodeProto('traces', r.body);
    for (const rs of msg.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ ...s, attributes: attrs(s.attributes), resource });
    }
  }
  return out;
}

export interface DecodedPoint {
  metric: string;
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  temporality?: number;
}

export function metricsOf(receiver: Receiver): DecodedPoint[] {
  const out: DecodedPoint[] = [];
  for (const r of receiver.requests) {
    if (r.path !== '/v1/metrics') continue;
    const msg = decodeProto('metrics', r.body);
    for (const rm of msg.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const data = m.sum ?? m.gauge ?? m.histogram;
          for (const p of data?.dataPoints ?? []) {
            out.push({
              metric: m.name,
              attributes: attrs(p.attributes),
              value: p.asInt !== undefined ? Number(p.asInt) : p.asDouble,
              count: p.count !== undefined ? Number(p.count) : undefined,
              temporality: data.aggregationTemporality,
            });
          }
        }
      }
    }
  }
  return out;
}

export function logsOf(receiver: Receiver): { body: unknown; traceId?: string; spanId?: string; attributes: Record<string, unknown> }[] {
  const out: { body: unknown; traceId?: string; spanId?: string; attributes: Record<string, unknown> }[] = [];
  for (const r of receiver.requests) {
    if (r.path !== '/v1/logs') continue;
    const msg = decodeProto('logs', r.body);
    for (const rl of msg.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const l of sl.logRecords ?? []) out.push({ body: anyValue(l.body), traceId: l.traceId, spanId: l.spanId, attributes: attrs(l.attributes) });
  }
  return out;
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for telemetry');
    await new Promise((r) => setTimeout(r, 20));
  }
}
