/** Hand-built snapshots from the model types, for renderer tests. */
import type {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  MetricData,
  MetricsSnapshot,
  SummaryMetric,
  UpDownCounterMetric,
} from '../../src/model/metric-data.js';
import type { Labels } from '../../src/model/attributes.js';
import type { MetricsSource } from '../../src/exporters/prometheus/index.js';
import { VERSION } from '../../src/version.js';

export const T0 = 1_700_000_000_000;
export const T1 = T0 + 60_000;

export function snapshot(...metrics: MetricData[]): MetricsSnapshot {
  return { temporality: 'cumulative', time: T1, metrics };
}

export function source(get: () => MetricsSnapshot): MetricsSource {
  return { metrics: { collect: () => get() } };
}

export function counter(name: string, help: string, unit: string, points: [Labels, number][]): CounterMetric {
  return {
    type: 'counter',
    name,
    help,
    unit,
    temporality: 'cumulative',
    points: points.map(([attributes, value]) => ({ attributes, value, startTime: T0, time: T1 })),
  };
}

export function gauge(name: string, help: string, unit: string, points: [Labels, number][]): GaugeMetric {
  return {
    type: 'gauge',
    name,
    help,
    unit,
    temporality: 'cumulative',
    points: points.map(([attributes, value]) => ({ attributes, value, startTime: T0, time: T1 })),
  };
}

export function upDown(name: string, help: string, unit: string, points: [Labels, number][]): UpDownCounterMetric {
  return { ...gauge(name, help, unit, points), type: 'updowncounter' };
}

/** A histogram from raw observations, with per-bucket counts as the model has them. */
export function histogram(
  name: string,
  help: string,
  unit: string,
  bounds: number[],
  series: [Labels, number[]][],
  exemplars?: HistogramMetric['points'][number]['exemplars'],
): HistogramMetric {
  return {
    type: 'histogram',
    name,
    help,
    unit,
    temporality: 'cumulative',
    points: series.map(([attributes, values]) => {
      const bucketCounts = new Array(bounds.length + 1).fill(0);
      for (const v of values) {
        let b = 0;
        while (b < bounds.length && v > bounds[b]!) b++;
        bucketCounts[b]++;
      }
      return {
        attributes,
        startTime: T0,
        time: T1,
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
        bounds,
        bucketCounts,
        ...(exemplars ? { exemplars } : {}),
      };
    }),
  };
}

export function summary(
  name: string,
  help: string,
  unit: string,
  series: [Labels, { count: number; sum: number; quantiles: [number, number][] }][],
): SummaryMetric {
  return {
    type: 'summary',
    name,
    help,
    unit,
    temporality: 'cumulative',
    points: series.map(([attributes, s]) => ({
      attributes,
      startTime: T0,
      time: T1,
      count: s.count,
      sum: s.sum,
      quantiles: s.quantiles.map(([quantile, value]) => ({ quantile, value })),
    })),
  };
}

/** Awkward names, help and label values that every format must survive. */
export function awkwardSnapshot(): MetricsSnapshot {
  return snapshot(
    counter('http.server.requests', 'Requests "served", with \\ and\nnewline; ünïcödé ✓', '{request}', [
      [{ 'http.method': 'GET', 'http.route': '/users/:id' }, 10],
      [{ 'http.method': 'POST', 'http.route': '/a"quoted\\path\nnext' }, 3],
      [{ 'http.method': 'GET', 'http.route': '日本語/ü' }, 1],
    ]),
    counter('9lives-cache/hits', 'Cache hits', '', [[{ '0shard': '1', __reserved: 'x' }, 42]]),
    gauge('queue-depth', 'Messages waiting', '{message}', [[{ queue: 'jobs' }, 7]]),
    gauge('cpu.utilisation', 'CPU share', '1', [[{}, 0.25]]),
    upDown('db.connections.active', 'Open connections', '{connection}', [[{ pool: 'main' }, -2]]),
    histogram('http.server.request.duration', 'Request duration', 's', [0.005, 0.01, 0.1, 1, 10], [
      [{ route: '/' }, [0.001, 0.003, 0.02, 0.5, 0.7, 12]],
      [{ route: '/slow' }, [2, 3]],
    ]),
    histogram('payload.size', 'Payload size', 'By', [100, 1000, 1e6], [[{}, [10, 2000, 5e6]]]),
    summary('gc.pause', 'GC pauses', 's', [
      [{ gen: 'young' }, { count: 5, sum: 0.05, quantiles: [[0.5, 0.01], [0.9, 0.02], [0.99, 0.03]] }],
    ]),
    counter('lexigram_monitor_dropped_total', 'Telemetry dropped by the library', '', [
      [{ reason: 'invalid_value' }, 2],
      [{ reason: 'cardinality_overflow' }, 0],
    ]),
  );
}

/** The scope labels every series of a monitor (or a plain source) carries by default (MET-13). */
export const SCOPE_LABELS = `otel_scope_name="@lexigram/monitor",otel_scope_version="${VERSION}"`;
