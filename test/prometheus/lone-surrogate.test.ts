/**
 * Label values holding a lone surrogate (not valid Unicode) are sent as U+FFFD once UTF-8
 * encoded, so values that differ only there would be one Prometheus series written twice
 * (Prometheus keeps the first and drops the rest as duplicate samples). The instruments merge
 * them (test/otlp/lone-surrogate.test.ts); a snapshot from elsewhere still may hold them: the
 * later ones are left out and reported as `duplicate_series`, as labels equal once renamed are.
 */
import { describe, expect, it } from 'vitest';
import { renderSnapshot, type DroppedMetric } from '../../src/exporters/prometheus/index.js';
import { counter, snapshot } from './fixtures.js';

describe('label values with lone surrogates', () => {
  for (const format of ['text', 'openmetrics'] as const) {
    it(`never write one series twice (${format})`, () => {
      const hits = counter('hits', 'Hits', '', [
        [{ v: 'a\uD800' }, 1],
        [{ v: 'a\uDC00' }, 2],
        [{ v: 'a\uFFFD' }, 4],
        [{ v: 'emoji \u{1F600}' }, 8], // a valid pair stays as it is
      ]);
      const drops: DroppedMetric[] = [];
      const body = renderSnapshot(snapshot(hits), { format, onDrop: (d) => drops.push(d) });
      const sent = new TextDecoder().decode(new TextEncoder().encode(body));
      const lines = sent.split('\n').filter((l) => l.startsWith('hits_total{'));
      expect(lines).toEqual(['hits_total{v="a\uFFFD"} 1', 'hits_total{v="emoji \u{1F600}"} 8']);
      expect(body).toBe(sent); // the text itself is valid Unicode
      expect(drops.map((d) => [d.metric, d.reason])).toEqual([['hits', 'duplicate_series'], ['hits', 'duplicate_series']]);
    });
  }
});
