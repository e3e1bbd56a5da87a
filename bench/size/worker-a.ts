// (a) core + Workers adapter + OTLP exporter: traces, metrics and logs from a tiny Worker.
import { instrument } from '@lexigram/monitor/cloudflare-workers';
import { OtlpBackend } from '@lexigram/monitor/otlp';

export default instrument(
  {
    async fetch(request, _env, _ctx, t) {
      const orders = t.monitor.metrics.createCounter('orders_total', 'Orders placed', { labelNames: ['status'] });
      const text = t.monitor.tracer.startActiveSpan('render', () => new URL(request.url).pathname);
      orders.increment({ status: 'ok' });
      t.monitor.logger.info('order placed', { path: text });
      return new Response(text);
    },
  },
  (env: { OTLP_ENDPOINT: string }) => ({ serviceName: 'api', backends: [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT })] }),
);
