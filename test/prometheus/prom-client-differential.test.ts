/**
 * Differential test against prom-client 15.1.3: the same observations recorded through
 * prom-client's registry and through a monitor, both served over HTTP, scraped by one real
 * Prometheus (2.42, Debian) — ours as OpenMetrics (negotiated) and as text 0.0.4 — then what
 * Prometheus stored is compared series by series through its query API, and what it read as
 * metadata (type, help, unit). `promtool check metrics` runs on both text bodies too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { metricsHandler, renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { VERSION } from '../../src/version.js';
import { freePort, poll, promtoolCheck, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve } from './serve.js';

const ESCAPES = ['back\\slash', 'say "hi"', 'line\nbreak', '日本語/ü', 'emoji 🚀', ''];
const EDGES = [0, 1, 2, 5, -1, 2.5, 1e6]; // on bounds, zero, negative, large
const SUMMARY_VALUES = [0.1, 0.2, 0.3, 0.4, 5];

/** Records one list of observations on both sides. Names given to prom-client are already valid. */
function record() {
  const reg = new client.Registry();
  // No backends: nothing printed; onDiagnostic keeps the expected invalid_value reports quiet.
  const monitor = createMonitor({ serviceName: 'diff', backends: [], onDiagnostic: () => {} });
  const m = monitor.metrics;
  const C = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name, help, labelNames, registers: [reg] });
  const G = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers: [reg] });

  // Counters without and with labels; label values needing escapes.
  C('diff_plain_total', 'plain').inc(3);
  m.createCounter('diff_plain_total', 'plain').increment(3);
  const pc = C('diff_escapes_total', 'escapes', ['v']);
  const oc = m.createCounter('diff_escapes_total', 'escapes', { labelNames: ['v'] });
  ESCAPES.forEach((v, i) => (pc.inc({ v }, i + 1), oc.increment(i + 1, { v })));

  // Gauges: set / inc / dec, NaN, ±Inf.
  const pg = G('diff_level', 'gauge', ['k']);
  const og = m.createGauge('diff_level', 'gauge', { labelNames: ['k'] });
  for (const [k, v] of [['nan', NaN], ['pinf', Infinity], ['ninf', -Infinity], ['set', 4.5], ['float', 0.1 + 0.2], ['max', Number.MAX_VALUE], ['denormal', 5e-324], ['big', 2 ** 53 + 2], ['negzero', -0]] as const) (pg.set({ k }, v), og.set(v, { k }));
  pg.inc({ k: 'moved' }, 5), og.increment(5, { k: 'moved' });
  pg.dec({ k: 'moved' }, 7), og.decrement(7, { k: 'moved' });

  // Histograms: default buckets, custom buckets with values on bounds, 0, negative, +Inf, 1e6, and a large count.
  const phd = new client.Histogram({ name: 'diff_default_hist', help: 'h', registers: [reg] });
  const ohd = m.createHistogram('diff_default_hist', 'h');
  for (const v of [0.005, 0.05, 0.1, 0.3, 1, 2.5, 10, 11]) (phd.observe(v), ohd.observe(v));
  const buckets = [0, 1, 2, 5];
  const phc = new client.Histogram({ name: 'diff_custom_hist', help: 'h', buckets, labelNames: ['k'], registers: [reg] });
  const ohc = m.createHistogram('diff_custom_hist', 'h', { buckets, labelNames: ['k'] });
  for (const v of EDGES) (phc.observe({ k: 'edges' }, v), ohc.observe(v, { k: 'edges' }));
  // prom-client throws for +Inf ("Value is not a valid number"): only ours records it, checked on its own below.
  m.createHistogram('diff_inf_hist', 'h', { buckets }).observe(Infinity);
  for (const v of [-5, -1]) (phc.observe({ k: 'negative' }, v), ohc.observe(v, { k: 'negative' }));
  for (let i = 0; i < 100_000; i++) (phc.observe({ k: 'many' }, i % 7), ohc.observe(i % 7, { k: 'many' }));

  // Summary: only count and sum are compared; quantiles must lie within the observed min and max.
  const ps = new client.Summary({ name: 'diff_pause', help: 's', percentiles: [0.5, 0.9, 0.95, 0.99], registers: [reg] });
  const os = m.createSummary('diff_pause', 's');
  for (const v of SUMMARY_VALUES) (ps.observe(v), os.observe(v));

  // Names needing sanitising (prom-client takes only valid names: it gets the sanitised one) and units.
  G('diff_dotted_dashed', 'n').set(1), m.createGauge('diff.dotted-dashed', 'n').set(1);
  // A leading digit is refused at construction by ours (the OpenTelemetry instrument name rule), so it is not compared.
  expect(() => m.createGauge('9lives', 'n')).toThrow(/invalid metric name/);
  G('diff_label_names', 'n', ['http_method', 'a_b']).set({ http_method: 'GET', a_b: 'x' }, 2);
  m.createGauge('diff_label_names', 'n', { labelNames: ['http.method', 'a.b'] }).set(2, { 'http.method': 'GET', 'a.b': 'x' });
  G('diff_size_bytes', 'n').set(3), m.createGauge('diff.size', 'n', { unit: 'By' }).set(3);
  new client.Histogram({ name: 'diff_latency_seconds', help: 'n', buckets: [1], registers: [reg] }).observe(0.5);
  m.createHistogram('diff.latency', 'n', { unit: 's', buckets: [1] }).observe(0.5);

  // HELP with special characters.
  const help = 'help with \\ backslash, "quotes", new\nline and ü';
  G('diff_help', help).set(1), m.createGauge('diff_help', help).set(1);

  // Many label sets.
  const pm = G('diff_many', 'many', ['i']);
  const om = m.createGauge('diff_many', 'many', { labelNames: ['i'] });
  for (let i = 0; i < 300; i++) (pm.set({ i: String(i) }, i), om.set(i, { i: String(i) }));

  // No observations at all: with and without labels.
  C('diff_empty_total', 'e'), m.createCounter('diff_empty_total', 'e');
  C('diff_empty_labelled_total', 'e', ['k']), m.createCounter('diff_empty_labelled_total', 'e', { labelNames: ['k'] });
  new client.Histogram({ name: 'diff_empty_hist', help: 'e', buckets: [1], registers: [reg] });
  m.createHistogram('diff_empty_hist', 'e', { buckets: [1] });

  // Removed series.
  const pr = C('diff_removed_total', 'r', ['k']);
  const or = m.createCounter('diff_removed_total', 'r', { labelNames: ['k'] });
  for (const k of ['kept', 'gone']) (pr.inc({ k }), or.increment(1, { k }));
  pr.remove({ k: 'gone' }), or.remove({ k: 'gone' });

  return { reg, monitor };
}

interface Sample { metric: Record<string, string>; value: [number, string] }
const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'job' && k !== 'instance').sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Accepted differences, each deliberate:
 * - `_created` series (OpenMetrics start times, OM-06) and `target_info` (the resource) are skipped should either be
 *   written: start times are not values to compare, and prom-client has no resource.
 * - `otel_scope_name` / `otel_scope_version` (the scope, MET-13): prom-client has no scope; checked on every series
 *   of ours, then set aside.
 * - `lexigram_monitor_*`: the library's self-metrics; prom-client has none. Prometheus' own `up` and `scrape_*` too.
 * - Summary quantile values: ours come from a sketch, prom-client's from t-digest; both are approximations by design,
 *   so only `_count` and `_sum` are compared and each of our quantiles must lie within the observed min and max.
 * - `diff_default_hist`: the default buckets differ (ours are OpenTelemetry's HTTP duration buckets, which add 0.075,
 *   0.75 and 7.5 to prom-client's eleven bounds), so
 *   only the bounds both have are compared.
 * - `le`/`quantile` label values: ours are written as floats (`le="1.0"`, README "Prometheus"); prom-client writes `le="1"`.
 *   Compared after parsing as numbers.
 * - A metric that never recorded anything: prom-client shows an unlabelled counter or histogram at 0 from its
 *   creation; ours, as the OpenTelemetry data model, has no series until the first recording (THEIRS_ONLY).
 * - NaN set on a gauge: prom-client stores NaN; ours drops it and counts it as invalid_value (README "Never breaking
 *   the host"). +Inf observed by a histogram: prom-client throws into the caller; ours drops and counts it too.
 * - A histogram whose sum is negative: OpenMetrics forbids a negative `_sum` (OM-08), so our OpenMetrics output leaves out
 *   its `_sum` and `_count` (counted as export_rejected, reason negative_histogram); text 0.0.4 keeps them (THEIRS_ONLY_OM).
 * - prom-client's default `process_*`/`nodejs_*` metrics are not registered here (no collectDefaultMetrics).
 */
const THEIRS_ONLY = [/^diff_empty_(total|hist_\w+) /, /^diff_level \[\["k","nan"\]\]/];
const THEIRS_ONLY_OM = [/^diff_custom_hist_(sum|count) \[\["k","negative"\]\]/];
function accepted(name: string): boolean {
  return name.endsWith('_created') || name === 'target_info' || name.startsWith('lexigram_monitor_') || name.startsWith('scrape_') || name === 'up';
}
function normalise(rows: Sample[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) {
    const { __name__: name = '', ...labels } = r.metric;
    if (accepted(name)) continue;
    if (name === 'diff_pause' && labels.quantile !== undefined) continue; // checked separately
    for (const l of ['le', 'quantile']) if (labels[l] !== undefined && labels[l] !== '+Inf') labels[l] = String(Number(labels[l]));
    out.set(`${name} ${key(labels)}`, r.value[1]);
  }
  return out;
}
const PROM_DEFAULT_BOUNDS = new Set(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);

describe.runIf(shouldRun('prometheus') && shouldRun('promtool'))('prom-client 15.1.3 vs metricsHandler, as the real Prometheus stores them', () => {
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';
  let sides!: ReturnType<typeof record>;
  const contentTypes = new Map<string, string | null>();

  beforeAll(async () => {
    const binary = requireBinary('prometheus');
    sides = record();
    const port = await freePort();
    const ours = metricsHandler(sides.monitor);
    const oursText = metricsHandler(sides.monitor, { path: '/text', format: 'text' });
    server = await serve(
      [
        async (req) => {
          if (new URL(req.url).pathname !== '/prom-client') return undefined;
          return new Response(await sides.reg.metrics(), { headers: { 'content-type': sides.reg.contentType } });
        },
        async (req) => {
          const res = (await ours(req)) ?? (await oursText(req));
          if (res) contentTypes.set(new URL(req.url).pathname, res.headers.get('content-type'));
          return res;
        },
      ],
      port,
    );
    dir = mkdtempSync(join(tmpdir(), 'lexigram-promdiff-'));
    const target = `['127.0.0.1:${port}']`;
    ({ prometheus, api } = await startPrometheus(binary, dir, [
      `  - { job_name: prom-client, metrics_path: /prom-client, static_configs: [{ targets: ${target} }] }`,
      `  - { job_name: om, metrics_path: /metrics, static_configs: [{ targets: ${target} }] }`,
      `  - { job_name: text, metrics_path: /text, static_configs: [{ targets: ${target} }] }`,
    ]));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await sides.monitor.shutdown();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function stored(job: string): Promise<Map<string, string>> {
    const rows = await poll(`series of job ${job}`, async () => {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(`{job="${job}",__name__=~"diff_.*"}`)}`);
      const json = (await res.json()) as { data: { result: Sample[] } };
      return json.data.result.length > 300 ? json.data.result : undefined;
    });
    // Every series of ours carries the scope (MET-13); prom-client has none, so the labels are checked here and set aside.
    if (job !== 'prom-client') {
      for (const r of rows) {
        const { otel_scope_name, otel_scope_version, ...rest } = r.metric;
        expect([r.metric.__name__, otel_scope_name, otel_scope_version]).toEqual([r.metric.__name__, '@lexigram/monitor', VERSION]);
        r.metric = rest;
      }
    }
    return normalise(rows);
  }

  it('the om job negotiated OpenMetrics, the text job got text 0.0.4', async () => {
    await stored('om');
    await stored('text');
    expect(contentTypes.get('/metrics')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(contentTypes.get('/text')).toMatch(/^text\/plain; version=0\.0\.4/);
  }, 30_000);

  it('every series prom-client produced is stored with the same labels and value from both of our formats, and no other', async () => {
    const theirs = await stored('prom-client');
    for (const job of ['om', 'text']) {
      const ours = await stored(job);
      const only = (a: Map<string, string>, b: Map<string, string>) =>
        [...a].filter(([k, v]) => b.get(k) !== v && !(a === theirs && [...THEIRS_ONLY, ...(job === 'om' ? THEIRS_ONLY_OM : [])].some((re) => re.test(k))) && !(k.startsWith('diff_default_hist_bucket') && !PROM_DEFAULT_BOUNDS.has(JSON.parse(k.slice(k.indexOf(' ') + 1)).find((p: string[]) => p[0] === 'le')?.[1])));
      expect([job, only(theirs, ours).map(([k, v]) => `${k} = ${v} (ours: ${ours.get(k)})`)]).toEqual([job, []]);
      expect([job, only(ours, theirs).map(([k, v]) => `${k} = ${v} (prom-client: ${theirs.get(k)})`)]).toEqual([job, []]);
    }
  }, 60_000);

  it('NaN on a gauge and +Inf on a histogram are dropped and counted by ours', async () => {
    for (const job of ['om', 'text']) {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(`lexigram_monitor_dropped_total{job="${job}",reason="invalid_value"}`)}`);
      const rows = ((await res.json()) as { data: { result: Sample[] } }).data.result;
      expect([job, rows.map((r) => r.value[1])]).toEqual([job, ['2']]);
    }
  }, 30_000);

  it('summary: each stored quantile lies within the observed min and max', async () => {
    for (const job of ['om', 'text', 'prom-client']) {
      const res = await fetch(`${api}/query?query=${encodeURIComponent(`diff_pause{job="${job}"}`)}`);
      const rows = ((await res.json()) as { data: { result: Sample[] } }).data.result;
      expect(rows.map((r) => r.metric.quantile).sort()).toEqual(['0.5', '0.9', '0.95', '0.99']);
      for (const r of rows) {
        expect(Number(r.value[1])).toBeGreaterThanOrEqual(Math.min(...SUMMARY_VALUES));
        expect(Number(r.value[1])).toBeLessThanOrEqual(Math.max(...SUMMARY_VALUES));
      }
    }
  }, 30_000);

  it('metadata: Prometheus read the same type and HELP text from all three targets', async () => {
    const res = await fetch(`${api}/metadata`);
    const meta = ((await res.json()) as { data: Record<string, { type: string; help: string; unit: string }[]> }).data;
    expect(meta.diff_help).toEqual([{ type: 'gauge', help: 'help with \\ backslash, "quotes", new\nline and ü', unit: '' }]);
    // Only OpenMetrics' # UNIT differs (accepted: prom-client writes no unit, our text 0.0.4 cannot).
    // Prometheus lists a name's metadata in no fixed order: sorted by unit.
    const differing = Object.entries(meta)
      .filter(([n, m]) => n.startsWith('diff_') && m.length > 1)
      .map(([n, m]) => [n, [...m].sort((a, b) => a.unit.localeCompare(b.unit))]);
    expect(differing).toEqual([
      ['diff_latency_seconds', [{ type: 'histogram', help: 'n', unit: '' }, { type: 'histogram', help: 'n', unit: 'seconds' }]],
      ['diff_size_bytes', [{ type: 'gauge', help: 'n', unit: '' }, { type: 'gauge', help: 'n', unit: 'bytes' }]],
    ]);
    // Accepted: an OpenMetrics counter's TYPE and HELP name the family without `_total` (OM-06), so Prometheus keeps
    // our om job's counter metadata under that name, the text jobs' under the `_total` name.
    expect(meta.diff_plain).toEqual([{ type: 'counter', help: 'plain', unit: '' }]);
    for (const name of ['diff_plain_total', 'diff_escapes_total', 'diff_level', 'diff_custom_hist', 'diff_pause', 'diff_many']) {
      expect([name, meta[name]?.length]).toEqual([name, 1]);
    }
  }, 30_000);

  it('removed after being scraped: the series goes stale in Prometheus for both', async () => {
    await stored('prom-client');
    sides.reg.getSingleMetric('diff_removed_total')!.remove({ k: 'kept' });
    sides.monitor.metrics.createCounter('diff_removed_total', 'r', { labelNames: ['k'] }).remove({ k: 'kept' });
    for (const job of ['prom-client', 'om', 'text']) {
      await poll(`stale diff_removed_total in ${job}`, async () => {
        const res = await fetch(`${api}/query?query=${encodeURIComponent(`diff_removed_total{job="${job}"}`)}`);
        return ((await res.json()) as { data: { result: Sample[] } }).data.result.length === 0 ? true : undefined;
      });
    }
  }, 30_000);

  it('promtool check metrics: both text bodies pass without findings', async () => {
    const theirs = promtoolCheck(await sides.reg.metrics());
    const ours = promtoolCheck(renderPrometheus(sides.monitor));
    expect({ theirs, ours }).toEqual({ theirs: { code: 0, output: '' }, ours: { code: 0, output: '' } });
  });
});
