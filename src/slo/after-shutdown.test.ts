import { describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { SLOMonitor } from './slo-monitor.js';

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason as string, (p as { value: number }).value]));
}

describe('SLOMonitor made on a monitor already shut down', () => {
  const slos = [
    { name: 'checkout', target: 99.9, windowSeconds: 3600 },
    { name: 'api_latency', target: 99, windowSeconds: 3600, thresholdMs: 300 },
  ];

  it('neither throws (it may be made lazily in a late request) nor counts its series at 0 as values lost', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: () => {} });
    await monitor.shutdown();
    const m = new SLOMonitor({ slos, monitor });
    expect(dropped(monitor)).toEqual({});
    // Observations are still measured in process; their metric values are lost, and counted as any are.
    m.recordObservation('checkout', true);
    m.recordObservation('checkout', false);
    expect(m.status('checkout')).toMatchObject({ good: 1, total: 2 });
    expect(dropped(monitor)).toEqual({ after_shutdown: 3 });
  });
});
