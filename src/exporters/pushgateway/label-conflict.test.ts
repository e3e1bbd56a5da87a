import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';
import { batch, recording } from '../../../test/pushgateway/helpers/recording.js';

function dropped(monitor: ReturnType<typeof createTestMonitor>['monitor']): number | undefined {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return m?.type === 'counter' ? m.points.find((p) => p.attributes.reason === 'export_rejected')?.value : undefined;
}

// The gateway writes `job` and the grouping key on every series it stores: a pushed series with
// one of those labels at another value is silently rewritten, and two such series made one make
// it answer 400 to every push. Such series are left out and counted, as the gateway's own
// push_time_seconds is (PG-10), and the rest of the push goes.
describe('PushgatewayBackend: a metric label named like the job or a grouping-key label', () => {
  it('its series are left out and counted (rejected.dataPoints); the rest, and a series with the same value, are pushed', async () => {
    const { push, bodies } = recording({ groupingKey: { instance: 'eu-1' } });
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ backends: [push], onDiagnostic: (d) => seen.push(d) });
    const runs = monitor.metrics.createCounter('runs', 'Runs', { labelNames: ['instance'] });
    runs.increment(1, { instance: 'a' });
    runs.increment(2, { instance: 'b' });
    runs.increment(3, { instance: 'eu-1' }); // the gateway's value: left as it is, so pushed
    monitor.metrics.createGauge('queue', 'Queue', { labelNames: ['job'] }).set(4, { job: 'mailer' });
    monitor.metrics.createGauge('rows', 'Rows').set(5);

    const result = await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })));
    expect(result).toMatchObject({ ok: true, rejected: { dataPoints: 3 } });
    expect(result.error).toBe(
      'a series of metric "queue" was left out of the push (label_conflict: its label "job" is the "job" option, which the gateway writes on every series); rename the label or leave it out',
    );
    expect(bodies[0]).toBe('# HELP queue Queue\n# TYPE queue gauge\n# HELP rows Rows\n# TYPE rows gauge\nrows 5\n# HELP runs_total Runs\n# TYPE runs_total counter\nruns_total{instance="eu-1"} 3\n');

    await monitor.flush();
    expect(dropped(monitor)).toBe(3);
    expect(seen.filter((d) => d.kind === 'export_rejected').map((d) => d.message)).toEqual([expect.stringContaining('label_conflict')]);
  });

  it('a key renamed to a grouping-key label (instance.name → instance_name) counts as one', async () => {
    const { push, bodies } = recording({ groupingKey: { instance_name: 'x' } });
    const { monitor } = createTestMonitor();
    monitor.metrics.createCounter('hits', 'Hits').increment(1, { 'instance.name': 'x' });
    const result = await push.export(batch(monitor.metrics.collect({ temporality: 'cumulative' })));
    expect(result).toMatchObject({ ok: true, rejected: { dataPoints: 1 }, error: expect.stringContaining('its label "instance_name" is the grouping key\'s') });
    expect(bodies[0]).not.toContain('hits_total{');
  });
});
