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

  it('PR-02: dotted and UTF-8 names are sanitised, never written quoted: {"my.dotted.metric", "error.message"="Not Found"} goes out as my_dotted_metric{error_message="Not Found"} in both formats, which promtool 2.42 (no UTF-8 names) accepts', () => {
    const snap = snapshot(gauge('my.dotted.metric', 'h', '', [[{ 'error.message': 'Not Found' }, 1]]), counter('größe.zähler', 'h', '', [[{ 'señal-ñ': 'x' }, 2]]));
    for (const format of ['text', 'openmetrics'] as const) {
      const body = renderSnapshot(snap, { format });
      expect(body).toContain('\nmy_dotted_metric{error_message="Not Found"} 1\n');
      expect(body).not.toContain('{"');
      for (const line of body.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
        expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? /);
      }
    }
    const r = promtoolCheck(renderSnapshot(snap));
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

  it('OM-09, MET-09: a summary that recorded negative values: OpenMetrics leaves out its negative quantiles and _sum (keeps _count); text 0.0.4 keeps them; both pass promtool', () => {
    const snap = snapshot(
      summary('temperature_change', 'Change', '', [
        [{ room: 'a' }, { count: 4, sum: -3, quantiles: [[0.5, -2], [0.9, 1.5]] }],
        [{ room: 'b' }, { count: 2, sum: 5, quantiles: [[0.5, 2], [0.9, 3]] }],
        [{ room: 'c' }, { count: 2, sum: 1, quantiles: [[0.5, -1], [0.9, 2]] }],
      ]),
    );
    const told: string[] = [];
    const om = renderSnapshot(snap, { format: 'openmetrics', onDrop: (d) => told.push(d.reason) });
    expect(om.split('\n').filter((l) => l.startsWith('temperature_change'))).toEqual([
      'temperature_change{room="a",quantile="0.9"} 1.5',
      'temperature_change_count{room="a"} 4',
      'temperature_change{room="b",quantile="0.5"} 2',
      'temperature_change{room="b",quantile="0.9"} 3',
      'temperature_change_sum{room="b"} 5',
      'temperature_change_count{room="b"} 2',
      // A positive sum beside a negative quantile goes too: a sum of values that fall below zero is no counter.
      'temperature_change{room="c",quantile="0.9"} 2',
      'temperature_change_count{room="c"} 2',
    ]);
    expect(told).toEqual(['negative_summary', 'negative_summary']); // once per point
    expect(validateOpenMetrics(om)).toEqual([]);
    expect(promtoolCheck(om)).toEqual({ code: 0, output: '' });
    const text = renderSnapshot(snap, { onDrop: (d) => told.push(d.reason) });
    expect(text).toContain('temperature_change{room="a",quantile="0.5"} -2\ntemperature_change{room="a",quantile="0.9"} 1.5\ntemperature_change_sum{room="a"} -3\n');
    expect(told).toHaveLength(2);
    expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
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
