/**
 * The Worker used by the request-level and memory benchmarks, plain and instrumented: a route
 * handler with a child span, two metric updates and a log line. The plain variant does the
 * same application work (the JSON body) with no telemetry.
 */
import { instrument, type WorkerTelemetry } from '../../runtimes/cloudflare-workers/index.js';
import type { Backend, Counter, Histogram } from '../../src/index.js';

function body(url: string): string {
  return JSON.stringify({ ok: true, path: new URL(url).pathname, items: [1, 2, 3] });
}

export const plain = {
  async fetch(request: Request): Promise<Response> {
    return new Response(body(request.url), { headers: { 'content-type': 'application/json' } });
  },
};

/** The instrumented Worker; `backends` may be a function of `env` (called once per isolate). */
export function instrumented(
  /** undefined: no backend configured (the console backend, the default). */
  backends: Backend[] | ((env: any) => Backend[]) | undefined,
  extra: Record<string, unknown> = {},
  /** Diagnostics: which of the app's own telemetry calls to make (default all). */
  parts: { span?: boolean; metrics?: boolean; log?: boolean } = {},
) {
  const { span: withSpan = true, metrics: withMetrics = true, log: withLog = true } = parts;
  let orders: Counter | undefined;
  let size: Histogram | undefined;
  return instrument(
    {
      async fetch(request: Request, _env: unknown, _ctx: unknown, t: WorkerTelemetry): Promise<Response> {
        const m = t.monitor;
        orders ??= m.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
        size ??= m.metrics.createHistogram('order_items', 'Items per order', { labelNames: ['status'], buckets: [1, 2, 5, 10, 20] });
        const text = withSpan
          ? m.tracer.startActiveSpan('build body', (span) => {
              span.setAttribute('items', 3);
              return body(request.url);
            })
          : body(request.url);
        if (withMetrics) {
          orders.increment({ status: 'ok' });
          size.observe(3, { status: 'ok' });
        }
        if (withLog) m.logger.info('order placed', { items: 3 });
        return new Response(text, { headers: { 'content-type': 'application/json' } });
      },
    },
    (env: unknown) => ({ serviceName: 'bench-worker', backends: typeof backends === 'function' ? backends(env) : backends, ...extra }),
  );
}
