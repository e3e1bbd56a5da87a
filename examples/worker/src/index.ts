/**
 * The example Worker that `npm start` runs: a tiny API with a KV counter and an outgoing
 * fetch (to a route of this same Worker, so it runs offline). With no OTEL_* variable its
 * spans, metrics and logs are printed to the terminal; set OTEL_EXPORTER_OTLP_ENDPOINT (a
 * wrangler var or `.dev.vars`) to send OTLP instead.
 */
import { instrument, type ExecutionContext } from '@lexigram/monitor/cloudflare-workers';

// With @cloudflare/workers-types (or `wrangler types`), this is `interface Env { KV: KVNamespace }`.
interface Env {
  KV: { get(key: string): Promise<string | null>; put(key: string, value: string): Promise<void> };
}

export default instrument(
  {
    async fetch(request: Request, env: Env, _ctx: ExecutionContext, { monitor }) {
      const url = new URL(request.url);
      if (url.pathname === '/quote') return Response.json({ quote: 'Measure twice, cut once.' });
      if (url.pathname !== '/') return new Response('not found', { status: 404 });

      const visits = Number((await env.KV.get('visits')) ?? 0) + 1;
      await env.KV.put('visits', String(visits));
      const quote = await fetch(new URL('/quote', url.origin)).then((r) => r.json());
      monitor.metrics.createCounter('example_visits_total', 'Visits to /').increment();
      monitor.logger.info('served a visit', { visits });
      return Response.json({ visits, ...quote });
    },
  },
  { serviceName: 'example-worker' },
);
