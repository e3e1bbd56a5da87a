/** A real Pushgateway (Debian 1.5.1) receiving PUT, POST and DELETE from PushgatewayBackend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import type { TelemetryBatch } from '../../src/model/batch.js';
import type { MetricsSnapshot } from '../../src/model/metric-data.js';
import { awkwardSnapshot, counter, gauge, histogram, snapshot } from '../prometheus/fixtures.js';
import { freePort, poll, requireBinary, shouldRun, start, type Running } from '../prometheus/processes.js';

const batch = (metrics: MetricsSnapshot): TelemetryBatch => ({ resource: { attributes: {} }, scope: { name: 't' }, spans: [], logs: [], metrics });

interface Family {
  type: string;
  help?: string;
  metrics: { labels: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[];
}
type Group = { labels: Record<string, string> } & Record<string, Family | unknown>;

describe.runIf(shouldRun('prometheus-pushgateway'))('real Pushgateway', () => {
  let gateway: Running | undefined;
  let url = '';

  beforeAll(async () => {
    const binary = requireBinary('prometheus-pushgateway');
    const port = await freePort();
    // Debian's build persists to one shared file by default: each test's gateway starts empty and leaves nothing behind.
    gateway = start(binary, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=']);
    url = `http://127.0.0.1:${port}`;
    await poll('pushgateway ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 10_000, 50);
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  async function groups(): Promise<Group[]> {
    const json = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: Group[] };
    return json.data;
  }
  async function group(match: Record<string, string>): Promise<Group | undefined> {
    return (await groups()).find((g) => JSON.stringify(g.labels) === JSON.stringify(match));
  }

  it('PG-01, PG-02, PG-03, PG-09: PUT with a grouping key holding / and an empty value', async () => {
    const push = new PushgatewayBackend({ url, job: 'nightly/report', groupingKey: { path: '/var/tmp', shard: '', region: 'eu west' } });
    const r = await push.export(
      batch(
        snapshot(
          counter('rows.processed', 'Rows processed', '{row}', [[{ table: 'users' }, 1200]]),
          gauge('last.success', 'Last success', 's', [[{}, 1_700_000_000]]),
          histogram('batch.duration', 'Batch duration', 's', [1, 10], [[{}, [0.5, 3, 30]]]),
        ),
      ),
    );
    expect(r).toEqual({ ok: true });
    const g = (await group({ job: 'nightly/report', path: '/var/tmp', region: 'eu west', shard: '' }))!;
    expect(g).toBeDefined();
    const rows = g['rows_processed_total'] as Family;
    expect(rows.type).toBe('COUNTER');
    expect(rows.metrics[0]!.labels).toMatchObject({ job: 'nightly/report', path: '/var/tmp', shard: '', region: 'eu west', table: 'users' });
    expect(rows.metrics[0]!.value).toBe('1200');
    expect((g['last_success_seconds'] as Family).metrics[0]!.value).toBe('1.7e+09');
    const h = (g['batch_duration_seconds'] as Family).metrics[0]!;
    expect(h.buckets).toEqual({ '1': '1', '10': '2', '+Inf': '3' });
    expect([h.count, h.sum]).toEqual(['3', '33.5']);
    expect(g['last_push_successful']).toBe(true);
  });

  it('PG-02: grouping values "." and ".." name their own groups; deleting one leaves the parent group', async () => {
    const parent = new PushgatewayBackend({ url, job: 'dots' });
    const dots = new PushgatewayBackend({ url, job: 'dots', groupingKey: { inst: '..' } });
    const dot = new PushgatewayBackend({ url, job: 'dots', groupingKey: { inst: '.' } });
    expect(await parent.export(batch(snapshot(gauge('probe.parent', 'P', '', [[{}, 1]]))))).toEqual({ ok: true });
    expect(await dots.export(batch(snapshot(gauge('probe.dots', 'D', '', [[{}, 2]]))))).toEqual({ ok: true });
    expect(await dot.export(batch(snapshot(gauge('probe.dot', 'D', '', [[{}, 3]]))))).toEqual({ ok: true });
    expect(Object.keys((await group({ inst: '..', job: 'dots' }))!)).toContain('probe_dots');
    expect(Object.keys((await group({ inst: '.', job: 'dots' }))!)).toContain('probe_dot');
    const p = (await group({ job: 'dots' }))!;
    expect(Object.keys(p)).toContain('probe_parent');
    expect(Object.keys(p)).not.toContain('probe_dots');
    expect(await dots.delete()).toEqual({ ok: true });
    await poll('group deleted', async () => ((await group({ inst: '..', job: 'dots' })) === undefined ? true : undefined), 5000, 50);
    expect(Object.keys((await group({ job: 'dots' }))!)).toContain('probe_parent');
  });

  it('PG-04: POST replaces only the pushed names; PG-03: PUT replaces the whole group', async () => {
    const key = { instance: 'worker-1' };
    const put = new PushgatewayBackend({ url, job: 'modes', groupingKey: key });
    const post = new PushgatewayBackend({ url, job: 'modes', groupingKey: key, method: 'POST' });
    const a = (v: number) => counter('a', 'A', '', [[{}, v]]);
    const b = (v: number) => gauge('b', 'B', '', [[{}, v]]);
    expect(await put.export(batch(snapshot(a(1), b(1))))).toEqual({ ok: true });
    expect(await post.export(batch(snapshot(a(5))))).toEqual({ ok: true });
    let g = (await group({ instance: 'worker-1', job: 'modes' }))!;
    expect((g['a_total'] as Family).metrics[0]!.value).toBe('5');
    expect((g['b'] as Family).metrics[0]!.value).toBe('1');
    expect(await put.export(batch(snapshot(a(7))))).toEqual({ ok: true });
    g = (await group({ instance: 'worker-1', job: 'modes' }))!;
    expect((g['a_total'] as Family).metrics[0]!.value).toBe('7');
    expect(g['b']).toBeUndefined();
  });

  it('PG-05: delete() removes the group (202)', async () => {
    const push = new PushgatewayBackend({ url, job: 'doomed', groupingKey: { path: '/x/y', empty: '' } });
    expect(await push.export(batch(snapshot(gauge('g', 'G', '', [[{}, 1]]))))).toEqual({ ok: true });
    expect(await group({ empty: '', job: 'doomed', path: '/x/y' })).toBeDefined();
    expect(await push.delete()).toEqual({ ok: true });
    await poll('group deleted', async () => ((await group({ empty: '', job: 'doomed', path: '/x/y' })) === undefined ? true : undefined), 5000, 50);
  });

  it('PG-07, PG-08: awkward names and label values are accepted; a TYPE conflict across groups is a reported failure', async () => {
    const awkward = new PushgatewayBackend({ url, job: 'awkward' });
    expect(await awkward.export(batch(awkwardSnapshot()))).toEqual({ ok: true });
    const g = (await group({ job: 'awkward' }))!;
    const routes = (g['http_server_requests_total'] as Family).metrics.map((m) => m.labels.http_route).sort();
    expect(routes).toEqual(['/a"quoted\\path\nnext', '/users/:id', '日本語/ü'].sort());

    const other = new PushgatewayBackend({ url, job: 'conflict', headers: { 'x-api-key': 'k-123456' } });
    // Within one push the later of two colliding metrics is dropped (MET-13), so the push is consistent.
    const r = await other.export(batch(snapshot(gauge('queue_depth_total', 'a gauge', '', [[{}, 1]]), counter('queue_depth', 'x', '', [[{}, 1]]))));
    // The push succeeds and says what it left out, so the monitor counts it (export_rejected).
    expect(r).toEqual({ ok: true, rejected: { dataPoints: 1 }, error: expect.stringContaining('metric "queue_depth" was left out of the push (name_conflict') });
    // Across groups the gateway refuses a name whose TYPE differs from another group's (PG-08).
    const clash = await other.export(batch(snapshot(gauge('http_server_requests_total', 'a gauge now', '', [[{}, 1]]))));
    expect(clash.ok).toBe(false);
    expect(clash.reason).toBe('export_failed');
    expect(clash.error).toMatch(/^Pushgateway answered 400/);
    expect(clash.error).not.toContain('k-123456');
  });

  it('PG-06, PG-08: the 400 answer reaches the user with its end, which says what is wrong, even when it quotes a whole histogram', async () => {
    const labels = { route: '/api/v1/organisations/:org/projects/:project/builds', method: 'GET' };
    const record = async (job: string, kind: 'summary' | 'histogram', onDiagnostic: (d: { message: string }) => void = () => {}) => {
      const monitor = createMonitor({ serviceName: 'types', backends: [new PushgatewayBackend({ url, job })], onDiagnostic });
      const options = { unit: 's', labelNames: ['route', 'method'] };
      if (kind === 'summary') monitor.metrics.createSummary('request.latency', 'L', options).observe(0.3, labels);
      else monitor.metrics.createHistogram('request.latency', 'L', { ...options, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }).observe(0.3, labels);
      const r = (await monitor.flush()).backends[0]!;
      await monitor.shutdown();
      return r;
    };
    expect(await record('types-a', 'summary')).toEqual({ name: 'pushgateway', ok: true });
    const diagnostics: string[] = [];
    const r = await record('types-b', 'histogram', (d) => diagnostics.push(d.message));
    expect(r).toMatchObject({ ok: false, reason: 'export_failed' });
    // The gateway quotes one of the two clashing metrics (the pushed histogram with every bucket,
    // or the stored summary with every quantile) and only then says what is wrong.
    expect(r.error).toMatch(/^Pushgateway answered 400: pushed metrics are invalid or inconsistent with existing metrics: collected metric "request_latency_seconds" .* is not a (SUMMARY|HISTOGRAM)$/s);
    expect(r.error!.length).toBeLessThan(700);
    expect(diagnostics.some((m) => m.startsWith('backend "pushgateway" could not export: Pushgateway answered 400') && / is not a (SUMMARY|HISTOGRAM)$/.test(m))).toBe(true);
  });

  it('a metric label named like the job or a grouping-key label: those series are left out (the gateway would rewrite them, or answer 400 for two made one); the rest arrives', async () => {
    const push = new PushgatewayBackend({ url, job: 'labels', groupingKey: { inst: 'c' } });
    const r = await push.export(
      batch(
        snapshot(
          gauge('shards', 'S', '', [[{ inst: 'a' }, 1], [{ inst: 'b' }, 2], [{ inst: 'c' }, 3]]),
          gauge('queue', 'Q', '', [[{ job: 'mailer' }, 4]]),
          gauge('rows', 'R', '', [[{}, 5]]),
        ),
      ),
    );
    expect(r).toEqual({ ok: true, rejected: { dataPoints: 3 }, error: expect.stringContaining('(label_conflict: its label "job" is the "job" option') });
    const g = (await group({ inst: 'c', job: 'labels' }))!;
    expect((g['shards'] as Family).metrics.map((m) => [m.labels, m.value])).toEqual([[{ inst: 'c', instance: '', job: 'labels' }, '3']]);
    expect((g['rows'] as Family).metrics[0]!.value).toBe('5');
    expect(g['queue']).toBeUndefined();
  });

  it('end to end: a monitor with PushgatewayBackend pushes on flush (a batch job finishing)', async () => {
    const push = new PushgatewayBackend({ url, job: 'e2e-batch', groupingKey: { instance: '' } });
    const monitor = createMonitor({ serviceName: 'batch', backends: [push] });
    const rows = monitor.metrics.createCounter('rows.processed', 'Rows processed', { labelNames: ['table'] });
    rows.increment(41, { table: 'orders' });
    rows.increment(1, { table: 'orders' });
    const duration = monitor.metrics.createHistogram('job.duration', 'Job duration', { unit: 's', buckets: [1, 10] });
    duration.observe(4.5);
    await monitor.flush();
    await monitor.shutdown();
    const g = (await group({ instance: '', job: 'e2e-batch' }))!;
    expect((g['rows_processed_total'] as Family).metrics[0]!.value).toBe('42');
    expect((g['job_duration_seconds'] as Family).metrics[0]!.buckets).toEqual({ '1': '0', '10': '1', '+Inf': '1' });
  });

  it('PG-11: the library adds no instance label of its own: a push without one in the key or body is exported by the gateway with instance=""', async () => {
    const push = new PushgatewayBackend({ url, job: 'no-instance' });
    expect(await push.export(batch(snapshot(counter('orders.done', 'Orders', '', [[{ shop: 'a' }, 3]]))))).toEqual({ ok: true });
    expect(await group({ job: 'no-instance' })).toBeDefined();
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('\norders_done_total{instance="",job="no-instance",shop="a"} 3\n');
  });

  it('PG-12: isolates sharing a grouping key overwrite each other (the group holds the last PUT, not the sum); a key per isolate keeps each, until deleted', async () => {
    const isolate = async (groupingKey: Record<string, string>, served: number) => {
      const monitor = createMonitor({ serviceName: 'fleet', backends: [new PushgatewayBackend({ url, job: 'fleet', groupingKey })], onDiagnostic: () => {} });
      monitor.metrics.createCounter('requests.served', 'Requests served').increment(served);
      await monitor.flush();
      await monitor.shutdown();
    };
    const served = async (labels: Record<string, string>) => ((await group(labels))?.['requests_served_total'] as Family | undefined)?.metrics[0]!.value;
    await isolate({}, 5);
    await isolate({}, 2);
    expect(await served({ job: 'fleet' })).toBe('2');
    await isolate({ isolate: 'a' }, 5);
    await isolate({ isolate: 'b' }, 2);
    expect([await served({ isolate: 'a', job: 'fleet' }), await served({ isolate: 'b', job: 'fleet' })]).toEqual(['5', '2']);
  });

  it('PG-03: an empty PUT that fails (the last series removed, the gateway unreachable for a moment) goes again at the next flush, so the group empties', async () => {
    let down = false;
    const fetchOnce = (input: string | URL | Request, init?: RequestInit) => (down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const monitor = createMonitor({ serviceName: 'blip', backends: [new PushgatewayBackend({ url, job: 'empty-retry', fetch: fetchOnce, timeoutMs: 400 })] });
    const c = monitor.metrics.createCounter('blip.jobs', 'Jobs', { labelNames: ['queue'] });
    c.increment(3, { queue: 'mail' });
    await monitor.flush();
    expect(((await group({ job: 'empty-retry' }))?.['blip_jobs_total'] as Family).metrics[0]!.value).toBe('3');
    c.remove({ queue: 'mail' });
    down = true;
    const failed = await monitor.flush();
    expect(failed.backends[0]).toMatchObject({ ok: false, reason: 'export_failed' });
    expect((await group({ job: 'empty-retry' }))?.['blip_jobs_total']).toBeDefined();
    down = false;
    // Nothing was recorded since: the empty PUT is sent again all the same.
    const again = await monitor.flush();
    expect(again).toMatchObject({ metricPoints: 0, backends: [{ ok: true }] });
    expect((await group({ job: 'empty-retry' }))?.['blip_jobs_total']).toBeUndefined();
    // Once it arrived, a flush with no change sends nothing more.
    const calls: string[] = [];
    const spy = monitor.backends[0] as PushgatewayBackend;
    const original = spy.export.bind(spy);
    spy.export = (b) => (calls.push('export'), original(b));
    await monitor.flush();
    expect(calls).toEqual([]);
    await monitor.shutdown();
  });

  it('an unreachable gateway resolves export_failed', async () => {
    const dead = new PushgatewayBackend({ url: `http://127.0.0.1:${await freePort()}`, job: 'j', timeoutMs: 2000 });
    const r = await dead.export(batch(snapshot(gauge('g', 'G', '', [[{}, 1]]))));
    expect(r).toMatchObject({ ok: false, reason: 'export_failed' });
  });
});
