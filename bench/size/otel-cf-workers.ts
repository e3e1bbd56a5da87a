// Incumbent: @microlabs/otel-cf-workers 1.0.0-rc.52, the same tiny Worker (traces only).
import { instrument, type ResolveConfigFn } from '@microlabs/otel-cf-workers';
import { trace } from '@opentelemetry/api';

const config: ResolveConfigFn = (env: { OTLP_ENDPOINT: string }) => ({
  exporter: { url: env.OTLP_ENDPOINT },
  service: { name: 'api' },
});

export default instrument(
  {
    async fetch(request: Request) {
      const text = trace.getTracer('app').startActiveSpan('render', (span) => {
        span.end();
        return new URL(request.url).pathname;
      });
      return new Response(text);
    },
  },
  config,
);
