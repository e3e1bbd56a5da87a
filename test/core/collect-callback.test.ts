/** Collect callbacks and the monitor's metric export: values read at export time travel though nothing was recorded. */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/exporters/memory/memory-backend.js';
import { createMonitor } from '../../src/index.js';

describe('collect callbacks in the metric export', () => {
  it('each flush exports the values a callback sets, running it once per export even with two temporalities', async () => {
    const cumulative = new MemoryBackend();
    const delta = new MemoryBackend({ temporality: 'delta' });
    const monitor = createMonitor({ serviceName: 'cb', onDiagnostic: () => undefined, backends: [cumulative, delta] });
    let depth = 3;
    let runs = 0;
    monitor.metrics.createGauge('queue_depth', 'Jobs waiting.', {
      collect(g) {
        runs++;
        g.set(depth);
      },
    });
    const value = (b: MemoryBackend): unknown => (b.metrics?.metrics.find((m) => m.name === 'queue_depth')?.points[0] as { value?: number } | undefined)?.value;
    await monitor.flush();
    expect(runs).toBe(1);
    expect(value(cumulative)).toBe(3);
    expect(value(delta)).toBe(3);
    depth = 9;
    await monitor.flush(); // nothing recorded in between: the callback alone makes metrics travel
    expect(runs).toBe(2);
    expect(value(cumulative)).toBe(9);
    expect(value(delta)).toBe(9);
    expect(cumulative.metricSnapshots).toHaveLength(2);
    await monitor.shutdown();
  });

  it('collect must be a function; addCollectCallback returns a remover', () => {
    const monitor = createMonitor({ serviceName: 'cb', onDiagnostic: () => undefined, backends: [] });
    expect(() => monitor.metrics.createGauge('g', 'G', { collect: 1 as never })).toThrow(TypeError);
    expect(() => monitor.metrics.addCollectCallback('x' as never)).toThrow(TypeError);
    let n = 0;
    const remove = monitor.metrics.addCollectCallback(() => void n++);
    expect(monitor.metrics.hasCollectCallbacks).toBe(true);
    monitor.metrics.collect({ temporality: 'delta' });
    remove();
    monitor.metrics.collect();
    expect(n).toBe(1);
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);
  });

  it('a gauge created again with collect (in a handler, per request) keeps one callback, the latest', () => {
    const monitor = createMonitor({ serviceName: 'cb', onDiagnostic: () => undefined, backends: [] });
    const runs: number[] = [];
    for (let request = 0; request < 1000; request++) {
      monitor.metrics.createGauge('inflight', 'In flight.', { collect: (g) => (runs.push(request), g.set(request)) });
    }
    const snapshot = monitor.metrics.collect();
    expect(runs).toEqual([999]);
    expect((snapshot.metrics.find((m) => m.name === 'inflight')!.points[0] as { value: number }).value).toBe(999);
  });
});
