/** The incumbents, set up the way their docs show, with no-op exporters/readers. */
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** An exporter that accepts everything at once: the SDK's cost without any I/O. */
export class NoopSpanExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

export function sdkTracerProvider(): BasicTracerProvider {
  return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new NoopSpanExporter())] });
}
