import { expect, test } from 'vitest';
import { createMonitor } from '../../../src/monitor.js';
import { MemoryBackend } from '../../../src/exporters/memory/memory-backend.js';
import { flushOnExit } from '../index.js';

/**
 * A batch job with its own SIGTERM listener (finish the current batch, log, flush, shut down) and
 * flushOnExit as a safety net. The signal must not shut the monitor down under the app: its
 * wind-down span, counter and log still leave with its own flush().
 */
test('node: with the app listening for the signal itself, flushOnExit flushes the monitor and leaves its shutdown to the app', async () => {
  const memory = new MemoryBackend();
  const diagnostics: string[] = [];
  const monitor = createMonitor({ serviceName: 'job', backends: [memory], onDiagnostic: (d) => void diagnostics.push(d.message) });
  const rows = monitor.metrics.createCounter('rows_total', 'rows');
  let stop = false;
  const app = (): void => void (stop = true);
  const off = flushOnExit(monitor, { signals: ['SIGHUP'] });
  process.once('SIGHUP', app);
  try {
    monitor.tracer.startSpan('batch-1').end();
    rows.increment();
    process.emit('SIGHUP', 'SIGHUP');
    expect(stop).toBe(true);
    // What was recorded before the signal is flushed by flushOnExit.
    for (let i = 0; i < 50 && !memory.spans.some((s) => s.name === 'batch-1'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(memory.spans.map((s) => s.name)).toContain('batch-1');
    await new Promise((r) => setTimeout(r, 20));
    // The app finishes its current batch, logs and flushes.
    monitor.tracer.startSpan('batch-2').end();
    rows.increment();
    monitor.logger.info('stopped after batch');
    expect(monitor.closed).toBe(false);
    const r = await monitor.flush();
    expect(r.backends).toEqual([{ name: 'memory', ok: true, reason: undefined, error: undefined }]);
    expect(memory.spans.map((s) => s.name)).toEqual(['batch-1', 'batch-2']);
    expect(memory.logs.map((l) => l.body)).toEqual(['stopped after batch']);
    const point = memory.metrics?.metrics.find((m) => m.name === 'rows_total')?.points[0] as { value?: number } | undefined;
    expect(point?.value).toBe(2);
    await monitor.shutdown();
    expect(diagnostics.join('\n')).not.toMatch(/after shutdown/);
  } finally {
    off();
    process.off('SIGHUP', app);
  }
});
