/**
 * Metric label values keep the type they were given: a number stays a number (OTLP intValue or
 * doubleValue), a boolean a boolean (boolValue), as the OpenTelemetry SDK and semantic conventions
 * send them (`http.response.status_code` is an int). Series identity is the values' text, so 200
 * and "200" are one series, and the Prometheus text is the same as for string values (PR-03 kept).
 */
import { describe, expect, it } from 'vitest';
import { ConsoleBackend, createMonitor, type Backend, type Monitor } from '../../src/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { metricsHandler } from '../../src/exporters/prometheus/index.js';
import { PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import { handleRequest } from '../../src/http/handle-request.js';
import { instrumentFetch } from '../../src/http/instrument-fetch.js';
import type { LabelsInput } from '../../src/model/attributes.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

const TYPED: LabelsInput = { code: 200, ok: true, ratio: 0.5, neg: -3, nan: NaN, inf: Infinity, off: false, empty: '', name: 'x' };
const AS_TEXT: LabelsInput = { code: '200', ok: 'true', ratio: '0.5', neg: '-3', nan: 'NaN', inf: 'Infinity', off: 'false', empty: '', name: 'x' };

function recorded(labels: LabelsInput, backends: Backend[] = []): Monitor {
  const monitor = createMonitor({ serviceName: 's', backends, onDiagnostic: () => {} });
  monitor.metrics.createCounter('jobs_total', 'Jobs').increment(2, labels);
  monitor.metrics.createHistogram('job_seconds', 'Job time', { labelNames: ['code', 'ok', 'empty'] }).observe(0.1, { code: labels.code!, ok: labels.ok!, empty: '' });
  return monitor;
}

/** OTLP KeyValues of the first point of `name`, as {key: value} (`sum` or `histogram`). */
function otlpAttrs(request: any, name: string): Record<string, unknown> {
  const m = request.resourceMetrics[0].scopeMetrics[0].metrics.find((x: any) => x.name === name);
  const p = (m.sum ?? m.histogram).dataPoints[0];
  return Object.fromEntries(p.attributes.map((kv: any) => [kv.key, kv.value]));
}

async function exported(protocol: 'http/protobuf' | 'http/json', record: (backends: Backend[]) => Promise<Monitor> | Monitor): Promise<any> {
  let body: Uint8Array | undefined;
  const fetch = async (_u: string, init: RequestInit) => ((body = init.body as Uint8Array), new Response(null, { status: 200 }));
  const monitor = await record([new OtlpBackend({ fetch, protocol, signals: ['metrics'] })]);
  await monitor.flush();
  return protocol === 'http/json' ? JSON.parse(new TextDecoder().decode(body)) : decodeProto('metrics', body!);
}

describe('metric label values keep their types', () => {
  it('in the snapshot: numbers, booleans and strings as given; an empty string is no label (PR-03)', () => {
    const points = recorded(TYPED).metrics.collect().metrics;
    const counter = points.find((m) => m.name === 'jobs_total')!.points[0]!;
    expect(counter.attributes).toEqual({ code: 200, ok: true, ratio: 0.5, neg: -3, nan: NaN, inf: Infinity, off: false, name: 'x' });
    expect(Object.values(counter.attributes).map((v) => typeof v)).toEqual(['number', 'boolean', 'number', 'number', 'number', 'number', 'boolean', 'string']);
    expect(points.find((m) => m.name === 'job_seconds')!.points[0]!.attributes).toEqual({ code: 200, ok: true });
  });

  it('OTLP protobuf (independent decoder) and JSON: intValue, doubleValue, boolValue', async () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const request = await exported(protocol, (b) => recorded(TYPED, b));
      expect(otlpAttrs(request, 'jobs_total'), protocol).toEqual({
        code: { intValue: '200' },
        ok: { boolValue: true },
        ratio: { doubleValue: 0.5 },
        neg: { intValue: '-3' },
        nan: { doubleValue: 'NaN' },
        inf: { doubleValue: 'Infinity' },
        off: { boolValue: false },
        name: { stringValue: 'x' },
      });
      expect(otlpAttrs(request, 'job_seconds'), protocol).toEqual({ code: { intValue: '200' }, ok: { boolValue: true } });
    }
  });

  it('Prometheus text, OpenMetrics, Pushgateway and the console write the same text as for string values', async () => {
    const outputs = async (labels: LabelsInput): Promise<string[]> => {
      const lines: string[] = [];
      let pushed = '';
      const push = new PushgatewayBackend({ url: 'http://pg', job: 'j', fetch: async (_u, init) => ((pushed = String(init.body)), new Response(null, { status: 200 })) });
      const monitor = recorded(labels, [new ConsoleBackend({ write: (l) => lines.push(l) }), push]);
      const scrape = metricsHandler(monitor, { withoutScopeInfo: true, withoutTargetInfo: true }); // compared line by line with the push and the console, which carry neither
      const text = await (await scrape(new Request('http://x/metrics')))!.text();
      const om = await (await scrape(new Request('http://x/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })))!.text();
      await monitor.flush();
      return [text, om, pushed, lines.filter((l) => l.startsWith('[metric] j')).join('\n')].map((s) => s.replace(/ \d{13}$/gm, ''));
    };
    const typed = await outputs(TYPED);
    expect(typed[0]).toContain('jobs_total{code="200",ok="true",ratio="0.5",neg="-3",nan="NaN",inf="Infinity",off="false",name="x"} 2');
    expect(typed[2]).toContain('jobs_total{code="200",ok="true",ratio="0.5",neg="-3",nan="NaN",inf="Infinity",off="false",name="x"');
    expect(typed[3]).toContain('[metric] jobs_total {code="200" ok="true" ratio="0.5" neg="-3" nan="NaN" inf="Infinity" off="false" name="x"} counter = 2');
    expect(typed).toEqual(await outputs(AS_TEXT));
  });

  it('200 then "200" is one series, with the values of the call that made it', () => {
    const monitor = createMonitor({ serviceName: 's', onDiagnostic: () => {} });
    const any = monitor.metrics.createCounter('any_total', 'Any labels');
    const declared = monitor.metrics.createCounter('declared_total', 'Declared', { labelNames: ['code'] });
    for (const c of [any, declared]) {
      c.increment({ code: 200 });
      c.increment({ code: '200' });
      c.increment({ code: 'true' });
      c.increment({ code: true });
      c.increment({ code: 200 });
    }
    for (const name of ['any_total', 'declared_total']) {
      const points = monitor.metrics.collect().metrics.find((m) => m.name === name)!.points;
      expect(points.map((p) => [p.attributes, 'value' in p ? p.value : NaN]), name).toEqual([
        [{ code: 200 }, 3],
        [{ code: 'true' }, 2],
      ]);
    }
  });

  it('a secret label name redacts a number too; a user label otel.metric.overflow=true is no overflow series', async () => {
    const monitor = createMonitor({ serviceName: 's', onDiagnostic: () => {} });
    monitor.metrics.createCounter('logins_total', 'Logins').increment({ pin: 1234, password: 1234, site: 7 });
    const c = monitor.metrics.createCounter('odd_total', 'Odd');
    c.increment({ 'otel.metric.overflow': true });
    const m = monitor.metrics.collect().metrics;
    expect(m.find((x) => x.name === 'logins_total')!.points[0]!.attributes).toEqual({ pin: 1234, password: '[REDACTED]', site: 7 });
    expect(m.find((x) => x.name === 'odd_total')!.points.map((p) => p.attributes)).toEqual([{ 'otel.metric.overflow': true }]);
  });

  it('http.server.request.duration and http.client.request.duration: status code and server.port go out as OTLP ints', async () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const request = await exported(protocol, async (backends) => {
        const monitor = createMonitor({ serviceName: 's', backends, onDiagnostic: () => {} });
        const downstream = instrumentFetch(monitor, async () => new Response('ok'));
        const handler = async () => ((await downstream('http://api.test:8081/x')).body?.cancel(), new Response('no', { status: 404 }));
        await handleRequest(monitor, new Request('http://example.com:8080/users/7'), handler, undefined, { route: () => '/users/:id' });
        return monitor;
      });
      expect(otlpAttrs(request, 'http.server.request.duration'), protocol).toMatchObject({ 'http.response.status_code': { intValue: '404' }, 'http.route': { stringValue: '/users/:id' } });
      expect(otlpAttrs(request, 'http.client.request.duration'), protocol).toMatchObject({ 'http.response.status_code': { intValue: '200' }, 'server.port': { intValue: '8081' } });
    }
  });
});
