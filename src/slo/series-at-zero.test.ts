import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../exporters/prometheus/render-prometheus.js';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { SLOMonitor } from './slo-monitor.js';

// rate()/increase() cannot count what was recorded before a series' first scrape: a good-events
// series that appeared at its first increment made the generated rules read the good events of a
// new isolate whose first requests failed as missing, and page (see slo-differential.test.ts).
describe('SLOMonitor: the SLI series exist at 0 from construction', () => {
  const slos = [
    { name: 'checkout', target: 99.9, windowSeconds: 30 * 86400 },
    { name: 'api_latency', target: 99, windowSeconds: 3600, thresholdMs: 300 },
  ];

  it('in the Prometheus text, before any observation (availability and latency SLOs alike)', () => {
    const { monitor } = createTestMonitor();
    new SLOMonitor({ slos, monitor });
    const text = renderPrometheus(monitor);
    for (const slo of ['checkout', 'api_latency']) {
      expect(text).toMatch(new RegExp(`^slo_events_total\\{slo="${slo}"[^}]*\\} 0$`, 'm'));
      expect(text).toMatch(new RegExp(`^slo_good_events_total\\{slo="${slo}"[^}]*\\} 0$`, 'm'));
    }
  });

  it('a delta export sends each 0 once, then only changes', () => {
    const { monitor } = createTestMonitor();
    const m = new SLOMonitor({ slos, monitor });
    const points = (name: string) =>
      (monitor.metrics.collect({ temporality: 'delta' }).metrics.find((x) => x.name === name) as CounterMetric | undefined)?.points.map((p) => [p.attributes.slo, p.value]) ?? [];
    expect(points('slo_events_total')).toEqual([['checkout', 0], ['api_latency', 0]]);
    expect(points('slo_events_total')).toEqual([]);
    m.recordObservation('checkout', false);
    expect(points('slo_events_total')).toEqual([['checkout', 1]]);
  });
});
