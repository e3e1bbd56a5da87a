/** Decodes everything a receiver got and checks each request's telemetry arrived once, unmixed. */
import { decodeProto } from '../../otlp/helpers/proto-decoder.js';
import type { Received } from './receiver.js';

export function traceIdFor(i: number): string {
  return (0xabc00000 + i).toString(16).padStart(32, '0');
}
export function parentIdFor(i: number): string {
  return (0x5e000000 + i).toString(16).padStart(16, '0');
}
export function traceparentFor(i: number): string {
  return `00-${traceIdFor(i)}-${parentIdFor(i)}-01`;
}

function attr(attrs: any[] | undefined, key: string): string | undefined {
  const a = attrs?.find((x) => x.key === key);
  return a?.value?.stringValue;
}

export interface LoadCheck {
  requests: number;
  lost: number;
  duplicated: number;
  mixed: number;
  logsLost: number;
  logsMixed: number;
  durationCount: number;
  spans: number;
}

export function checkLoad(received: readonly Received[], n: number): LoadCheck {
  const byId = new Map<string, { server: any[]; child: any[]; logs: any[] }>();
  const slot = (id: string) => {
    let s = byId.get(id);
    if (!s) byId.set(id, (s = { server: [], child: [], logs: [] }));
    return s;
  };
  let durationCount = 0;
  let spans = 0;
  for (const r of received) {
    if (r.path === '/v1/traces') {
      for (const rs of decodeProto('traces', r.body).resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const sp of ss.spans ?? []) {
            spans++;
            const id = attr(sp.attributes, 'test.request_id');
            if (id === undefined) continue;
            if (sp.name === 'child') slot(id).child.push(sp);
            else slot(id).server.push(sp);
          }
    } else if (r.path === '/v1/logs') {
      for (const rl of decodeProto('logs', r.body).resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? [])
          for (const lr of sl.logRecords ?? []) {
            const id = attr(lr.attributes, 'test.request_id');
            if (id !== undefined) slot(id).logs.push(lr);
          }
    } else if (r.path === '/v1/metrics') {
      for (const rm of decodeProto('metrics', r.body).resourceMetrics ?? [])
        for (const sm of rm.scopeMetrics ?? [])
          for (const m of sm.metrics ?? []) {
            if (m.name !== 'http.server.request.duration') continue;
            for (const dp of m.histogram?.dataPoints ?? []) durationCount += Number(dp.count);
          }
    }
  }
  let lost = 0;
  let duplicated = 0;
  let mixed = 0;
  let logsLost = 0;
  let logsMixed = 0;
  for (let i = 0; i < n; i++) {
    const s = byId.get(String(i));
    if (!s || s.server.length === 0 || s.child.length === 0) {
      lost++;
      continue;
    }
    if (s.server.length > 1 || s.child.length > 1) duplicated++;
    const server = s.server[0];
    const child = s.child[0];
    const ok =
      server.traceId === traceIdFor(i) &&
      server.parentSpanId === parentIdFor(i) &&
      child.traceId === server.traceId &&
      child.parentSpanId === server.spanId;
    if (!ok) mixed++;
    if (s.logs.length !== 1) logsLost++;
    else if (s.logs[0].traceId !== server.traceId || s.logs[0].spanId !== server.spanId) logsMixed++;
  }
  return { requests: n, lost, duplicated, mixed, logsLost, logsMixed, durationCount, spans };
}

/** Runs `n` tasks with `concurrency` workers. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
}
