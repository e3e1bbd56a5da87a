/**
 * The Worker the workerd reliability tests run (bundled with esbuild, run by miniflare):
 * instrument() + OtlpBackend pointed at a receiver on the Node side, a MemoryBackend beside it.
 * `/__stats` and `/__flush` bypass instrumentation so they do not add telemetry of their own.
 */
import { instrument } from '../../../runtimes/cloudflare-workers/src/instrument.js';
import { createMonitor, MemoryBackend, type Monitor } from '../../../src/index.js';
import type { Backend } from '../../../src/model/batch.js';
import { OtlpBackend } from '../../../src/exporters/otlp/index.js';

interface Env {
  OTLP_URL: string;
  OTLP_TIMEOUT: string;
  API_KEY: string;
  MAX_ATTEMPTS: string;
}

let monitor: Monitor | undefined;
const memory = new MemoryBackend();
const settled: { ms: number; ok: boolean; items: number; spansAndLogs: number; points: number; self: number }[] = [];
const diagnostics: string[] = [];
let started = 0;
let unhandled = 0;

addEventListener('unhandledrejection', (e: Event) => {
  unhandled++;
  (e as Event & { preventDefault(): void }).preventDefault();
});

function build(env: Env): Monitor {
  const otlp = new OtlpBackend({
    endpoint: env.OTLP_URL,
    timeoutMs: Number(env.OTLP_TIMEOUT),
    headers: { 'x-api-key': env.API_KEY },
    retry: { maxAttempts: Number(env.MAX_ATTEMPTS), initialBackoffMs: 50, maxBackoffMs: 200 },
    onDiagnostic: (d) => void diagnostics.push(`${d.kind}: ${d.message} ${JSON.stringify(d.detail ?? null)}`),
  });
  const wrapped: Backend = {
    name: 'otlp',
    temporality: otlp.temporality,
    export(b) {
      started++;
      const t0 = Date.now();
      let items = b.spans.length + b.logs.length;
      let points = 0;
      let self = 0;
      for (const m of b.metrics?.metrics ?? []) {
        items += m.points.length;
        points += m.points.length;
        if (m.name === 'lexigram_monitor_dropped_total') self += m.points.length;
      }
      const spansAndLogs = b.spans.length + b.logs.length;
      const p = otlp.export(b);
      void p.then((r) => settled.push({ ms: Date.now() - t0, ok: r.ok, items, spansAndLogs, points, self }));
      return p;
    },
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
  };
  return (monitor = createMonitor({
    serviceName: 'workerd-reliability',
    backends: [wrapped, memory],
    flushTimeoutMs: 20_000,
    onDiagnostic: (d) => void diagnostics.push(`${d.kind}: ${d.message}`),
  }));
}

const instrumented = instrument<{ fetch(request: Request, env: Env, ctx: ExecutionContext, t: any): Promise<Response> }>(
  {
    async fetch(request, _env, _ctx, t) {
      const id = request.headers.get('x-req-id') ?? new URL(request.url).searchParams.get('id') ?? '';
      t.span.setAttribute('test.request_id', id);
      t.monitor.logger.info('handled', { 'test.request_id': id });
      const child = t.monitor.tracer.startSpan('child', { parent: t.span, attributes: { 'test.request_id': id } });
      await Promise.resolve();
      child.end();
      return new Response(`hello ${id}`, { status: 201, headers: { 'x-app': 'yes', 'content-type': 'text/plain' } });
    },
  },
  (env: Env) => build(env),
);

function dropped(): Record<string, number> {
  const out: Record<string, number> = {};
  if (!monitor) return out;
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/__stats') {
      const m = monitor as unknown as { pendingSpans?: unknown[]; pendingLogs?: unknown[] } | undefined;
      return Response.json({
        started,
        settled,
        dropped: dropped(),
        memorySpans: memory.spans.length,
        memoryLogs: memory.logs.length,
        unhandled,
        diagnostics,
        pendingSpans: m?.pendingSpans?.length ?? 0,
        pendingLogs: m?.pendingLogs?.length ?? 0,
      });
    }
    if (path === '/__flush') {
      await monitor?.forceFlush();
      return new Response('flushed');
    }
    return (instrumented.fetch as (r: Request, e: Env, c: ExecutionContext) => Promise<Response>)(request, env, ctx);
  },
};

interface ExecutionContext {
  waitUntil(p: Promise<unknown>): void;
  passThroughOnException(): void;
}
