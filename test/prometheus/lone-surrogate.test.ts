/**
 * Label values holding a lone surrogate (not valid Unicode) are sent as U+FFFD once UTF-8
 * encoded, so values that differ only there would be one Prometheus series written twice
 * (Prometheus keeps the first and drops the rest as duplicate samples). The later ones are left
 * out and reported as `duplicate_series`, as labels equal once renamed are (PT-04, OM-05).
 */
import { describe, expect, it } from 'vitest';
import { renderPrometheus, type DroppedMetric } from '../../src/exporters/prometheus/index.js';
import { createMonitor } from '../../src/index.js';

describe('label values with lone surrogates', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    it(`never write one series twice (${format})`, () => {
      const monitor = createMonitor({ serviceName: 'app', backends: [] });
      const c = monitor.metrics.createCounter('hits', 'Hits', { labelNames: ['v'] });
      c.increment(1, { v: 'a\uD800' });
      c.increment(2, { v: 'a\uDC00' });
      c.increment(4, { v: 'a\uFFFD' });
      c.increment(8, { v: 'emoji \u{1F600}' }); // a valid pair stays as it is
      const drops: DroppedMetric[] = [];
      const body = renderPrometheus(monitor, { format, onDrop: (d) => drops.push(d) });
      const sent = new TextDecoder().decode(new TextEncoder().encode(body));
      const lines = sent.split('\n').filter((l) => l.startsWith('hits_total{'));
      expect(lines).toEqual(['hits_total{v="a\uFFFD"} 1', 'hits_total{v="emoji \u{1F600}"} 8']);
      expect(body).toBe(sent); // the text itself is valid Unicode
      expect(drops).toEqual([
        { metric: 'hits', family: expect.any(String), reason: 'duplicate_series' },
        { metric: 'hits', family: expect.any(String), reason: 'duplicate_series' },
      ]);
    });
  }
});
