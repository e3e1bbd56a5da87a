import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';
import { metricsHandler } from './handler.js';
import { PrometheusBackend } from './backend.js';
import { renderPrometheus } from './render-prometheus.js';

// Two OpenTelemetry names that become one Prometheus family: the later one is left out of the
// exposition (MET-13). Left out without an `onDrop` option, it must still be counted and reported
// (DESIGN §5: every drop is counted), not vanish.
function clashing() {
  const seen: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
  monitor.metrics.createCounter('http.requests', 'with dots').increment(1);
  monitor.metrics.createCounter('http_requests', 'with underscores').increment(2);
  const dropped = (): number | undefined => {
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    const p = m?.type === 'counter' ? m.points.find((x) => x.attributes.reason === 'export_rejected') : undefined;
    return p?.value;
  };
  return { monitor, seen, dropped };
}

describe('metrics left out of the exposition are counted and reported (MET-13)', () => {
  it('metricsHandler without onDrop: counted in lexigram_monitor_dropped_total and reported once', async () => {
    const { monitor, seen, dropped } = clashing();
    const handler = metricsHandler(monitor);
    const body = await (await handler(new Request('http://x/metrics')))!.text();
    expect(body.match(/^http_requests_total /gm)).toHaveLength(1);
    expect(dropped()).toBe(1);
    await handler(new Request('http://x/metrics'));
    expect(dropped()).toBe(2); // every scrape leaves it out again
    const reports = seen.filter((d) => d.message.includes('http_requests'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toMatch(/name_conflict/);
  });

  it('renderPrometheus and PrometheusBackend.render count too, and still call onDrop', () => {
    const { monitor, dropped } = clashing();
    const told: string[] = [];
    renderPrometheus(monitor, { onDrop: (d) => told.push(d.reason) });
    expect(told).toEqual(['name_conflict']);
    expect(dropped()).toBe(1);
    new PrometheusBackend().render(monitor);
    expect(dropped()).toBe(2);
  });

  it('a plain metrics source (no diagnostics) still renders', () => {
    const { monitor } = clashing();
    const source = { metrics: { collect: () => monitor.metrics.collect({ temporality: 'cumulative' }) } };
    expect(renderPrometheus(source)).toContain('http_requests_total 1\n');
  });
});
