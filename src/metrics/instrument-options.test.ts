import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

// Configuration errors throw where the instrument is made, with what would have been read.
describe('an instrument option that is misspelt', () => {
  const { monitor } = createTestMonitor();
  const m = monitor.metrics;

  it('throws, naming the metric, the option and the options that kind of instrument reads', () => {
    expect(() => m.createHistogram('latency_seconds', 'Latency', { bucket: [0.1, 1] } as never)).toThrow(
      'metric "latency_seconds": unknown option `bucket`; known options are unit, labelNames, buckets.',
    );
    expect(() => m.createCounter('orders_total', 'Orders', { labels: ['status'] } as never)).toThrow('metric "orders_total": unknown option `labels`; known options are unit, labelNames.');
    expect(() => m.createGauge('queue_depth', 'Depth', { callback: () => {} } as never)).toThrow('known options are unit, labelNames, collect.');
    expect(() => m.createSummary('size_bytes', 'Size', { percentiles: [0.5] } as never)).toThrow('known options are unit, labelNames, quantiles, maxAgeSeconds, ageBuckets.');
    // An option of another kind of instrument is as unread as a misspelt one.
    expect(() => m.createCounter('retries_total', 'Retries', { buckets: [1, 2] } as never)).toThrow('unknown option `buckets`');
    expect(() => m.createUpDownCounter('active', 'Active', { collect: () => {} } as never)).toThrow('unknown option `collect`');
    // Nothing was registered by the calls that threw.
    expect(['latency_seconds', 'orders_total', 'queue_depth', 'size_bytes', 'retries_total', 'active'].map((n) => m.getMetric(n))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('every option as documented is accepted', () => {
    expect(() => {
      m.createCounter('a_total', 'A', { unit: '{request}', labelNames: ['route'] });
      m.createUpDownCounter('b', 'B', { unit: '{request}', labelNames: ['route'] });
      m.createGauge('c', 'C', { unit: 'By', labelNames: ['pool'], collect: () => {} });
      m.createHistogram('d_seconds', 'D', { unit: 's', labelNames: ['route'], buckets: [0.1, 1] });
      m.createSummary('e_bytes', 'E', { unit: 'By', labelNames: ['route'], quantiles: [0.5], maxAgeSeconds: 60, ageBuckets: 3 });
    }).not.toThrow();
  });
});
