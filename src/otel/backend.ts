import type { Backend, ExportResult, TelemetryBatch } from '../model/batch.js';
import type { Resource } from '../model/resource.js';
import { toReadableResource, toReadableSpan, type ReadableResource, type ReadableSpanLike } from './readable-span.js';

/** The part of an OpenTelemetry SDK `SpanProcessor` used here. */
export interface SpanProcessorLike {
  onEnd(span: ReadableSpanLike): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The part of an OpenTelemetry SDK `SpanExporter` used here (`ExportResultCode.SUCCESS` is 0). */
export interface SpanExporterLike {
  export(spans: ReadableSpanLike[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export type OpenTelemetryBackendOptions = { spanProcessor: SpanProcessorLike; spanExporter?: undefined } | { spanExporter: SpanExporterLike; spanProcessor?: undefined };

/**
 * Hands finished spans to an OpenTelemetry JS SDK span processor or exporter (for example a
 * vendor's exporter), as `ReadableSpan`s of `@opentelemetry/sdk-trace-base` 2.x. Traces only:
 * metrics and logs go to the monitor's other backends.
 *
 * @param options `{ spanProcessor }` (its `onEnd` gets each span) or `{ spanExporter }` (one
 *   `export` call per flush)
 *
 * @example
 * ```ts
 * import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
 * import { OpenTelemetryBackend } from '@lexigram/monitor/otel';
 * const monitor = createMonitor({ backends: [new OpenTelemetryBackend({ spanExporter: vendorExporter })] });
 * ```
 */
export class OpenTelemetryBackend implements Backend {
  readonly name = 'opentelemetry';
  readonly temporality = 'none' as const;
  private readonly processor: SpanProcessorLike | undefined;
  private readonly exporter: SpanExporterLike | undefined;
  private lastResource: Resource | undefined;
  private readable: ReadableResource | undefined;

  constructor(options: OpenTelemetryBackendOptions) {
    const o = (options ?? {}) as { spanProcessor?: SpanProcessorLike; spanExporter?: SpanExporterLike };
    if (o.spanProcessor !== undefined && typeof o.spanProcessor.onEnd !== 'function') {
      throw new TypeError('OpenTelemetryBackend: `spanProcessor` must have an onEnd(span) method (an OpenTelemetry SDK SpanProcessor).');
    }
    if (o.spanExporter !== undefined && typeof o.spanExporter.export !== 'function') {
      throw new TypeError('OpenTelemetryBackend: `spanExporter` must have an export(spans, callback) method (an OpenTelemetry SDK SpanExporter).');
    }
    if ((o.spanProcessor === undefined) === (o.spanExporter === undefined)) {
      throw new TypeError('OpenTelemetryBackend: pass exactly one of `spanProcessor` or `spanExporter`.');
    }
    this.processor = o.spanProcessor;
    this.exporter = o.spanExporter;
  }

  export(batch: TelemetryBatch): Promise<ExportResult> {
    if (batch.spans.length === 0) return Promise.resolve({ ok: true });
    if (batch.resource !== this.lastResource) {
      this.lastResource = batch.resource;
      this.readable = toReadableResource(batch.resource);
    }
    const resource = this.readable!;
    const spans = batch.spans.map((s) => toReadableSpan(s, resource, batch.scope));
    if (this.processor) {
      // One span the processor throws on must not cost the spans after it, nor count those
      // before it (already handed over) as dropped: each onEnd is guarded, failures counted.
      let failed = 0;
      let error: unknown;
      for (const s of spans) {
        try {
          this.processor.onEnd(s);
        } catch (err) {
          failed++;
          error ??= err;
        }
      }
      if (failed === 0) return Promise.resolve({ ok: true });
      const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'a value that is not an Error';
      return Promise.resolve({ ok: false, reason: 'export_failed', error: `the span processor's onEnd threw: ${message}`, rejected: { spans: failed } });
    }
    const exporter = this.exporter!;
    return new Promise<ExportResult>((resolve) => {
      try {
        exporter.export(spans, (r) => {
          resolve(r && r.code === 0 ? { ok: true } : { ok: false, reason: 'export_failed', error: r?.error?.message ?? 'the span exporter reported a failure' });
        });
      } catch (err) {
        resolve({ ok: false, reason: 'export_failed', error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  async forceFlush(): Promise<void> {
    await (this.processor ?? this.exporter)?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await (this.processor ?? this.exporter)?.shutdown();
  }
}
