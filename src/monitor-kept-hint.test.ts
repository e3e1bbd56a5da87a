import { expect, test } from 'vitest';
import { createMonitor } from './monitor.js';
import type { Backend } from './model/batch.js';

// A script that ends with flush() while the collector is down: the backend keeps the metrics for
// a next export that never comes. The report says so, and what to call instead.
test('a flush whose backend kept its data for later says that only monitor.shutdown() delivers or counts it', async () => {
  const seen: string[] = [];
  const keeping: Backend = {
    name: 'otlp',
    temporality: 'delta',
    export: async () => ({ ok: true, error: 'metrics to http://c/v1/metrics: connection refused; 1 data points kept for the next export' }),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const monitor = createMonitor({ serviceName: 'job', backends: [keeping], onDiagnostic: (d) => void seen.push(d.message) });
  monitor.metrics.createCounter('imported_rows_total', 'rows').increment(5000);
  const r = await monitor.flush();
  expect(r.backends[0]!.ok).toBe(true);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatch(/^backend "otlp" could not export, nothing lost yet: metrics to .*\(kept for the next export; end with monitor\.shutdown\(\), or an exit loses it uncounted\)$/);
});
