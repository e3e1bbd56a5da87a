/** Builds a monitor with an OTLP backend (wrapped to see every batch) and a MemoryBackend beside it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMonitor, MemoryBackend, type Monitor } from '../../../src/index.js';
import type { Backend, Diagnostic, TelemetryBatch } from '../../../src/model/batch.js';
import type { MetricsSnapshot } from '../../../src/model/metric-data.js';
import { OtlpBackend, type OtlpBackendOptions } from '../../../src/exporters/otlp/index.js';

export const API_KEY = 'sk-live-PLANTED-0tlp-h3ader-Secret';

export interface Kit {
  monitor: Monitor;
  otlp: OtlpBackend;
  memory: MemoryBackend;
  batches: TelemetryBatch[];
  diagnostics: Diagnostic[];
  /** Export results as the monitor saw them (one per batch handed to the OTLP backend). */
  settled: { ms: number; ok: boolean }[];
}

export function buildKit(endpoint: string, extra: Partial<OtlpBackendOptions> = {}, monitorOptions: Record<string, unknown> = {}): Kit {
  const diagnostics: Diagnostic[] = [];
  const batches: TelemetryBatch[] = [];
  const settled: Kit['settled'] = [];
  const otlp = new OtlpBackend({
    endpoint,
    timeoutMs: 3000,
    headers: { 'x-api-key': API_KEY, authorization: `Bearer ${API_KEY}` },
    retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
    onDiagnostic: (d) => diagnostics.push(d),
    ...extra,
  });
  const wrapped: Backend = {
    name: 'otlp',
    temporality: otlp.temporality,
    export(b) {
      batches.push(b);
      const t0 = performance.now();
      const p = otlp.export(b);
      void p.then((r) => settled.push({ ms: performance.now() - t0, ok: r.ok }));
      return p;
    },
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
  };
  const memory = new MemoryBackend();
  const monitor = createMonitor({
    serviceName: 'reliability',
    backends: [wrapped, memory],
    flushTimeoutMs: 10_000,
    onDiagnostic: (d) => diagnostics.push(d),
    ...monitorOptions,
  });
  return { monitor, otlp, memory, batches, diagnostics, settled };
}

export function pointsOf(s: MetricsSnapshot | undefined): number {
  let n = 0;
  for (const m of s?.metrics ?? []) n += m.points.length;
  return n;
}

export function itemsOf(b: TelemetryBatch): number {
  return b.spans.length + b.logs.length + pointsOf(b.metrics);
}

/** lexigram_monitor_dropped_total by reason (cumulative, without touching delta state). */
export function droppedByReason(monitor: Monitor): Record<string, number> {
  const snap = monitor.metrics.collect({ temporality: 'cumulative' });
  const m = snap.metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

export interface App {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** A node:http server for a fetch-style handler (enough for GET/POST tests). */
export async function serveFetch(handler: (req: Request) => Promise<Response>): Promise<App> {
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body });
      const response = await handler(request);
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      res.writeHead(response.status, out);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (err) {
      res.writeHead(599);
      res.end(String(err));
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
