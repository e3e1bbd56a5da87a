// (b) = (a) + Prometheus /metrics handler + Hono middleware + /health handler.
import { instrument } from '@lexigram/monitor/cloudflare-workers';
import { monitorMiddleware } from '@lexigram/monitor/hono';
import { healthHandler, type Monitor } from '@lexigram/monitor';
import { OtlpBackend } from '@lexigram/monitor/otlp';
import { metricsHandler } from '@lexigram/monitor/prometheus';

// The Hono app itself is the user's (hono is external to the measurement); the middleware is ours.
export const middleware = monitorMiddleware({ serviceName: 'api' });

let handlers: { metrics: (r: Request) => Promise<Response | undefined>; health: (r: Request) => Promise<Response | undefined> } | undefined;
const setup = (m: Monitor) => (handlers ??= { metrics: metricsHandler(m), health: healthHandler(m) });

export default instrument(
  {
    async fetch(request, _env, _ctx, t) {
      const h = setup(t.monitor);
      const early = (await h.metrics(request)) ?? (await h.health(request));
      if (early) return early;
      const orders = t.monitor.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
      const text = t.monitor.tracer.startActiveSpan('render', () => new URL(request.url).pathname);
      orders.increment({ status: 'ok' });
      t.monitor.logger.info('order placed', { path: text });
      return new Response(text);
    },
  },
  (env: { OTLP_ENDPOINT: string }) => ({ serviceName: 'api', backends: [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT })] }),
);
