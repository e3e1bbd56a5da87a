// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { createMonitor } from '../../../src/monitor.ts';
import { MemoryBackend } from '../../../src/exporters/memory/memory-backend.ts';
import { flushOnExit } from '../index.ts';

/**
 * A batch job with its own signal listener (finish the current batch, log, flush, shut down) and
 * flushOnExit as a safety net: the signal must not shut the monitor down under the app, whose
 * wind-down span, counter and log still leave with its own flush().
 */
Deno.test({
  name: 'deno: with the app listening for the signal itself, flushOnExit flushes the monitor and leaves its shutdown to the app',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const memory = new MemoryBackend();
    const diagnostics: string[] = [];
    const monitor = createMonitor({ serviceName: 'job', backends: [memory], onDiagnostic: (d) => void diagnostics.push(d.message) });
    const rows = monitor.metrics.createCounter('rows_total', 'rows');
    let stop = false;
    const off = flushOnExit(monitor, { signals: ['SIGHUP'] });
    const app = (): void => {
      stop = true;
      Deno.removeSignalListener('SIGHUP', app);
    };
    Deno.addSignalListener('SIGHUP', app);
    try {
      monitor.tracer.startSpan('batch-1').end();
      rows.increment();
      Deno.kill(Deno.pid, 'SIGHUP');
      for (let i = 0; i < 100 && !(stop && memory.spans.some((s) => s.name === 'batch-1')); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(stop, true);
      // What was recorded before the signal is flushed by flushOnExit.
      assert.deepEqual(memory.spans.map((s) => s.name), ['batch-1']);
      await new Promise((r) => setTimeout(r, 20));
      // The app finishes its current batch, logs and flushes.
      monitor.tracer.startSpan('batch-2').end();
      rows.increment();
      monitor.logger.info('stopped after batch');
      assert.equal(monitor.closed, false);
      const r = await monitor.flush();
      assert.deepEqual(r.backends.map((b) => [b.name, b.ok]), [['memory', true]]);
      assert.deepEqual(memory.spans.map((s) => s.name), ['batch-1', 'batch-2']);
      assert.deepEqual(memory.logs.map((l) => l.body), ['stopped after batch']);
      assert.equal((memory.metrics?.metrics.find((m) => m.name === 'rows_total')?.points[0] as { value?: number } | undefined)?.value, 2);
      await monitor.shutdown();
      assert.doesNotMatch(diagnostics.join('\n'), /after shutdown/);
    } finally {
      off();
    }
  },
});
