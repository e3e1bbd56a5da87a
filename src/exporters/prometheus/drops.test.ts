import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';
import { metricsHandler } from './handler.js';
import { PrometheusBackend } from './backend.js';
import { renderPrometheus } from './render-prometheus.js';
import { VERSION } from '../../version.js';

/** The scope labels every series carries by default (MET-13). */
const S = `otel_scope_name="@lexigram/monitor",otel_scope_version="${VERSION}"`;

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
    expect(body.match(/^http_requests_total[ {]/gm)).toHaveLength(1);
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
    // A bare `{ metrics }` states no resource: no target_info, no scope labels.
    expect(renderPrometheus(source)).toContain('\nhttp_requests_total 1\n');
  });
});

describe('OpenMetrics summaries with negative values (OM-09)', () => {
  it('each point left without its negative quantiles and sum is counted once as export_rejected, as OTLP counts it, and reported once', async () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const s = monitor.metrics.createSummary('temperature_change', 'Change', { labelNames: ['room'], quantiles: [0.5] });
    s.observe(-2, { room: 'a' });
    s.observe(3, { room: 'b' });
    const rejected = () => (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points as { attributes: { reason?: string }; value: number }[] | undefined)?.find((p) => p.attributes.reason === 'export_rejected')?.value;
    const summaryLines = (body: string) => body.split('\n').filter((l) => l.startsWith('temperature_change'));
    const expected = [`temperature_change_count{room="a",${S}} 1`, `temperature_change{room="b",${S},quantile="0.5"} 3`, `temperature_change_sum{room="b",${S}} 3`, `temperature_change_count{room="b",${S}} 1`];
    expect(summaryLines(renderPrometheus(monitor, { format: 'openmetrics' }))).toEqual(expected);
    expect(rejected()).toBe(1);
    const scrape = await (await metricsHandler(monitor, { format: 'openmetrics' })(new Request('http://x/metrics')))!.text();
    expect(summaryLines(scrape)).toEqual(expected);
    expect(rejected()).toBe(2); // every OpenMetrics render leaves it out again
    renderPrometheus(monitor); // text 0.0.4 keeps negative values
    expect(rejected()).toBe(2);
    expect(seen.filter((d) => d.kind === 'export_rejected').map((d) => d.message)).toEqual([
      'summary "temperature_change" has negative values: OpenMetrics leaves out those and its sum; format "text" keeps them',
    ]);
  });
});

describe('OpenMetrics histograms with a negative sum or bound (OM-08)', () => {
  it('each point left without its _sum and _count is counted as export_rejected and reported once; text 0.0.4 keeps them', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const h = monitor.metrics.createHistogram('temperature_drop', 'Drop', { labelNames: ['room'], buckets: [0, 1] });
    for (const v of [-5, -1]) h.observe(v, { room: 'a' });
    h.observe(1, { room: 'b' });
    monitor.metrics.createHistogram('offset', 'Offset', { buckets: [-1, 1] }).observe(0.5);
    const rejected = () => (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')?.points as { attributes: { reason?: string }; value: number }[] | undefined)?.find((p) => p.attributes.reason === 'export_rejected')?.value;
    const told: string[] = [];
    const om = renderPrometheus(monitor, { format: 'openmetrics', onDrop: (d) => told.push(`${d.reason} ${d.metric}`) });
    expect(om).not.toContain('temperature_drop_sum{room="a"');
    expect(om).toContain(`temperature_drop_sum{room="b",${S}} 1\n`);
    expect(told).toEqual(['negative_histogram offset', 'negative_histogram temperature_drop']);
    expect(rejected()).toBe(2);
    expect(renderPrometheus(monitor)).toContain(`temperature_drop_sum{room="a",${S}} -6\ntemperature_drop_count{room="a",${S}} 2\n`);
    expect(rejected()).toBe(2);
    expect(seen.filter((d) => d.kind === 'export_rejected').map((d) => d.message).sort()).toEqual([
      'histogram "offset" has a negative sum or bound: OpenMetrics leaves out its sum and count; format "text" keeps them',
      'histogram "temperature_drop" has a negative sum or bound: OpenMetrics leaves out its sum and count; format "text" keeps them',
    ]);
  });
});
