// Workers freeze the clock between I/O (CF-02): two request exports in one millisecond would
// give the second metric delta point start == time, which MET-04 reads as a reset of no
// duration. The changes wait for the clock to move instead; totals are unchanged.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMonitor, MemoryBackend, type NumberPoint } from '../../src/index.js';

afterEach(() => vi.restoreAllMocks());

describe('metric deltas under a frozen clock', () => {
  it('MET-04: no delta point with start == time; the increments leave once the clock moves', async () => {
    let clock = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const memory = new MemoryBackend({ temporality: 'delta' });
    const monitor = createMonitor({ serviceName: 'frozen', backends: [memory], batchWindowMs: 0, metricExportIntervalMs: 0, onDiagnostic: () => {} });
    const hits = monitor.metrics.createCounter('hits_total', 'Hits');
    const request = async (): Promise<void> => {
      const scope = monitor.openScope();
      scope.run(() => hits.increment());
      await scope.close();
    };
    await request();
    await request(); // same millisecond
    clock += 5;
    await request();
    const points = memory.metricSnapshots.flatMap((s) => s.metrics.filter((m) => m.name === 'hits_total').flatMap((m) => m.points as NumberPoint[]));
    expect(points.every((p) => p.time > p.startTime)).toBe(true);
    expect(points.reduce((n, p) => n + p.value, 0)).toBe(3);
  });
});
