/**
 * OpenTelemetryBackend with an SDK span processor: the monitor's export (what adapters hand to
 * `waitUntil`, and await before a Lambda returns) is the SDK's export, not only the hand-over to
 * the processor's queue; and a traces-only backend that fails counts the spans it lost, not the
 * batch's log records, which it never handles.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/index.js';
import { OpenTelemetryBackend, type SpanExporterLike } from '../../src/otel/index.js';

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [String(p.attributes.reason), (p as { value: number }).value]));
}

/** An SDK exporter that fails every export, as one whose collector is down. */
class FailingExporter implements SpanExporter {
  calls = 0;
  export(_spans: ReadableSpan[], cb: (r: { code: ExportResultCode; error?: Error }) => void): void {
    this.calls++;
    setTimeout(() => cb({ code: ExportResultCode.FAILED, error: new Error('vendor down') }), 1);
  }
  async shutdown(): Promise<void> {}
}

describe('OpenTelemetryBackend with a span processor', () => {
  it("a BatchSpanProcessor's spans reach its exporter within the scope's export, not at the processor's own timer (which a Worker or a frozen Lambda never reaches)", async () => {
    const exporter = new InMemorySpanExporter();
    const monitor = createMonitor({
      serviceName: 'svc',
      onDiagnostic: () => {},
      backends: [new OpenTelemetryBackend({ spanProcessor: new BatchSpanProcessor(exporter, { scheduledDelayMillis: 3_600_000 }) })],
    });
    const scope = monitor.openScope({ name: 'req' });
    scope.run(() => monitor.tracer.startSpan('handler').end());
    const r = await scope.close();
    expect(r.backends).toEqual([expect.objectContaining({ name: 'opentelemetry', ok: true })]);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['handler']);
    await monitor.shutdown();
  });

  it('an exporter behind the processor that fails makes the export fail, its spans counted as export_failed', async () => {
    const exporter = new FailingExporter();
    const monitor = createMonitor({ serviceName: 'svc', onDiagnostic: () => {}, backends: [new OpenTelemetryBackend({ spanProcessor: new SimpleSpanProcessor(exporter) })] });
    monitor.tracer.startSpan('a').end();
    monitor.tracer.startSpan('b').end();
    const r = await monitor.flush();
    expect(exporter.calls).toBe(2);
    expect(r.backends).toEqual([expect.objectContaining({ name: 'opentelemetry', ok: false, reason: 'export_failed' })]);
    expect(r.backends[0]!.error).toContain('vendor down');
    expect(dropped(monitor)).toEqual({ export_failed: 2 });
    await monitor.shutdown();
  });

  it('a traces-only backend that fails counts the spans it lost, not the log records of the batch (other backends deliver those)', async () => {
    const exporter: SpanExporterLike = { export: (_s, cb) => cb({ code: ExportResultCode.FAILED, error: new Error('vendor down') }), shutdown: async () => {} };
    const monitor = createMonitor({ serviceName: 'svc', onDiagnostic: () => {}, backends: [new OpenTelemetryBackend({ spanExporter: exporter })] });
    monitor.tracer.startSpan('a').end();
    monitor.tracer.startSpan('b').end();
    for (let i = 0; i < 3; i++) monitor.logger.info(`log ${i}`);
    const r = await monitor.flush();
    expect(r).toMatchObject({ spans: 2, logs: 3 });
    expect(dropped(monitor)).toEqual({ export_failed: 2 });
    await monitor.shutdown();
  });
});
