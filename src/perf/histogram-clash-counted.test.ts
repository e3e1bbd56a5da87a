import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { PerformanceMonitor } from './performance-monitor.js';

function dropped(monitor: Monitor, reason: string): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total') as { points: { attributes: Record<string, unknown>; value: number }[] } | undefined;
  return m?.points.find((p) => p.attributes.reason === reason)?.value ?? 0;
}

// DESIGN §5: every drop is counted. A histogram name taken by an app metric was reported once,
// and every duration it then lost was counted nowhere.
describe('PerformanceMonitor: durations its histogram cannot record are counted', () => {
  it('a histogram name that is an app counter: each lost duration counted as invalid_value, reported once, stats still kept', () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(`${d.kind}: ${d.message}`) });
    monitor.metrics.createCounter('render_seconds', 'app counter');
    const perf = new PerformanceMonitor(monitor, { histogram: 'render_seconds', spans: false });
    perf.track('a').end();
    perf.measure('b', () => 1);
    expect(dropped(monitor, 'invalid_value')).toBe(2);
    expect(seen).toEqual([expect.stringMatching(/^config: PerformanceMonitor could not create its histogram/)]);
    expect(perf.stats('a')!.count).toBe(1);
  });

  it('histogram: false and no monitor count nothing (no histogram was asked for)', () => {
    const { monitor } = createTestMonitor();
    new PerformanceMonitor(monitor, { histogram: false }).track('a').end();
    new PerformanceMonitor().track('a').end();
    expect(dropped(monitor, 'invalid_value')).toBe(0);
  });
});
