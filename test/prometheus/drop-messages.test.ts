import { describe, expect, it } from 'vitest';
import { renderPrometheus, type MetricsSource } from '../../src/exporters/prometheus/index.js';
import { counter, gauge, snapshot, summary } from './fixtures.js';

describe('a metric or series left out of the exposition is reported with what to change for its reason', () => {
  it('name_conflict, delta_temporality, duplicate_series and negative_summary each say their own fix', () => {
    const reports: string[] = [];
    const source: MetricsSource = {
      metrics: {
        collect: () =>
          snapshot(
            counter('http.requests', 'h', '', [[{}, 1]]),
            counter('http_requests', 'h', '', [[{}, 2]]),
            { ...counter('jobs', 'h', '', [[{}, 1]]), temporality: 'delta' },
            gauge('depth', 'h', '', [[{ 'queue.name': 'a' }, 1], [{ queue_name: 'a' }, 2]]),
            summary('change', 'h', '', [[{}, { count: 1, sum: -2, quantiles: [[0.5, -2]] }]]),
          ),
      },
      diag: { count: () => {}, report: (_kind, message) => reports.push(message) },
    };
    renderPrometheus(source, { format: 'openmetrics' });
    expect(reports.sort()).toEqual([
      'a series of metric "depth" was left out of the Prometheus exposition (duplicate_series: family "depth"); rename the labels that are equal once made valid Prometheus names (an empty label value counts as no label)',
      'metric "http_requests" was left out of the Prometheus exposition (name_conflict: family "http_requests"); rename one of the clashing metrics',
      'metric "jobs" was left out of the Prometheus exposition (delta_temporality: family "jobs"); collect it with temporality "cumulative"',
      'summary "change" has negative values: OpenMetrics leaves out those and its sum; format "text" keeps them',
    ]);
  });
});
