import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';
import { batch, recording } from '../../../test/pushgateway/helpers/recording.js';

// A metric the push leaves out (its Prometheus name clashes with another's, or with the gateway's
// own push_time_seconds) must be counted by the monitor, not vanish (DESIGN §5, MET-13, PG-10).
describe('PushgatewayBackend: metrics left out of a push are counted', () => {
  it('the export resolves ok with rejected.dataPoints, and the monitor counts it', async () => {
    const { push, bodies } = recording();
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ backends: [push], onDiagnostic: (d) => seen.push(d) });
    monitor.metrics.createCounter('jobs.done', 'dots').increment(1);
    monitor.metrics.createCounter('jobs_done', 'underscores').increment(2);
    monitor.metrics.createGauge('push.time', 'clashes with the gateway', { unit: 's' }).set(5);

    const result = await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })));
    expect(result).toMatchObject({ ok: true, rejected: { dataPoints: 2 } });
    expect(bodies[0]).toContain('jobs_done_total 1\n');
    expect(bodies[0]).not.toContain('push_time_seconds');

    await monitor.flush();
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    const p = m?.type === 'counter' ? m.points.find((x) => x.attributes.reason === 'export_rejected') : undefined;
    expect(p?.value).toBe(2);
    expect(seen.some((d) => d.kind === 'export_rejected' && d.message.includes('pushgateway'))).toBe(true);
  });

  it('a push with nothing left out resolves plain ok', async () => {
    const { push } = recording({ job: 'j' });
    const { monitor } = createTestMonitor();
    monitor.metrics.createCounter('a', 'a').increment(1);
    const result = await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })));
    expect(result).toEqual({ ok: true });
  });
});

describe("PushgatewayBackend: the report of a metric left out says which and what to change", () => {
  it('names the metric and its clash (the gateway\'s own push_time_seconds, or an earlier metric) instead of only a count', async () => {
    const { push } = recording({ job: 'j' });
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ backends: [push], onDiagnostic: (d) => seen.push(d) });
    monitor.metrics.createGauge('push_time_seconds', 'mine').set(3);
    await monitor.flush();
    const report = seen.find((d) => d.kind === 'export_rejected')?.message;
    expect(report).toBe(
      'backend "pushgateway" rejected 1 items: metric "push_time_seconds" was left out of the push (name_conflict: family "push_time_seconds"); rename it or the metric it clashes with (push_time_seconds and push_failure_time_seconds are the gateway\'s own)',
    );

    const { monitor: m } = createTestMonitor();
    m.metrics.createCounter('jobs.done', 'dots').increment(1);
    m.metrics.createCounter('jobs_done', 'underscores').increment(2);
    const other = await push.export(batch(m.metrics.collect({ temporality: 'cumulative' })));
    expect(other).toMatchObject({ ok: true, rejected: { dataPoints: 1 } });
    expect(other.error).toContain('metric "jobs_done" was left out of the push (name_conflict');
  });
});
