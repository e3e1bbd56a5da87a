/**
 * MET-13 (OpenTelemetry `compatibility/prometheus_and_openmetrics.md`, "Resource Attributes" and
 * "Instrumentation Scope"): the resource is the one `target_info` series (an info metric in
 * OpenMetrics, a gauge in text 0.0.4), its attributes sanitised as labels and no other labels;
 * the scope is `otel_scope_name` / `otel_scope_version` (and `otel_scope_schema_url`) on every
 * series. Both on by default, each turned off by the OpenTelemetry JS exporter's option
 * (`withoutTargetInfo`, `withoutScopeInfo`); `withResourceConstantLabels` copies chosen resource
 * attributes onto every series. Checked by promtool and by a real Prometheus scrape that joins
 * `target_info` to the series on `job` and `instance`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler, PrometheusBackend, renderPrometheus, renderSnapshot, type DroppedMetric } from '../../src/exporters/prometheus/index.js';
import { createMonitor, NoOpBackend, type Diagnostic } from '../../src/index.js';
import { counter, SCOPE_LABELS as S, snapshot } from './fixtures.js';
import { validateOpenMetrics } from './openmetrics-validator.js';
import { freePort, poll, promtoolCheck, queryPrometheus, requireBinary, shouldRun, startPrometheus, type Running } from './processes.js';
import { serve } from './serve.js';

function recorded(options: { resource?: Record<string, string | number | boolean | string[]> } = {}) {
  const seen: Diagnostic[] = [];
  const monitor = createMonitor({
    serviceName: 'checkout',
    serviceVersion: '2.1.0',
    resource: { 'service.instance.id': 'pod-7', 'deployment.environment': 'prod', ...options.resource },
    backends: [new NoOpBackend()],
    onDiagnostic: (d) => seen.push(d),
  });
  monitor.metrics.createCounter('http.requests', 'Requests', { labelNames: ['method'] }).increment(3, { method: 'GET' });
  monitor.metrics.createHistogram('http.duration', 'Duration', { unit: 's', labelNames: ['route'], buckets: [0.1, 1] }).observe(0.5, { route: '/a' });
  monitor.metrics.createSummary('pause', 'Pause', { quantiles: [0.5] }).observe(2);
  monitor.metrics.createGauge('depth', 'Depth').set(4);
  return { monitor, seen };
}

const samples = (body: string) => body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('target_info and scope labels (MET-13), rendered', () => {
  it('text 0.0.4: target_info (a gauge) first with every resource attribute as a label, the scope on every other series', () => {
    const { monitor } = recorded();
    const body = renderPrometheus(monitor);
    const head = body.slice(0, body.indexOf('\n# HELP', 1) + 1);
    expect(head).toMatch(/^# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info\{[^}]*\} 1\n$/);
    // The resource's attributes, sanitised, and nothing else: Prometheus adds job and instance itself.
    expect(head).toContain('service_name="checkout"');
    expect(head).toContain('service_version="2.1.0"');
    expect(head).toContain('service_instance_id="pod-7"');
    expect(head).toContain('deployment_environment="prod"');
    expect(head).toContain('telemetry_sdk_name="@lexigram/monitor"');
    expect(head).not.toMatch(/[{,](job|instance|otel_scope_name)=/);
    expect(body.match(/^target_info/gm)).toHaveLength(1);
    for (const line of samples(body)) if (!line.startsWith('target_info')) expect(line).toContain(S);
    expect(body).toContain(`\nhttp_requests_total{method="GET",${S}} 3\n`);
    expect(body).toContain(`\nhttp_duration_seconds_bucket{route="/a",${S},le="1.0"} 1\n`);
    expect(body).toContain(`\npause{${S},quantile="0.5"} 2\n`);
    expect(body).toContain(`\ndepth{${S}} 4\n`);
  });

  it('OpenMetrics: the info family `target` with its one sample target_info; structurally valid', () => {
    const { monitor } = recorded();
    const body = renderPrometheus(monitor, { format: 'openmetrics' });
    expect(body).toMatch(/^# TYPE target info\n# HELP target Target metadata\ntarget_info\{[^}]*service_name="checkout"[^}]*\} 1\n/);
    expect(body).toContain(`\nhttp_requests_total{method="GET",${S}} 3\n`);
    expect(validateOpenMetrics(body)).toEqual([]);
  });

  it('the library’s own lexigram_monitor_* series carry the scope too: the instruments are all @lexigram/monitor’s, as in OTLP', () => {
    const { monitor } = recorded();
    monitor.metrics.createCounter('bad', 'Bad').increment(-1);
    expect(renderPrometheus(monitor)).toContain(`\nlexigram_monitor_dropped_total{reason="negative_increment",${S}} 1\n`);
  });

  it('withoutTargetInfo and withoutScopeInfo turn each off, in metricsHandler, PrometheusBackend and renderPrometheus', async () => {
    const { monitor } = recorded();
    const both = { withoutTargetInfo: true, withoutScopeInfo: true } as const;
    const plain = renderPrometheus(monitor, both);
    expect(plain).not.toContain('target_info');
    expect(plain).not.toContain('otel_scope_');
    expect(plain).toContain('\nhttp_requests_total{method="GET"} 3\n');
    expect(renderPrometheus(monitor, { withoutTargetInfo: true })).toContain(`\nhttp_requests_total{method="GET",${S}} 3\n`);
    expect(renderPrometheus(monitor, { withoutTargetInfo: true })).not.toContain('target_info');
    const noScope = renderPrometheus(monitor, { withoutScopeInfo: true });
    expect(noScope).toContain('\ntarget_info{');
    expect(noScope).not.toContain('otel_scope_');
    const get = (h: (r: Request) => Promise<Response | undefined>) => h(new Request('http://x/metrics')).then((r) => r!.text());
    expect(await get(metricsHandler(monitor, { ...both, compression: 'none' }))).toBe(plain);
    const backend = new PrometheusBackend({ ...both, compression: 'none' });
    expect(await get(backend.handler(monitor))).toBe(plain);
    expect(backend.render(monitor)).toBe(plain);
    expect(await get(metricsHandler(monitor, { compression: 'none' }))).toBe(renderPrometheus(monitor));
    expect(new PrometheusBackend().render(monitor)).toBe(renderPrometheus(monitor));
  });

  it('withResourceConstantLabels copies the resource attributes it matches onto every series, in key order (target_info keeps them once)', () => {
    const { monitor } = recorded();
    const body = renderPrometheus(monitor, { withResourceConstantLabels: /^service\.(name|instance\.id)$/, withoutScopeInfo: true });
    expect(body).toContain('\nhttp_requests_total{method="GET",service_instance_id="pod-7",service_name="checkout"} 3\n');
    expect(body).toContain('\nhttp_duration_seconds_bucket{route="/a",service_instance_id="pod-7",service_name="checkout",le="+Inf"} 1\n');
    expect(body.match(/service_name="checkout"/g)).toHaveLength(samples(body).length);
    // A global RegExp matches every key alike (its lastIndex is not used).
    expect(renderPrometheus(monitor, { withResourceConstantLabels: /^service\.name$/g, withoutScopeInfo: true })).toContain('\ndepth{service_name="checkout"} 4\n');
    expect(promtoolCheck(body).code).toBe(0);
  });

  it('resource attributes are labels as series attributes are: arrays as JSON, colliding keys joined with ; in key order, empty values left out', () => {
    const { monitor } = recorded({ resource: { 'host.ip': ['10.0.0.1', '10.0.0.2'], 'a.b': 'dot', a_b: 'under', 'k8s.empty': '', 'x"y': 'q"v' } });
    const line = renderPrometheus(monitor).split('\n').find((l) => l.startsWith('target_info{'))!;
    expect(line).toContain('host_ip="[\\"10.0.0.1\\",\\"10.0.0.2\\"]"');
    expect(line).toContain('a_b="dot;under"');
    expect(line).not.toContain('k8s_empty');
    expect(line).toContain('x_y="q\\"v"');
  });

  it('a series with its own otel_scope_name label keeps it, once (a label twice fails the whole scrape)', () => {
    const { monitor } = recorded();
    monitor.metrics.createCounter('bridged', 'Bridged', { labelNames: ['otel_scope_name'] }).increment(1, { otel_scope_name: 'my.lib' });
    monitor.metrics.createCounter('dotted', 'Dotted', { labelNames: ['otel.scope.version'] }).increment(1, { 'otel.scope.version': '9' });
    const body = renderPrometheus(monitor);
    expect(body).toContain('\nbridged_total{otel_scope_name="my.lib",otel_scope_version="');
    expect(body.split('\n').find((l) => l.startsWith('bridged_total'))!.match(/otel_scope_name=/g)).toHaveLength(1);
    expect(body).toContain('\ndotted_total{otel_scope_version="9",otel_scope_name="@lexigram/monitor"} 1\n');
    expect(promtoolCheck(body).code).toBe(0);
    expect(validateOpenMetrics(renderPrometheus(monitor, { format: 'openmetrics' }))).toEqual([]);
  });

  it('a metric of the app named target_info clashes with the resource’s: left out, counted and reported; kept without target info', () => {
    const { monitor, seen } = recorded();
    monitor.metrics.createGauge('target_info', 'Mine').set(1);
    const told: DroppedMetric[] = [];
    const body = renderPrometheus(monitor, { onDrop: (d) => told.push(d) });
    expect(body.match(/^target_info/gm)).toHaveLength(1);
    expect(told.map((d) => [d.metric, d.reason])).toEqual([['target_info', 'name_conflict']]);
    expect(seen.some((d) => d.kind === 'export_rejected' && d.message.includes('target_info'))).toBe(true);
    expect(renderPrometheus(monitor, { withoutTargetInfo: true })).toContain(`\ntarget_info{${S}} 1\n`);
  });

  it('renderSnapshot writes them only when given the resource and scope (a snapshot carries neither); a schema URL is a label too; an empty resource has no target_info', () => {
    const snap = snapshot(counter('jobs', 'Jobs', '', [[{ q: 'a' }, 2]]));
    expect(renderSnapshot(snap)).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total{q="a"} 2\n');
    const scope = { name: 'my.lib', version: '1.0', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };
    expect(renderSnapshot(snap, { scope, resource: { attributes: { 'service.name': 's' } } })).toBe(
      '# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{service_name="s"} 1\n' +
        '# HELP jobs_total Jobs\n# TYPE jobs_total counter\n' +
        'jobs_total{q="a",otel_scope_name="my.lib",otel_scope_version="1.0",otel_scope_schema_url="https://opentelemetry.io/schemas/1.26.0"} 2\n',
    );
    expect(renderSnapshot(snap, { resource: { attributes: {} } })).not.toContain('target_info');
    expect(renderSnapshot(snap, { scope: { name: 'x' } })).toContain('\njobs_total{q="a",otel_scope_name="x"} 2\n');
  });

  it('a source gives its own scope through instrumentationScope; a bare { metrics } states no resource and gets neither', async () => {
    const { monitor } = recorded();
    const own = { metrics: monitor.metrics, resource: { attributes: { 'service.name': 'other' } }, instrumentationScope: { name: 'my.lib', version: '3' } };
    const body = (await (await metricsHandler(own, { compression: 'none' })(new Request('http://x/metrics')))!.text());
    expect(body).toContain('\ntarget_info{service_name="other"} 1\n');
    expect(body).toContain('\nhttp_requests_total{method="GET",otel_scope_name="my.lib",otel_scope_version="3"} 3\n');
    const bare = renderPrometheus({ metrics: monitor.metrics });
    expect(bare).not.toContain('target_info');
    expect(bare).toContain('\nhttp_requests_total{method="GET"} 3\n');
  });

  it('the options are checked at construction: a wrong type throws saying what to give, a misspelling lists the known options', () => {
    const { monitor } = recorded();
    expect(() => metricsHandler(monitor, { withoutTargetInfo: 'true' as never })).toThrow('metricsHandler option "withoutTargetInfo" must be true or false, got "true"');
    expect(() => new PrometheusBackend({ withoutScopeInfo: 1 as never })).toThrow('PrometheusBackend option "withoutScopeInfo" must be true or false, got 1');
    expect(() => metricsHandler(monitor, { withResourceConstantLabels: 'service.*' as never })).toThrow(/option "withResourceConstantLabels" must be a RegExp/);
    expect(() => renderPrometheus(monitor, { withResourceConstantLabels: 'x' as never })).toThrow(/^renderPrometheus option "withResourceConstantLabels"/);
    expect(() => new PrometheusBackend({ withoutTargetinfo: true } as never)).toThrow(
      'PrometheusBackend: unknown option `withoutTargetinfo`; known options are path, auth, format, onDrop, compression, withoutTargetInfo, withoutScopeInfo, withResourceConstantLabels.',
    );
  });

  it.runIf(shouldRun('promtool'))('passes the real promtool check metrics', () => {
    const { monitor } = recorded({ resource: { 'host.ip': ['10.0.0.1'], 'a.b': 'dot', a_b: 'under' } });
    const r = promtoolCheck(renderPrometheus(monitor));
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });
});

describe.runIf(shouldRun('prometheus'))('a real Prometheus scraping target_info and the scope labels', () => {
  let prometheus: Running | undefined;
  let server: Server | undefined;
  let dir = '';
  let api = '';

  beforeAll(async () => {
    const binary = requireBinary('prometheus');
    const appPort = await freePort();
    const { monitor } = recorded();
    server = await serve([metricsHandler(monitor), metricsHandler(monitor, { path: '/text', format: 'text' })], appPort);
    dir = mkdtempSync(join(tmpdir(), 'lexigram-target-'));
    const target = `['127.0.0.1:${appPort}']`;
    ({ prometheus, api } = await startPrometheus(binary, dir, [
      `  - { job_name: om, metrics_path: /metrics, static_configs: [{ targets: ${target} }] }`,
      `  - { job_name: text, metrics_path: /text, static_configs: [{ targets: ${target} }] }`,
    ]));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = (q: string) =>
    poll(`query ${q}`, async () => {
      const r = await queryPrometheus(api, q);
      return r.length > 0 ? r : undefined;
    });

  for (const job of ['om', 'text']) {
    it(`${job}: target_info is stored with the resource labels and the scrape's job and instance, and joins the series on them`, async () => {
      const [info] = await rows(`target_info{job="${job}"}`);
      expect(info!.metric).toMatchObject({ job, service_name: 'checkout', service_version: '2.1.0', service_instance_id: 'pod-7', deployment_environment: 'prod' });
      expect(info!.metric.instance).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(info!.value[1]).toBe('1');
      const [series] = await rows(`http_requests_total{job="${job}"}`);
      expect(series!.metric).toMatchObject({ method: 'GET', otel_scope_name: '@lexigram/monitor' });
      // The usual join: resource attributes onto a series through target_info.
      const joined = await rows(`http_requests_total{job="${job}"} * on (job, instance) group_left (service_name, deployment_environment) target_info`);
      expect(joined.map((r) => [r.metric.method, r.metric.service_name, r.metric.deployment_environment, r.value[1]])).toEqual([['GET', 'checkout', 'prod', '3']]);
    }, 30_000);
  }
});
