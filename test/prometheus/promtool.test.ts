/** The real `promtool check metrics` (Prometheus 2.42, Debian) on rendered text 0.0.4. */
import { describe, expect, it } from 'vitest';
import { renderSnapshot } from '../../src/exporters/prometheus/index.js';
import { awkwardSnapshot, counter, gauge, histogram, snapshot, summary } from './fixtures.js';
import { promtoolCheck, shouldRun } from './processes.js';
import { validateOpenMetrics } from './openmetrics-validator.js';

describe.runIf(shouldRun('promtool'))('promtool check metrics', () => {
  it('PT-01..PT-09: awkward names, unicode, quotes, backslashes and newlines pass with exit 0', () => {
    const body = renderSnapshot(awkwardSnapshot());
    const r = promtoolCheck(body);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('PT-06, MET-13: conflicting metrics are dropped, so the output still passes', () => {
    const body = renderSnapshot(
      snapshot(
        counter('jobs.done', 'a', '', [[{ 'q.name': 'a', 'q-name': 'b' }, 1]]),
        gauge('jobs-done', 'b', '', [[{}, 1]]),
        counter('jobs_done_total', 'c', '', [[{}, 1]]),
        histogram('size', 'd', 'By', [1, 10], [[{}, [1, 5, 50]]]),
        gauge('size.bytes_bucket', 'e', '', [[{}, 1]]),
        summary('work.time', 'f', 's', [[{ le: 'x' }, { count: 2, sum: 1, quantiles: [[0.5, 0.4], [1, 0.6]] }]]),
      ),
    );
    const r = promtoolCheck(body);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('PT-03 vs OM-05: promtool 2.42 parses only 0.0.4, so OpenMetrics is checked structurally instead', () => {
    const body = renderSnapshot(awkwardSnapshot(), { format: 'openmetrics' });
    // promtool uses the 0.0.4 parser, which rejects OpenMetrics' escaped quote in HELP: record that
    // fact, and rely on the structural validator plus the real Prometheus scrape test for OM.
    expect(promtoolCheck(body).code).not.toBe(0);
    expect(validateOpenMetrics(body)).toEqual([]);
  });

  it('promtool lint is live: a counter without _total is reported (exit 3)', () => {
    const r = promtoolCheck('# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n');
    expect(r.code).toBe(3);
  });

  it('10,000 series render and pass', () => {
    const points: [Record<string, string>, number][] = [];
    for (let i = 0; i < 10_000; i++) points.push([{ route: `/r/${i}`, method: i % 2 ? 'GET' : 'POST' }, i]);
    const r = promtoolCheck(renderSnapshot(snapshot(counter('http.requests', 'Requests', '{request}', points))));
    expect(r.code).toBe(0);
  });
});
