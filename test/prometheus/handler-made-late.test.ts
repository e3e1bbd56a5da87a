// With a delta backend beside a PrometheusBackend, a series that went idle must still be scraped
// with its total when the handler is made late (inside a route, on the first request): the
// backend itself says a scrape reads totals, before any handler exists.
import { expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';
import { PrometheusBackend } from '../../src/exporters/prometheus/index.js';
import { SCOPE_LABELS as S } from './fixtures.js';

it('an idle series keeps its total for a PrometheusBackend whose handler is made after some flushes', async () => {
  const prometheus = new PrometheusBackend();
  const monitor = createMonitor({ serviceName: 'x', backends: [new MemoryBackend({ temporality: 'delta' }), prometheus], onDiagnostic: () => {} });
  monitor.metrics.createCounter('jobs', 'Jobs', { labelNames: ['a'] }).increment(3, { a: 'x' });
  const other = monitor.metrics.createCounter('other', 'Other');
  // Collections go on (another series changes); `jobs` stays idle through them.
  for (let i = 0; i < 3; i++) {
    other.increment();
    await monitor.flush();
  }
  const res = await prometheus.handler(monitor)(new Request('http://app/metrics'));
  expect(await res!.text()).toContain(`\njobs_total{a="x",${S}} 3\n`);
});
