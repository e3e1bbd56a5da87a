/**
 * Soak: SCALE.soakUpdates metric updates over a shifting set of SCALE.soakLabelSets label sets
 * (a window of 5,000 sets sliding over them), on a counter, a histogram, a gauge and a summary.
 * Memory stays bounded by the cardinality cap (default 2,000 series per instrument, then the
 * otel.metric.overflow series); every update past the cap is counted as cardinality_overflow.
 */
import { expect, it } from 'vitest';
import { createMonitor, NoOpBackend } from '../../src/index.js';
import { renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { droppedByReason } from './helpers/monitor-kit.js';
import { SCALE, record, settledHeap } from './helpers/scale.js';

it(`soak: ${SCALE.soakUpdates} updates over ${SCALE.soakLabelSets} shifting label sets`, { timeout: 300_000 }, async () => {
  const monitor = createMonitor({ serviceName: 'soak', backends: [new NoOpBackend()], onDiagnostic: () => undefined });
  const m = monitor.metrics;
  const counter = m.createCounter('soak_requests_total', 'soak', { labelNames: ['route', 'user'] });
  const hist = m.createHistogram('soak_latency_seconds', 'soak', { labelNames: ['route', 'user'] });
  const gauge = m.createGauge('soak_inflight', 'soak', { labelNames: ['route', 'user'] });
  const summary = m.createSummary('soak_size_bytes', 'soak', { labelNames: ['route', 'user'] });
  const cap = monitor.limits.cardinalityLimit;
  const U = SCALE.soakUpdates;
  const L = SCALE.soakLabelSets;
  const WINDOW = 5000;

  const heapBefore = await settledHeap();
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < U; i++) {
    // A window of WINDOW label sets that slides across all L sets over the run.
    const base = Math.floor((i / U) * (L - WINDOW));
    const k = base + ((i * 7919) % WINDOW);
    const labels = { route: `/r/${k % 97}`, user: `u${k}` };
    switch (i & 3) {
      case 0:
        counter.increment(1, labels);
        break;
      case 1:
        hist.observe((i % 1000) / 1000, labels);
        break;
      case 2:
        gauge.set(i, labels);
        break;
      default:
        summary.observe(i % 4096, labels);
    }
    if (i % Math.floor(U / 10) === 0 && i > 0) {
      // a delta export and a scrape in the middle, as in production
      m.collect({ temporality: 'delta' });
      renderPrometheus(monitor);
      samples.push(process.memoryUsage().heapUsed);
    }
  }
  const ms = performance.now() - t0;
  const snap = m.collect({ temporality: 'cumulative' });
  const heapAfter = await settledHeap();
  const series: Record<string, number> = {};
  for (const x of snap.metrics) series[x.name] = x.points.length;
  const overflowSeries = snap.metrics.filter((x) => x.points.some((p) => String(p.attributes['otel.metric.overflow']) === 'true')).length;
  const dropped = droppedByReason(monitor);
  await monitor.shutdown();

  for (const name of ['soak_requests_total', 'soak_latency_seconds', 'soak_inflight', 'soak_size_bytes']) {
    expect(series[name]).toBeLessThanOrEqual(cap + 1);
  }
  expect(overflowSeries).toBe(4);
  expect(dropped.cardinality_overflow).toBeGreaterThan(0);
  // Bounded: 4 instruments × 2,001 series (the summary's sketches included) fit well in 64 MB,
  // whatever the number of label sets seen.
  expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);
  record('soak', 'metrics', {
    updates: U,
    labelSets: L,
    cardinalityLimit: cap,
    seriesPerInstrument: series,
    overflowCounted: dropped.cardinality_overflow,
    seconds: +(ms / 1000).toFixed(1),
    heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(1),
    heapAfterMB: +(heapAfter / 2 ** 20).toFixed(1),
    heapSamplesMB: samples.map((s) => +(s / 2 ** 20).toFixed(1)),
  });
});
