/** The incumbents, set up the way their docs show, with no-op exporters/readers. */
import { context, type Counter, type Histogram } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import client from 'prom-client';
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

/** A metric reader that never reads: sdk-metrics records only for meters with a reader attached. */
class IdleReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** prom-client's counter and histogram with two label names, in a registry of their own. */
export function promMetrics(): { registry: client.Registry; counter: client.Counter<'method' | 'status'>; histogram: client.Histogram<'method' | 'status'> } {
  const registry = new client.Registry();
  return {
    registry,
    counter: new client.Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'status'], registers: [registry] }),
    histogram: new client.Histogram({ name: 'http_request_duration_seconds', help: 'Latency', labelNames: ['method', 'status'], registers: [registry] }),
  };
}

/** sdk-metrics' counter and histogram from a meter with a reader attached, so they record. */
export function sdkMetrics(): { counter: Counter; histogram: Histogram } {
  const meter = new MeterProvider({ readers: [new IdleReader()] }).getMeter('bench');
  return { counter: meter.createCounter('http_requests_total'), histogram: meter.createHistogram('http_request_duration', { unit: 's' }) };
}

/** The SDK's AsyncLocalStorage context manager as the global one, as its Node docs set it up. */
export function useAsyncLocalStorageContext(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** sdk-metrics' histogram with a view selecting its base2 exponential aggregation (160 buckets, as ours by default). */
export function sdkExponentialHistogram(): Histogram {
  const views = [{ instrumentName: 'http_request_duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM as const, options: { maxSize: 160 } } }];
  return new MeterProvider({ readers: [new IdleReader()], views }).getMeter('bench').createHistogram('http_request_duration', { unit: 's' });
}
