// Incumbent: @opentelemetry/sdk-trace-base 2.12 + @opentelemetry/exporter-trace-otlp-http 0.223
// (fetch transport under the browser/worker conditions), hand-wired into the same tiny Worker.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

let provider: BasicTracerProvider | undefined;

export default {
  async fetch(request: Request, env: { OTLP_ENDPOINT: string }, ctx: { waitUntil(p: Promise<unknown>): void }) {
    provider ??= new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'api' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: env.OTLP_ENDPOINT }))],
    });
    const span = provider.getTracer('app').startSpan('GET');
    const text = new URL(request.url).pathname;
    span.end();
    ctx.waitUntil(provider.forceFlush());
    return new Response(text);
  },
};
