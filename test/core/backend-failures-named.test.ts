import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import type { Backend, Diagnostic, ExportResult } from '../../src/index.js';

/** A backend that always fails the same way, as two misconfigured backends would (both unreachable). */
const failing = (name: string, result: ExportResult): Backend => ({ name, export: async () => result, forceFlush: async () => {}, shutdown: async () => {} });

describe('every failing backend is named in the diagnostics, not only the first', () => {
  it('two backends failing with the same reason are each reported once, and every lost item is counted', async () => {
    const told: Diagnostic[] = [];
    const monitor = createMonitor({
      serviceName: 'svc',
      backends: [
        failing('pushgateway', { ok: false, reason: 'export_failed', error: 'connect ECONNREFUSED' }),
        failing('otlp', { ok: false, reason: 'export_failed', error: 'connect ECONNREFUSED' }),
      ],
      onDiagnostic: (d) => told.push(d),
    });
    monitor.tracer.startSpan('a').end();
    await monitor.flush();
    monitor.tracer.startSpan('b').end();
    await monitor.flush(); // the same failures again: not reported again
    const failures = told.filter((d) => d.kind === 'export_failed').map((d) => d.message);
    expect(failures).toHaveLength(2);
    expect(failures.some((m) => m.includes('"pushgateway"'))).toBe(true);
    expect(failures.some((m) => m.includes('"otlp"'))).toBe(true);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    const exportFailed = dropped?.points.find((p) => p.attributes.reason === 'export_failed') as { value: number } | undefined;
    expect(exportFailed?.value).toBeGreaterThanOrEqual(4); // two spans, each lost to both backends
    await monitor.shutdown();
  });

  it('a backend rejecting items per reason (byReason) is named even when another backend already reported that reason', async () => {
    const told: Diagnostic[] = [];
    const byReason = (name: string): Backend =>
      failing(name, { ok: false, reason: 'export_failed', error: 'down', rejected: { spans: 1 }, byReason: { export_failed: 1 } });
    const monitor = createMonitor({ serviceName: 'svc', backends: [byReason('first'), byReason('second')], onDiagnostic: (d) => told.push(d) });
    monitor.tracer.startSpan('a').end();
    await monitor.flush();
    const names = told.filter((d) => d.kind === 'export_failed').map((d) => /backend "(\w+)"/.exec(d.message)?.[1]);
    expect(names.sort()).toEqual(['first', 'second']);
    await monitor.shutdown();
  });
});
