import { describe, expect, it } from 'vitest';
import { renderSnapshot, type DroppedMetric } from '../../src/exporters/prometheus/index.js';
import { formatCanonical, formatValue } from '../../src/exporters/prometheus/numbers.js';
import { awkwardSnapshot, counter, gauge, histogram, snapshot, summary, upDown, T0, T1 } from './fixtures.js';
import { validateOpenMetrics } from './openmetrics-validator.js';

const text = (...m: Parameters<typeof snapshot>) => renderSnapshot(snapshot(...m));
const om = (...m: Parameters<typeof snapshot>) => renderSnapshot(snapshot(...m), { format: 'openmetrics' });

describe('names (MET-13, PR-01)', () => {
  it('MET-13: dots, dashes and slashes become _, runs collapse, a leading digit gets a prefix', () => {
    const out = text(
      gauge('http.server--active/requests', 'h', '', [[{}, 1]]),
      gauge('5xx.rate', 'h', '', [[{}, 2]]),
      gauge('temp.°C', 'h', '', [[{}, 3]]),
    );
    expect(out).toContain('http_server_active_requests 1\n');
    expect(out).toContain('_5xx_rate 2\n');
    expect(out).toContain('temp_C 3\n');
  });

  it('MET-13: unit suffix from UCUM, before the type suffix, not repeated, {annotations} dropped', () => {
    const out = text(
      histogram('http.server.request.duration', 'h', 's', [1], [[{}, [0.5]]]),
      counter('rpc.latency', 'h', 'ms', [[{}, 1]]),
      counter('bytes.sent', 'h', 'By', [[{}, 1]]),
      counter('io_bytes_total', 'h', 'By', [[{}, 1]]),
      counter('http.requests', 'h', '{request}', [[{}, 1]]),
      gauge('cache.hit_ratio', 'h', '1', [[{}, 0.5]]),
      gauge('cpu.usage', 'h', '1', [[{}, 0.5]]),
      counter('jobs', 'h', '1', [[{}, 1]]),
      gauge('net.throughput', 'h', 'By/s', [[{}, 1]]),
      gauge('wait_seconds', 'h', 's', [[{}, 1]]),
    );
    expect(out).toContain('# TYPE http_server_request_duration_seconds histogram\n');
    expect(out).toContain('# TYPE rpc_latency_milliseconds_total counter\n');
    expect(out).toContain('# TYPE bytes_sent_bytes_total counter\n');
    expect(out).toContain('# TYPE io_bytes_total counter\n');
    expect(out).toContain('# TYPE http_requests_total counter\n');
    expect(out).toContain('# TYPE cache_hit_ratio gauge\n');
    expect(out).toContain('# TYPE cpu_usage_ratio gauge\n');
    expect(out).toContain('# TYPE jobs_total counter\n');
    expect(out).toContain('# TYPE net_throughput_bytes_per_second gauge\n');
    expect(out).toContain('# TYPE wait_seconds gauge\n');
  });

  it('MET-13: label names sanitised, leading __ and digits made safe (PR-01)', () => {
    const out = text(gauge('g', 'h', '', [[{ 'http.method': 'GET', __name__: 'x', '1st': 'y', _private: 'z' }, 1]]));
    expect(out).toContain('g{http_method="GET",key_name_="x",key_1st="y",key_private="z"} 1\n');
  });

  it('MET-13: colliding label keys are joined with ; in lexical order of the original keys', () => {
    const out = text(gauge('g', 'h', '', [[{ a_b: '3', 'a.b': '1', 'a-b': '2' }, 1]]));
    expect(out).toContain('g{a_b="2;1;3"} 1\n');
  });

  it('MET-13: two series that become identical after sanitising: the later is dropped and reported', () => {
    const drops: DroppedMetric[] = [];
    const out = renderSnapshot(snapshot(gauge('g', 'h', '', [[{ 'a.b': 'x' }, 1], [{ a_b: 'x' }, 2]])), { onDrop: (d) => drops.push(d) });
    expect(out).toContain('g{a_b="x"} 1\n');
    expect(out).not.toContain(' 2\n');
    expect(drops).toEqual([{ metric: 'g', family: 'g', reason: 'duplicate_series' }]);
  });
});

describe('text 0.0.4 (PT-*)', () => {
  it('PT-09: counter TYPE and HELP use the full _total name; _total is not doubled', () => {
    const out = text(counter('requests_total', 'All requests', '', [[{ code: '200' }, 5]]), counter('errors', 'Errors', '', [[{}, 1]]));
    expect(out).toBe(
      '# HELP errors_total Errors\n# TYPE errors_total counter\nerrors_total 1\n' +
        '# HELP requests_total All requests\n# TYPE requests_total counter\nrequests_total{code="200"} 5\n',
    );
  });

  it('PT-03: HELP escapes only backslash and newline; PT-04: label values escape \\ " and newline', () => {
    const out = text(gauge('g', 'say "hi" \\ to\nyou', '', [[{ v: 'a"b\\c\nd' }, 1]]));
    expect(out).toContain('# HELP g say "hi" \\\\ to\\nyou\n');
    expect(out).toContain('g{v="a\\"b\\\\c\\nd"} 1\n');
  });

  it('PT-02: body ends with a newline; an empty HELP is left out', () => {
    const out = text(gauge('g', '', '', [[{}, 1]]));
    expect(out).toBe('# TYPE g gauge\ng 1\n');
  });

  it('PT-05, OM-10: integers without decimal point, floats, +Inf, -Inf, NaN', () => {
    const out = text(gauge('g', 'h', '', [[{ k: 'a' }, 3], [{ k: 'b' }, 0.5], [{ k: 'c' }, Infinity], [{ k: 'd' }, -Infinity], [{ k: 'e' }, NaN], [{ k: 'f' }, -0], [{ k: 'g' }, 1e-7]]));
    expect(out).toContain('g{k="a"} 3\ng{k="b"} 0.5\ng{k="c"} +Inf\ng{k="d"} -Inf\ng{k="e"} NaN\ng{k="f"} 0\ng{k="g"} 1e-7\n');
    expect(formatValue(123456789012)).toBe('123456789012');
  });

  it('PT-07: histogram buckets are cumulative, +Inf equals _count, then _sum and _count', () => {
    const out = text(histogram('lat', 'Latency', 's', [0.1, 1], [[{ r: 'x' }, [0.05, 0.2, 0.3, 5]]]));
    expect(out).toBe(
      '# HELP lat_seconds Latency\n# TYPE lat_seconds histogram\n' +
        'lat_seconds_bucket{r="x",le="0.1"} 1\n' +
        'lat_seconds_bucket{r="x",le="1.0"} 3\n' +
        'lat_seconds_bucket{r="x",le="+Inf"} 4\n' +
        'lat_seconds_sum{r="x"} 5.55\n' +
        'lat_seconds_count{r="x"} 4\n',
    );
  });

  it('PT-08: summary quantiles ascending, then _sum and _count', () => {
    const out = text(summary('rt', 'h', '', [[{}, { count: 3, sum: 6, quantiles: [[0.5, 2], [0.99, NaN]] }]]));
    expect(out).toBe('# HELP rt h\n# TYPE rt summary\nrt{quantile="0.5"} 2\nrt{quantile="0.99"} NaN\nrt_sum 6\nrt_count 3\n');
  });

  it('PT-07, OM-08: a user label named le or quantile is renamed, never clobbers the bucket label', () => {
    const out = text(histogram('h', 'h', '', [1], [[{ le: 'mine' }, [0.5]]]), summary('s', 's', '', [[{ quantile: 'q' }, { count: 0, sum: 0, quantiles: [] }]]));
    expect(out).toContain('h_bucket{key_le="mine",le="1.0"} 1\n');
    expect(out).toContain('s_sum{key_quantile="q"} 0\n');
  });

  it('exemplars are OpenMetrics-only: text 0.0.4 has none', () => {
    const out = text(histogram('h', 'h', '', [1], [[{}, [0.5]]], [{ value: 0.5, time: T1, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }]));
    expect(out).not.toContain('#  {');
    expect(out).not.toContain('trace_id');
  });
});

describe('OpenMetrics 1.0 (OM-*)', () => {
  it('OM-06: counter family without _total, sample with _total; OM-03: TYPE, UNIT, HELP order; OM-02: # EOF', () => {
    const out = om(counter('io.read', 'Bytes read', 'By', [[{}, 10]]), counter('hits', 'Hits', '', [[{}, 2]]));
    expect(out).toBe(
      '# TYPE hits counter\n# HELP hits Hits\nhits_total 2\n' +
        '# TYPE io_read_bytes counter\n# UNIT io_read_bytes bytes\n# HELP io_read_bytes Bytes read\nio_read_bytes_total 10\n' +
        '# EOF\n',
    );
  });

  it('OM-04: every family gets one TYPE from the OpenMetrics set: counter, gauge (an up-down counter too), histogram, summary; never 0.0.4\'s untyped', () => {
    const out = om(
      counter('c', 'h', '', [[{}, 1]]),
      upDown('u', 'h', '', [[{}, -1]]),
      gauge('g', 'h', '', [[{}, 1]]),
      histogram('hist', 'h', '', [1], [[{}, [0.5]]]),
      summary('s', 'h', '', [[{}, { count: 1, sum: 1, quantiles: [[0.5, 1]] }]]),
    );
    expect(out.split('\n').filter((l) => l.startsWith('# TYPE '))).toEqual([
      '# TYPE c counter',
      '# TYPE g gauge',
      '# TYPE hist histogram',
      '# TYPE s summary',
      '# TYPE u gauge',
    ]);
    expect(validateOpenMetrics(out)).toEqual([]);
  });

  it('OM-03: # UNIT only when the family name ends with the unit', () => {
    const out = om(gauge('seconds', 'h', 's', [[{}, 1]]), gauge('requests', 'h', '{request}', [[{}, 1]]), gauge('up_time', 'h', 's', [[{}, 1]]));
    expect(out).not.toContain('# UNIT seconds');
    expect(out).not.toContain('# UNIT requests');
    expect(out).toContain('# UNIT up_time_seconds seconds\n');
  });

  it('OM-05: HELP escapes " as well as \\ and newline', () => {
    expect(om(gauge('g', 'say "hi" \\ to\nyou', '', [[{}, 1]]))).toContain('# HELP g say \\"hi\\" \\\\ to\\nyou\n');
  });

  it('OM-08: canonical le values', () => {
    expect([0, 1, 0.005, 0.25, 10, 2.5, 1e-5, 1e6, 123456, 1.5e6, 1e21, -1, -0.5].map(formatCanonical)).toEqual([
      '0.0', '1.0', '0.005', '0.25', '10.0', '2.5', '1e-05', '1e+06', '123456.0', '1.5e+06', '1e+21', '-1.0', '-0.5',
    ]);
    expect(formatCanonical(Infinity)).toBe('+Inf');
  });

  it('OM-08: with negative thresholds or a negative sum, _sum and _count are left out', () => {
    const out = om(histogram('t', 'h', 'Cel', [-10, 0, 10], [[{}, [-20, 5]]]));
    expect(out).not.toContain('_sum');
    expect(out).not.toContain('_count');
    expect(out).toContain('t_celsius_bucket{le="+Inf"} 2\n');
    expect(text(histogram('t', 'h', '', [-10, 0], [[{}, [-20, 5]]]))).toContain('t_sum -15\n');
  });

  it('OM-11: exemplars on bucket lines, newest per bucket, timestamp in seconds', () => {
    const tid = '0af7651916cd43dd8448eb211c80319c';
    const sid = 'b7ad6b7169203331';
    const out = om(
      histogram('d', 'h', 's', [0.1, 1], [[{}, [0.05, 0.5, 0.7]]], [
        { value: 0.05, time: T0, traceId: tid, spanId: sid },
        { value: 0.5, time: T0 + 1, traceId: 'f'.repeat(32), spanId: 'e'.repeat(16) },
        { value: 0.7, time: T0 + 1500, traceId: tid, spanId: sid },
        { value: 9, time: T0, traceId: tid, spanId: sid },
      ]),
    );
    expect(out).toContain(`d_seconds_bucket{le="0.1"} 1 # {trace_id="${tid}",span_id="${sid}"} 0.05 1700000000.000\n`);
    expect(out).toContain(`d_seconds_bucket{le="1.0"} 3 # {trace_id="${tid}",span_id="${sid}"} 0.7 1700000001.500\n`);
    expect(out).toContain(`d_seconds_bucket{le="+Inf"} 3 # {trace_id="${tid}",span_id="${sid}"} 9 1700000000.000\n`);
    expect(validateOpenMetrics(out)).toEqual([]);
  });

  it('OM-02: an empty snapshot is just # EOF', () => {
    expect(renderSnapshot(snapshot(), { format: 'openmetrics' })).toBe('# EOF\n');
    expect(renderSnapshot(snapshot())).toBe('');
  });

  it('OM-01..OM-11: the awkward snapshot passes the structural validator', () => {
    const out = renderSnapshot(awkwardSnapshot(), { format: 'openmetrics' });
    expect(validateOpenMetrics(out)).toEqual([]);
  });

  it('validator self-check: it does catch broken expositions', () => {
    expect(validateOpenMetrics('# TYPE a counter\na 1\n')).toHaveLength(2);
    expect(validateOpenMetrics('# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 2\n# EOF\n').length).toBeGreaterThan(0);
  });
});

describe('name conflicts (MET-13 MUST, OM-07)', () => {
  it('MET-13: the same family twice: the later metric is dropped and reported', () => {
    const drops: DroppedMetric[] = [];
    const out = renderSnapshot(
      snapshot(counter('jobs', 'first', '', [[{}, 1]]), gauge('jobs', 'second', '', [[{}, 2]]), counter('jobs_total', 'third', '', [[{}, 3]])),
      { onDrop: (d) => drops.push(d) },
    );
    expect(out).toBe('# HELP jobs_total first\n# TYPE jobs_total counter\njobs_total 1\n');
    expect(drops.map((d) => [d.metric, d.reason])).toEqual([['jobs', 'name_conflict'], ['jobs_total', 'name_conflict']]);
  });

  it('OM-07: a family may not reuse another family’s generated sample names', () => {
    const drops: DroppedMetric[] = [];
    renderSnapshot(
      snapshot(
        histogram('lat', 'h', '', [1], [[{}, [1]]]),
        gauge('lat_count', 'h', '', [[{}, 1]]),
        gauge('hits_created', 'h', '', [[{}, 1]]),
        counter('hits', 'h', '', [[{}, 1]]),
      ),
      { onDrop: (d) => drops.push(d) },
    );
    expect(drops.map((d) => d.metric)).toEqual(['lat_count', 'hits']);
  });

  it('MET-13: one TYPE per name across the output, for both formats', () => {
    for (const format of ['text', 'openmetrics'] as const) {
      const out = renderSnapshot(snapshot(counter('a.b', 'x', '', [[{}, 1]]), gauge('a-b', 'y', '', [[{}, 1]]), upDown('a_b', 'z', '', [[{}, 1]])), { format });
      expect(out.match(/# TYPE/g)).toHaveLength(1);
    }
  });

  it('delta sums cannot be shown as Prometheus values: dropped and reported; delta gauges are fine', () => {
    const drops: DroppedMetric[] = [];
    const out = renderSnapshot(
      snapshot({ ...counter('c', 'h', '', [[{}, 1]]), temporality: 'delta' }, { ...gauge('g', 'h', '', [[{}, 1]]), temporality: 'delta' }),
      { onDrop: (d) => drops.push(d) },
    );
    expect(out).toBe('# HELP g h\n# TYPE g gauge\ng 1\n');
    expect(drops).toEqual([{ metric: 'c', family: 'c', reason: 'delta_temporality' }]);
  });

  it('reservedNames blocks names the receiver owns', () => {
    const out = renderSnapshot(snapshot(gauge('push_time_seconds', 'h', '', [[{}, 1]]), gauge('ok', 'h', '', [[{}, 1]])), { reservedNames: ['push_time_seconds'] });
    expect(out).toBe('# HELP ok h\n# TYPE ok gauge\nok 1\n');
  });
});
