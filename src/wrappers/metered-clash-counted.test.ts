import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';

function dropped(monitor: Monitor, reason: string): number {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total') as { points: { attributes: Record<string, unknown>; value: number }[] } | undefined;
  return m?.points.find((p) => p.attributes.reason === reason)?.value ?? 0;
}

// DESIGN §5: every drop is counted. A metered() whose metrics clash with an app metric records
// none of its calls; that was reported once, and the calls lost after it were counted nowhere.
describe('metered(): calls not recorded because its metrics clash with an app metric are counted', () => {
  it('each call is counted in lexigram_monitor_dropped_total{reason="invalid_value"} and reported once; the function still runs', () => {
    const seen: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(`${d.kind}: ${d.message}`) });
    monitor.metrics.createGauge('clash_calls_total', 'app gauge');
    const f = metered('clash', (x: number) => x * 2, { monitor });
    expect(f(1)).toBe(2);
    expect(f(2)).toBe(4);
    expect(f(3)).toBe(6);
    expect(dropped(monitor, 'invalid_value')).toBe(3);
    expect(seen).toEqual([expect.stringMatching(/^config: metered\("clash"\) could not create its metrics/)]);
  });

  it('a metered() without a clash counts no drop', () => {
    const { monitor } = createTestMonitor();
    const f = metered('fine', () => 1, { monitor });
    f();
    expect(dropped(monitor, 'invalid_value')).toBe(0);
  });
});
