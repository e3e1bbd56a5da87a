// A collector slower than the request rate: with `maxPendingExports` exports in flight, a
// request's data waits in the buffer. One of those requests' `waitUntil` promises must carry it
// out once room is made (DESIGN §2: each request's data leaves in a live waitUntil); on Workers
// no timer would, and an evicted isolate would lose it uncounted.
import { describe, expect, it } from 'vitest';
import { createMonitor, type Backend, type ExportResult, type TelemetryBatch } from '../../src/index.js';

class SlowBackend implements Backend {
  readonly name = 'slow';
  readonly spans: string[] = [];
  async export(batch: TelemetryBatch): Promise<ExportResult> {
    await new Promise((r) => setTimeout(r, 40));
    for (const s of batch.spans) this.spans.push(s.name);
    return { ok: true };
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe('exports in flight at maxPendingExports', () => {
  it('every request\'s spans leave inside some request\'s waitUntil promise, none left waiting for a later request', async () => {
    const slow = new SlowBackend();
    const monitor = createMonitor({ serviceName: 'bp', backends: [slow], exportDelayMs: 0, batchWindowMs: 0, limits: { maxPendingExports: 2 }, onDiagnostic: () => {} });
    const waitUntil: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i++) {
      const scope = monitor.openScope();
      scope.run(() => monitor.tracer.startSpan(`r${i}`).end());
      waitUntil.push(scope.close());
    }
    await Promise.all(waitUntil); // what a runtime awaits before it may freeze the isolate
    expect(slow.spans.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(dropped?.points ?? []).toEqual([]);
  });
});
