/**
 * API instruments the OpenTelemetry SDK records must not become silent no-ops in the bridge:
 * advice is not part of an instrument's identity (sdk-metrics 2.x), and a unit is any ASCII
 * string of up to 63 characters (the API), one the core cannot keep is dropped, not the instrument.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { metrics } from '@opentelemetry/api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderSnapshot } from '../../src/exporters/prometheus/index.js';
import { encodeMetricsJson } from '../../src/exporters/otlp/index.js';
import { setContextStorage, type Diagnostic, type Monitor } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { validateOpenMetrics } from '../prometheus/openmetrics-validator.js';

let monitor: Monitor;
let diags: Diagnostic[];

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

beforeEach(() => {
  diags = [];
  ({ monitor } = createTestMonitor({ onDiagnostic: (d) => diags.push(d) }));
  expect(registerOpenTelemetry(monitor)).toBe(true);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

const byName = () => Object.fromEntries(monitor.metrics.collect().metrics.map((m) => [m.name, m]));

describe('API histograms: advice is not identity', () => {
  it('the same histogram asked for again with other advice or none records into the first, with its buckets', () => {
    const a = metrics.getMeter('lib').createHistogram('payload.size', { unit: 'By', advice: { explicitBucketBoundaries: [100, 1000] } });
    const b = metrics.getMeter('lib').createHistogram('payload.size', { unit: 'By' });
    const c = metrics.getMeter('other').createHistogram('payload.size', { unit: 'By', advice: { explicitBucketBoundaries: [1, 2, 3] } });
    a.record(50);
    b.record(500);
    c.record(5000);
    expect(byName()['payload.size']?.points[0]).toMatchObject({ count: 3, sum: 5550, bounds: [100, 1000], bucketCounts: [1, 1, 1] });
    expect(diags.filter((d) => d.kind === 'otel')).toEqual([]);
  });

  it('MET-07: first created without advice: the 15 default explicit bounds of OpenTelemetry, which later advice does not change', () => {
    metrics.getMeter('lib').createHistogram('queue.depth').record(7);
    metrics.getMeter('lib').createHistogram('queue.depth', { advice: { explicitBucketBoundaries: [1, 2] } }).record(8);
    const p = byName()['queue.depth']?.points[0] as { count: number; bounds: readonly number[] };
    expect(p.count).toBe(2);
    expect(p.bounds).toEqual([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
    expect(diags.filter((d) => d.kind === 'otel')).toEqual([]);
  });

  it("the core's own createHistogram still refuses other buckets for an existing histogram", () => {
    monitor.metrics.createHistogram('core.latency', 'h', { buckets: [1, 2] });
    expect(() => monitor.metrics.createHistogram('core.latency', 'h', { buckets: [1, 3] })).toThrow(/already exists with other buckets/);
  });

  it("a histogram of the app's own is still not recorded twice through the API", () => {
    monitor.metrics.createHistogram('app.latency', 'h', { unit: 's' });
    metrics.getMeter('lib').createHistogram('app.latency', { unit: 's' }).record(1);
    expect(byName()['app.latency']).toBeUndefined();
    expect(diags.some((d) => d.kind === 'otel' && /app\.latency.*not recorded twice/.test(d.message))).toBe(true);
  });
});

describe('API instrument units', () => {
  it('an ASCII unit with a space ({job run}) is kept, exported in OTLP and valid in the Prometheus exposition', () => {
    metrics.getMeter('lib').createCounter('jobs.done', { unit: '{job run}' }).add(1);
    metrics.getMeter('lib').createGauge('disk.free', { unit: 'job run' }).record(3);
    const m = byName();
    expect(m['jobs.done']).toMatchObject({ unit: '{job run}', points: [{ value: 1 }] });
    expect(m['disk.free']).toMatchObject({ unit: 'job run', points: [{ value: 3 }] });
    const otlp = JSON.parse(new TextDecoder().decode(encodeMetricsJson({ resource: { attributes: {} }, scope: { name: 's' }, spans: [], logs: [], metrics: monitor.metrics.collect() })));
    const units = Object.fromEntries(otlp.resourceMetrics[0].scopeMetrics[0].metrics.map((x: { name: string; unit?: string }) => [x.name, x.unit]));
    expect(units['jobs.done']).toBe('{job run}');
    const snap = monitor.metrics.collect();
    const om = renderSnapshot(snap, { format: 'openmetrics' });
    expect(validateOpenMetrics(om)).toEqual([]);
    expect(om).toContain('# TYPE jobs_done counter\n');
    expect(om).toContain('# TYPE disk_free_job_run gauge\n# UNIT disk_free_job_run job_run\n');
    const text = renderSnapshot(snap);
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE '))) expect(line.split(' ')[2]).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  });

  it('a unit the core cannot keep (µs, over 63 characters) is dropped, the instrument records, one diagnostic per instrument', () => {
    const h = metrics.getMeter('lib').createHistogram('op.latency', { unit: 'µs' });
    h.record(12);
    metrics.getMeter('lib').createHistogram('op.latency', { unit: 'µs' }).record(13);
    metrics.getMeter('lib').createCounter('long.unit', { unit: 'x'.repeat(64) }).add(2);
    metrics.getMeter('lib').createUpDownCounter('tab.unit', { unit: 'a\tb' }).add(-1);
    metrics.getMeter('lib').createGauge('nl.unit', { unit: 'a\nb' }).record(4);
    const m = byName();
    expect(m['op.latency']).toMatchObject({ unit: '', points: [{ count: 2, sum: 25 }] });
    expect(m['long.unit']).toMatchObject({ unit: '', points: [{ value: 2 }] });
    expect(m['tab.unit']).toMatchObject({ unit: '', points: [{ value: -1 }] });
    expect(m['nl.unit']).toMatchObject({ unit: '', points: [{ value: 4 }] });
    const otel = diags.filter((d) => d.kind === 'otel').map((d) => d.message);
    expect(otel).toHaveLength(4);
    expect(otel[0]).toMatch(/histogram "op\.latency" from "lib" has the unit "µs".*recorded without a unit/);
  });

  it('the core accepts a printable ASCII unit with a space and still refuses control and non-ASCII characters', () => {
    expect(monitor.metrics.createCounter('core.jobs', 'h', { unit: '{job run}' }).unit).toBe('{job run}');
    expect(() => monitor.metrics.createCounter('core.tab', 'h', { unit: 'a\tb' })).toThrow(/unit/);
    expect(() => monitor.metrics.createCounter('core.micro', 'h', { unit: 'µs' })).toThrow(/unit/);
    expect(() => monitor.metrics.createCounter('core.long', 'h', { unit: 'x'.repeat(64) })).toThrow(/unit/);
  });
});

describe('MET-12: API instrument names are case-insensitive', () => {
  it('a counter asked for again in another case records into the first, under its first name, not as a no-op', () => {
    const a = metrics.getMeter('lib').createCounter('Jobs.Done');
    const b = metrics.getMeter('lib').createCounter('jobs.done');
    const c = metrics.getMeter('other').createCounter('JOBS.DONE', { valueType: 1 /* INT */ });
    a.add(1);
    b.add(2);
    c.add(4);
    const all = byName();
    expect(Object.keys(all)).toEqual(['Jobs.Done']);
    expect(all['Jobs.Done']?.points[0]).toMatchObject({ value: 7 });
    // Not taken for one of the app's own metrics (which would make b and c no-ops).
    expect(diags.filter((d) => d.kind === 'otel' && /app's own metrics/.test(d.message))).toEqual([]);
  });
});
