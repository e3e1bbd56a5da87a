/**
 * Series and family names as Prometheus reads them: an empty label value is the same as no label
 * (PR-03), and a type suffix never meets the name's own trailing `_` as a run (MET-13).
 */
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { renderSnapshot, type DroppedMetric } from '../../src/exporters/prometheus/index.js';
import { counter, gauge, histogram, snapshot, summary } from './fixtures.js';
import { validateOpenMetrics } from './openmetrics-validator.js';

describe('PR-03: an empty label value is no label', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    it(`{a=""} and {} are one series to Prometheus: written once, the other left out and reported (${format})`, () => {
      const drops: DroppedMetric[] = [];
      const body = renderSnapshot(
        snapshot(
          gauge('depth', 'h', '', [[{ queue: '' }, 1], [{}, 2], [{ queue: '', shard: 'a' }, 3], [{ shard: 'a' }, 4], [{ queue: 'jobs' }, 5]]),
          histogram('lat', 'h', '', [1], [[{ route: '' }, [0.5]], [{}, [2]]]),
        ),
        { format, onDrop: (d) => drops.push(d) },
      );
      const samples = body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(samples.filter((l) => l.startsWith('depth'))).toEqual(['depth 1', 'depth{shard="a"} 3', 'depth{queue="jobs"} 5']);
      expect(samples.filter((l) => l.startsWith('lat_count'))).toEqual(['lat_count 1']);
      expect(body).not.toContain('=""');
      expect(drops).toEqual([
        { metric: 'depth', family: 'depth', reason: 'duplicate_series' },
        { metric: 'depth', family: 'depth', reason: 'duplicate_series' },
        { metric: 'lat', family: 'lat', reason: 'duplicate_series' },
      ]);
      if (format === 'openmetrics') expect(validateOpenMetrics(body)).toEqual([]);
    });
  }
});

describe('MET-13: a name ending in ".", "-", "/" or "_" meets its type suffix without a run of "_"', () => {
  it('counter, histogram and summary families drop the trailing "_"; a gauge keeps its name', () => {
    const snap = snapshot(
      counter('jobs.', 'h', '', [[{}, 1]]),
      counter('sent-', 'h', 'By', [[{}, 2]]),
      counter('tasks_total_', 'h', '', [[{}, 3]]),
      histogram('lat/', 'h', '', [1], [[{}, [0.5]]]),
      summary('rt_', 'h', '', [[{}, { count: 1, sum: 1, quantiles: [[0.5, 1]] }]]),
      gauge('depth_', 'h', '', [[{}, 4]]),
    );
    const text = renderSnapshot(snap);
    expect(text).not.toMatch(/__/);
    for (const line of ['jobs_total 1', 'sent_bytes_total 2', 'tasks_total 3', 'lat_bucket{le="1.0"} 1', 'lat_count 1', 'rt{quantile="0.5"} 1', 'rt_sum 1', 'depth_ 4']) {
      expect(text.split('\n')).toContain(line);
    }
    const om = renderSnapshot(snap, { format: 'openmetrics' });
    expect(om).not.toMatch(/__/);
    expect(om.split('\n').filter((l) => l.startsWith('# TYPE '))).toEqual([
      '# TYPE depth_ gauge',
      '# TYPE jobs counter',
      '# TYPE lat histogram',
      '# TYPE rt summary',
      '# TYPE sent_bytes counter',
      '# TYPE tasks counter',
    ]);
    expect(validateOpenMetrics(om)).toEqual([]);
  });

  it('a monitor’s counter "jobs." is scraped as jobs_total, the name an OpenTelemetry collector gives it', () => {
    const monitor = createMonitor({ serviceName: 'names', backends: [] });
    monitor.metrics.createCounter('jobs.', 'Jobs').increment(2);
    expect(renderSnapshot(monitor.metrics.collect())).toContain('\n# TYPE jobs_total counter\njobs_total 2\n');
  });
});
