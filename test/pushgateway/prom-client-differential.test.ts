/**
 * Differential test against prom-client 15.1.3's `Pushgateway`: each scenario records the same
 * metrics through a prom-client registry and through a monitor whose backend is a
 * `PushgatewayBackend` (pushed by `monitor.flush()`), each run against a freshly wiped real
 * Pushgateway (Debian 1.5.1, `--web.enable-admin-api`). What the gateway shows afterwards on
 * `/api/v1/metrics` and `/metrics` (groups, names, label sets, values, push_time_seconds set or
 * not) and the status of every push are compared. Differences are either listed as accepted
 * (ACCEPTED below, each with its reason) or fail the test.
 */
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/index.js';
import { PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import type { Backend, TelemetryBatch } from '../../src/model/batch.js';
import { freePort, poll, requireBinary, shouldRun, start, type Running } from '../prometheus/processes.js';

type Labels = Record<string, string>;
interface Target {
  job: string;
  key?: Labels;
  method?: 'PUT' | 'POST';
}

/** One client's registry: prom-client's `Registry`, or one monitor. Statuses: 'ok', an HTTP code, or 'none' (nothing sent). */
interface Side {
  counter(name: string, labelNames?: string[]): { inc(v: number, l?: Labels): void; remove(l: Labels): void; reset(): void };
  gauge(name: string, labelNames?: string[]): { set(v: number, l?: Labels): void; reset(): void };
  histogram(name: string, buckets: number[], labelNames?: string[]): { observe(v: number, l?: Labels): void };
  summary(name: string, labelNames?: string[]): { observe(v: number, l?: Labels): void };
  resetAll(): void;
  push(t: Target): Promise<string>;
  delete(t: Target): Promise<string>;
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99]; // ours by default; prom-client is given the same

function promClientSide(gw: string): Side {
  const reg = new client.Registry();
  const registers = [reg];
  const status = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      return /status (\d+)/.exec(String(err))?.[1] ?? String(err);
    }
  };
  const gateway = new client.Pushgateway(gw, {}, reg);
  return {
    counter: (name, labelNames = []) => {
      const c = new client.Counter({ name: name + '_total', help: name, labelNames, registers });
      return { inc: (v, l = {}) => c.inc(l, v), remove: (l) => c.remove(l), reset: () => c.reset() };
    },
    gauge: (name, labelNames = []) => {
      const g = new client.Gauge({ name, help: name, labelNames, registers });
      return { set: (v, l = {}) => g.set(l, v), reset: () => g.reset() };
    },
    histogram: (name, buckets, labelNames = []) => {
      const h = new client.Histogram({ name, help: name, buckets, labelNames, registers });
      return { observe: (v, l = {}) => h.observe(l, v) };
    },
    summary: (name, labelNames = []) => {
      const s = new client.Summary({ name, help: name, percentiles: QUANTILES, labelNames, registers });
      return { observe: (v, l = {}) => s.observe(l, v) };
    },
    resetAll: () => reg.resetMetrics(),
    push: (t) => status((t.method === 'POST' ? gateway.pushAdd : gateway.push).call(gateway, { jobName: t.job, groupings: t.key })),
    delete: (t) => status(gateway.delete({ jobName: t.job, groupings: t.key })),
  };
}

/** One monitor; its one backend hands each flush to the PushgatewayBackend of the target asked for. */
function monitorSide(gw: string, monitors: Monitor[]): Side {
  let target: PushgatewayBackend | undefined;
  const router: Backend = {
    name: 'pushgateway',
    temporality: 'cumulative',
    export: (b: TelemetryBatch) => target!.export(b),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const monitor = createMonitor({ serviceName: 'diff', backends: [router], onDiagnostic: () => {} });
  monitors.push(monitor);
  const m = monitor.metrics;
  const created: { reset(): void }[] = [];
  const backend = (t: Target) => new PushgatewayBackend({ url: gw, job: t.job, groupingKey: t.key ?? {}, method: t.method ?? 'PUT' });
  const keep = <T extends { reset(): void }>(x: T): T => (created.push(x), x);
  return {
    counter: (name, labelNames) => {
      const c = keep(m.createCounter(name, name, labelNames ? { labelNames } : {}));
      return { inc: (v, l) => c.increment(v, l), remove: (l) => void c.remove(l), reset: () => c.reset() };
    },
    gauge: (name, labelNames) => {
      const g = keep(m.createGauge(name, name, labelNames ? { labelNames } : {}));
      return { set: (v, l) => g.set(v, l), reset: () => g.reset() };
    },
    histogram: (name, buckets, labelNames) => {
      const h = keep(m.createHistogram(name, name, { buckets, ...(labelNames ? { labelNames } : {}) }));
      return { observe: (v, l) => h.observe(v, l) };
    },
    summary: (name, labelNames) => {
      const s = keep(m.createSummary(name, name, labelNames ? { labelNames } : {}));
      return { observe: (v, l) => s.observe(v, l) };
    },
    resetAll: () => created.forEach((x) => x.reset()),
    push: async (t) => {
      target = backend(t);
      const r = (await monitor.flush()).backends[0];
      if (r === undefined) return 'none';
      return r.ok ? 'ok' : (/answered (\d+)/.exec(r.error ?? '')?.[1] ?? String(r.error));
    },
    delete: async (t) => {
      const r = await backend(t).delete();
      return r.ok ? 'ok' : String(r.error);
    },
  };
}

interface Scenario {
  name: string;
  /** Records and pushes through `make()`'s sides; returns the statuses of the pushes in order. */
  run(make: () => Side): Promise<string[]>;
}

const ESCAPES = ['a"b\\c\nd', '日本語/ü', 'emoji 🚀'];

const SCENARIOS: Scenario[] = [
  {
    name: 'PUT with a plain grouping key, counter and gauge',
    run: async (make) => {
      const s = make();
      s.counter('jobs_done', ['kind']).inc(3, { kind: 'a' });
      s.gauge('queue_depth').set(7);
      return [await s.push({ job: 'plain', key: { instance: 'i1', shard: '3' } })];
    },
  },
  {
    name: 'PG-04: POST replaces only the names pushed (b kept), PG-03: a later PUT drops b',
    run: async (make) => {
      const all = make();
      all.counter('a').inc(1);
      all.gauge('b').set(1);
      const only = make();
      only.counter('a').inc(5);
      const later = make();
      later.counter('a').inc(7);
      const t = { job: 'modes', key: { instance: 'w1' } };
      const statuses = [await all.push(t), await only.push({ ...t, method: 'POST' })];
      return [...statuses, await later.push(t)];
    },
  },
  {
    name: 'PG-03: a PUT after a series was removed drops it',
    run: async (make) => {
      const s = make();
      const c = s.counter('removed', ['k']);
      c.inc(1, { k: 'x' });
      c.inc(2, { k: 'y' });
      const first = await s.push({ job: 'remove-put' });
      c.remove({ k: 'y' });
      return [first, await s.push({ job: 'remove-put' })];
    },
  },
  {
    name: 'PG-04: a POST without a metric the group holds keeps it',
    run: async (make) => {
      const s = make();
      s.counter('kept').inc(1);
      s.gauge('also').set(2);
      const t: Target = { job: 'remove-post', method: 'POST' };
      const first = await s.push(t);
      const other = make();
      other.gauge('also').set(3);
      return [first, await other.push(t)];
    },
  },
  ...(
    [
      ['slash', '/var/tmp'],
      ['empty', ''],
      ['dot', '.'],
      ['dotdot', '..'],
      ['unicode', '日本語 ü'],
      ['reserved', 'a b?#%&+'],
    ] as const
  ).map(
    ([what, value]): Scenario => ({
      name: `PG-02: grouping-key value ${what} ${JSON.stringify(value)}`,
      run: async (make) => {
        const s = make();
        s.gauge('keyed').set(1);
        return [await s.push({ job: 'keys', key: { v: value, after: 'x' } })];
      },
    }),
  ),
  {
    name: 'several groups under one job, then PG-05: delete one of them',
    run: async (make) => {
      const a = make();
      a.gauge('per_group').set(1);
      const b = make();
      b.gauge('per_group').set(2);
      const statuses = [await a.push({ job: 'groups', key: { g: 'a' } }), await b.push({ job: 'groups', key: { g: 'b' } })];
      statuses.push(await a.delete({ job: 'groups', key: { g: 'a' } }));
      statuses.push(await a.delete({ job: 'groups', key: { g: 'never-pushed' } }));
      return statuses;
    },
  },
  {
    name: 'PG-07: counters, gauges, histograms and summaries with label values needing escapes',
    run: async (make) => {
      const s = make();
      const c = s.counter('esc', ['v']);
      const g = s.gauge('esc_level', ['v']);
      const h = s.histogram('esc_hist', [0.5, 1, 5], ['v']);
      const q = s.summary('esc_summary', ['v']);
      ESCAPES.forEach((v, i) => {
        c.inc(i + 1, { v });
        g.set(-i - 0.5, { v });
        for (const x of [0.5, 2, 10]) h.observe(x * (i + 1), { v });
        for (let n = 0; n < 3; n++) q.observe(i + 1, { v }); // one value: every quantile is that value on both sides
      });
      return [await s.push({ job: 'types' })];
    },
  },
  {
    name: 'a push after the metrics were reset',
    run: async (make) => {
      const s = make();
      s.counter('reset_plain').inc(4);
      s.gauge('reset_labelled', ['k']).set(2, { k: 'x' });
      const first = await s.push({ job: 'reset' });
      s.resetAll();
      s.gauge('reset_after').set(1);
      return [first, await s.push({ job: 'reset' })];
    },
  },
  {
    name: 'PG-03: a PUT after every series was reset',
    run: async (make) => {
      const s = make();
      const c = s.counter('all_reset', ['k']);
      c.inc(4, { k: 'x' });
      const first = await s.push({ job: 'all-reset' });
      c.reset();
      return [first, await s.push({ job: 'all-reset' })];
    },
  },
  {
    // The gateway takes a pushed gauge of its own name and overrides it (PG-10); ours leaves it
    // out of the body and counts it (export_rejected), which the next push carries.
    name: "PG-10: a metric named like the gateway's own push_time_seconds",
    run: async (make) => {
      const s = make();
      s.gauge('push_time_seconds').set(1);
      const beside = s.gauge('beside');
      beside.set(2);
      const first = await s.push({ job: 'own-names' });
      beside.set(3);
      return [first, await s.push({ job: 'own-names' })];
    },
  },
  ...(['nightly/report', 'a b', 'ü-job', '..'] as const).map(
    (job): Scenario => ({
      name: `PG-01, PG-02: job name ${JSON.stringify(job)}`,
      run: async (make) => {
        const s = make();
        s.gauge('job_named').set(1);
        return [await s.push({ job })];
      },
    }),
  ),
  {
    name: 'PG-11: no instance label: the gateway exports instance=""',
    run: async (make) => {
      const s = make();
      s.counter('no_instance', ['shop']).inc(3, { shop: 'a' });
      return [await s.push({ job: 'no-instance' })];
    },
  },
  {
    name: 'PG-01: body labels that clash with the grouping key are overwritten by the key',
    run: async (make) => {
      const s = make();
      s.gauge('clash', ['shard', 'instance', 'other']).set(1, { shard: 'body', instance: 'body', other: 'kept' });
      return [await s.push({ job: 'clash', key: { shard: 'key', instance: 'key' } })];
    },
  },
  {
    name: 'PG-01: two body series made one by the grouping key',
    run: async (make) => {
      const s = make();
      const shards = s.gauge('shards', ['inst']);
      shards.set(1, { inst: 'a' });
      shards.set(2, { inst: 'b' });
      s.gauge('rows').set(5);
      return [await s.push({ job: 'shards', key: { inst: 'c' } })];
    },
  },
  {
    name: 'PG-08, PG-10: a TYPE conflict with another group is 400 and sets push_failure_time_seconds',
    run: async (make) => {
      const a = make();
      a.counter('conflicting').inc(1);
      const b = make();
      b.gauge('conflicting_total').set(1);
      return [await a.push({ job: 'conflict', key: { g: 'a' } }), await b.push({ job: 'conflict', key: { g: 'b' } })];
    },
  },
  {
    name: 'a second push with nothing recorded in between',
    run: async (make) => {
      const s = make();
      s.gauge('unchanged').set(1);
      return [await s.push({ job: 'unchanged' }), await s.push({ job: 'unchanged' })];
    },
  },
];

type Result = { statuses: string[]; view: View };
const labelsOf = ({ view: v }: Result): Labels[] => v.groups.map((g) => (g as { labels: Labels }).labels);
const samples = ({ view: v }: Result): string[] => v.text.filter((l) => !l.startsWith('#') && !l.startsWith('push_'));

/**
 * Accepted differences, by scenario name (prefix), each with why; `check` pins down what each
 * side does instead. Any other difference fails. Names are not a difference here: prom-client
 * is given the names ours derives (counters with `_total`, MET-13) and no units are used;
 * neither side pushes `_created` in text 0.0.4; ours pushes cumulative values (the backend's
 * temporality is cumulative), as prom-client does. Ours adds no instance label (PG-11) and no
 * per-isolate grouping key of its own (PG-12): the key is what the user gives, as with prom-client.
 */
const ACCEPTED: Record<string, { why: string; check(ours: Result, theirs: Result): void }> = {
  // prom-client sends encodeURIComponent(value) and never @base64 (PG-02). The gateway answers
  // "%2F" and an empty segment with a redirect, which prom-client's plain http.request takes as
  // success (< 400) without following it: nothing is stored. "." and ".." are resolved away by
  // url.resolve: "." leaves "after" as the label's value (400), ".." drops the label (and for a
  // job, the job: 404). Ours sends @base64 for these.
  'PG-02: grouping-key value slash': { why: 'prom-client: %2F redirected, reported as success, nothing stored', check: keyKept('/var/tmp', 'ok', []) },
  'PG-02: grouping-key value empty': { why: 'prom-client: empty segment redirected, nothing stored', check: keyKept('', 'ok', []) },
  'PG-02: grouping-key value dot ': { why: 'prom-client: "." resolved away, "after" taken as the value (400)', check: keyKept('.', '400', []) },
  'PG-02: grouping-key value dotdot': { why: 'prom-client: ".." resolved away with its label', check: keyKept('..', 'ok', [{ after: 'x', job: 'keys' }]) },
  'PG-01, PG-02: job name "nightly/report"': {
    why: 'prom-client: %2F in the job is refused (400)',
    check: (ours, theirs) => {
      expect([ours.statuses, theirs.statuses]).toEqual([['ok'], ['400']]);
      expect(labelsOf(ours)).toEqual([{ job: 'nightly/report' }]);
    },
  },
  'PG-01, PG-02: job name ".."': {
    why: 'prom-client: ".." resolved away with the job (404)',
    check: (ours, theirs) => {
      expect([ours.statuses, theirs.statuses]).toEqual([['ok'], ['404']]);
      expect(labelsOf(ours)).toEqual([{ job: '..' }]);
    },
  },
  // A reset metric shows no series until it records again (README; prom-client shows an
  // unlabelled one at 0 from its reset, and drops labelled ones as ours does).
  'a push after the metrics were reset': {
    why: 'no series before a first value',
    check: (ours, theirs) => {
      expect(samples(theirs)).toEqual(['reset_after{instance="",job="reset"} 1', 'reset_plain_total{instance="",job="reset"} 0']);
      expect(samples(ours)).toEqual(['reset_after{instance="",job="reset"} 1']);
    },
  },
  // The library's self-metrics travel with its own: here the count of the metric left out above.
  "PG-10: a metric named like the gateway's own push_time_seconds": {
    why: "ours counts what it leaves out, in lexigram_monitor_dropped_total",
    check: (ours, theirs) => {
      expect(ours.statuses).toEqual(theirs.statuses);
      const own = samples(ours).filter((l) => l.startsWith('lexigram_monitor_'));
      expect(own).toEqual(['lexigram_monitor_dropped_total{instance="",job="own-names",reason="export_rejected"} 1']);
      expect(samples(ours).filter((l) => !own.includes(l))).toEqual(samples(theirs));
    },
  },
  // The gateway writes the grouping key over a body label of the same name: prom-client's series
  // arrive under a value they never had, and two series made one are refused (400), every push.
  // Ours leaves such a series out, counted as export_rejected, and pushes the rest.
  'PG-01: body labels that clash with the grouping key': {
    why: 'ours leaves out a series whose label the gateway would overwrite, and counts it',
    check: (ours, theirs) => {
      expect(ours.statuses).toEqual(theirs.statuses);
      expect(samples(theirs)).toEqual(['clash{instance="key",job="clash",other="kept",shard="key"} 1']);
      expect(samples(ours)).toEqual([]);
    },
  },
  'PG-01: two body series made one by the grouping key': {
    why: 'prom-client: refused (400); ours leaves both series out and pushes the rest',
    check: (ours, theirs) => {
      expect([ours.statuses, theirs.statuses]).toEqual([['ok'], ['400']]);
      expect(samples(theirs)).toEqual([]);
      expect(samples(ours)).toEqual(['rows{inst="c",instance="",job="shards"} 5']);
    },
  },
  // Ours pushes only when something was recorded since the previous flush: the gateway already
  // holds these values; only its push_time_seconds is not renewed.
  'a second push with nothing recorded in between': {
    why: 'no push without a change',
    check: (ours, theirs) => {
      expect([ours.statuses, theirs.statuses]).toEqual([['ok', 'none'], ['ok', 'ok']]);
      expect(ours.view).toEqual(theirs.view);
    },
  },
};

/** Ours stores the grouping key as given; prom-client's push answers `status` and leaves the groups `theirs`. */
function keyKept(value: string, status: string, theirs: Labels[]): (ours: Result, t: Result) => void {
  return (ours, t) => {
    expect([ours.statuses, t.statuses]).toEqual([['ok'], [status]]);
    expect(labelsOf(ours)).toEqual([{ after: 'x', job: 'keys', v: value }]);
    expect(labelsOf(t)).toEqual(theirs);
  };
}

interface Family {
  type: string;
  help?: string;
  metrics: Record<string, unknown>[];
}
type View = { groups: unknown[]; text: string[] };

describe.runIf(shouldRun('prometheus-pushgateway'))('Pushgateway: PushgatewayBackend vs prom-client 15.1.3', () => {
  let gateway: Running | undefined;
  let url = '';
  const monitors: Monitor[] = [];

  beforeAll(async () => {
    const binary = requireBinary('prometheus-pushgateway');
    const port = await freePort();
    // Debian's build persists to one shared file by default: each test's gateway starts empty and leaves nothing behind.
    gateway = start(binary, [`--web.listen-address=127.0.0.1:${port}`, '--web.enable-admin-api', '--persistence.file=']);
    url = `http://127.0.0.1:${port}`;
    await poll('pushgateway ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 10_000, 50);
  }, 20_000);

  afterAll(async () => {
    await Promise.all(monitors.map((m) => m.shutdown()));
    await gateway?.stop();
  });

  async function wipe(): Promise<void> {
    expect((await fetch(`${url}/api/v1/admin/wipe`, { method: 'PUT' })).status).toBe(202);
    await poll('gateway wiped', async () => ((await groups()).length === 0 ? true : undefined), 5000, 20);
  }
  async function groups(): Promise<{ labels: Labels; [k: string]: unknown }[]> {
    return ((await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: { labels: Labels }[] }).data;
  }

  /** The gateway's view, with push times reduced to set (>0) or not and everything sorted. */
  async function view(): Promise<View> {
    const out = (await groups()).map((g) => {
      const families: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(g)) {
        if (name === 'labels' || name === 'last_push_successful') families[name] = v;
        else {
          const f = v as Family;
          const metrics = f.metrics.map((m) => (/^push_(failure_)?time_seconds$/.test(name) ? { ...m, value: Number(m.value) > 0 } : m));
          families[name] = { type: f.type, help: f.help, metrics: metrics.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))) };
        }
      }
      return families;
    });
    out.sort((x, y) => JSON.stringify(x.labels).localeCompare(JSON.stringify(y.labels)));
    const text = (await (await fetch(`${url}/metrics`)).text())
      .split('\n')
      .filter((l) => l !== '' && !/^(# (HELP|TYPE) )?(go_|process_|pushgateway_|promhttp_)/.test(l))
      .map((l) => l.replace(/^(push_(?:failure_)?time_seconds\{.*\}) (.+)$/, (_, s: string, v: string) => `${s} ${Number(v) > 0 ? 'set' : '0'}`))
      .sort();
    return { groups: out, text };
  }

  async function runSide(s: Scenario, make: (gw: string) => Side): Promise<Result> {
    await wipe();
    const statuses = await s.run(() => make(url));
    // DELETE is queued by the gateway (PG-05): wait until every answered request is applied.
    await new Promise((r) => setTimeout(r, 100));
    return { statuses, view: await view() };
  }

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (name, scenario) => {
    const theirs = await runSide(scenario, promClientSide);
    const ours = await runSide(scenario, (gw) => monitorSide(gw, monitors));
    const accepted = Object.entries(ACCEPTED).find(([prefix]) => name.startsWith(prefix))?.[1];
    // PG_DIFF_DEBUG=1 prints both views, to see a new difference whole.
    if (process.env.PG_DIFF_DEBUG) console.log(JSON.stringify({ theirs: theirs.view.text, ours: ours.view.text }, null, 1));
    if (accepted) return accepted.check(ours, theirs);
    expect(ours.statuses, 'push statuses').toEqual(theirs.statuses);
    expect(ours.view, 'the gateway afterwards').toEqual(theirs.view);
  });
});
