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
 * @param options `{ spanProcessor }` (its `onEnd` gets each span, then its `forceFlush` runs, so
 *   the SDK's export is part of the monitor's and a failure of it is counted) or `{ spanExporter }`
 *   (one `export` call per flush)
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
    // Only the spans are this backend's: a failure counts them, not the batch's log records
    // (which the other backends deliver). Said only when it differs from the batch's size.
    const lost = batch.logs.length > 0 ? { rejected: { spans: spans.length } } : undefined;
    if (this.processor) return this.process(this.processor, spans, lost);
    const exporter = this.exporter!;
    return new Promise<ExportResult>((resolve) => {
      try {
        exporter.export(spans, (r) => {
          resolve(r && r.code === 0 ? { ok: true } : { ok: false, reason: 'export_failed', error: r?.error?.message ?? 'the span exporter reported a failure', ...lost });
        });
      } catch (err) {
        resolve({ ok: false, reason: 'export_failed', error: err instanceof Error ? err.message : String(err), ...lost });
      }
    });
  }

  private async process(processor: SpanProcessorLike, spans: ReadableSpanLike[], lost: { rejected: { spans: number } } | undefined): Promise<ExportResult> {
    // One span the processor throws on must not cost the spans after it, nor count those
    // before it (already handed over) as dropped: each onEnd is guarded, failures counted.
    let failed = 0;
    let error: unknown;
    for (const s of spans) {
      try {
        processor.onEnd(s);
      } catch (err) {
        failed++;
        error ??= err;
      }
    }
    const text = (e: unknown): string => (e instanceof Error ? e.message : typeof e === 'string' ? e : 'a value that is not an Error');
    if (failed > 0) {
      // What was handed over still leaves with this export; if that fails too, every span is lost.
      const all = (await this.flushProcessor(processor)) !== undefined;
      return { ok: false, reason: 'export_failed', error: `the span processor's onEnd threw: ${text(error)}`, rejected: { spans: all ? spans.length : failed } };
    }
    // onEnd only queues (BatchSpanProcessor) or starts (SimpleSpanProcessor) the SDK export: the
    // export is this flush's only once the processor is flushed. Else it runs after the scope's
    // waitUntil (or a Lambda's return) has settled, where the isolate may never run it, and its
    // failures are never seen.
    const err = await this.flushProcessor(processor);
    return err === undefined ? { ok: true } : { ok: false, reason: 'export_failed', error: `the span processor's export failed: ${text(err)}`, ...lost };
  }

  /** The processor's forceFlush: what it rejected with (its exporter's failure), if it did. */
  private async flushProcessor(processor: SpanProcessorLike): Promise<unknown> {
    try {
      await processor.forceFlush?.();
      return undefined;
    } catch (err) {
      return err ?? new Error('forceFlush rejected');
    }
  }

  async forceFlush(): Promise<void> {
    await (this.processor ?? this.exporter)?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await (this.processor ?? this.exporter)?.shutdown();
  }
}
