/**
 * An observable callback that observes after an await: collection is synchronous, so the value
 * is not recorded; each such value is a drop, counted (collect_callback) as a throwing callback's is.
 */
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Monitor } from '../monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

function dropped(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  const out: Record<string, number> = {};
  for (const p of m?.points ?? []) out[String(p.attributes.reason)] = (p as { value: number }).value;
  return out;
}

describe('an observable callback observing after an await', () => {
  it('each value it observes late is counted as collect_callback, at every collection', async () => {
    const { monitor } = createTestMonitor();
    registerOpenTelemetry(monitor);
    let late: Promise<void> = Promise.resolve();
    const gauge = metrics.getMeter('m').createObservableGauge('queue_depth');
    gauge.addCallback((r) => {
      late = (async () => {
        await null;
        r.observe(1);
      })();
    });
    for (let i = 0; i < 2; i++) {
      monitor.metrics.collect();
      await late;
    }
    // dropped() collects once more, and its callback's late value comes after it reads the count.
    expect(dropped(monitor).collect_callback).toBe(2);
    await late;
  });
});
