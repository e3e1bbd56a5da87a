import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../monitor.js';
import { MemoryBackend } from './memory-backend.js';
import type { Diagnostic } from '../../model/batch.js';

function dropped(memory: MemoryBackend, reason: string): number {
  const m = memory.getMetric('lexigram_monitor_dropped_total');
  const p = m?.points.find((x) => x.attributes.reason === reason) as { value: number } | undefined;
  return p?.value ?? 0;
}

describe('MemoryBackend bounds', () => {
  it('keeps at most maxSpans / maxLogs, the newest, and counts every one it lets go', async () => {
    const seen: Diagnostic[] = [];
    const memory = new MemoryBackend({ maxSpans: 5, maxLogs: 3 });
    const monitor = createMonitor({ serviceName: 't', backends: [memory], onDiagnostic: (d) => seen.push(d) });
    for (let i = 0; i < 8; i++) {
      monitor.tracer.startSpan(`s${i}`).end();
      monitor.logger.info(`l${i}`);
      await monitor.flush();
    }
    expect(memory.spans.map((s) => s.name)).toEqual(['s3', 's4', 's5', 's6', 's7']);
    expect(memory.logs.map((l) => l.body)).toEqual(['l5', 'l6', 'l7']);
    await monitor.flush();
    // A local bound, not a receiver's refusal: buffer_full, as the monitor's own buffer counts it.
    expect(dropped(memory, 'buffer_full')).toBe(3 + 5);
    expect(dropped(memory, 'export_rejected')).toBe(0);
    expect(seen.some((d) => d.kind === 'buffer_full' && d.message.includes('memory') && d.message.includes('raise maxSpans'))).toBe(true);
  });

  it('has a default bound: an app that keeps it by mistake does not grow without limit', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 't', backends: [memory], onDiagnostic: () => {} });
    const n = memory.maxSpans + 10;
    for (let i = 0; i < n; i++) {
      monitor.tracer.startSpan('x').end();
      if (i % 5000 === 0) await monitor.flush();
    }
    await monitor.flush();
    expect(Number.isFinite(memory.maxSpans)).toBe(true);
    expect(memory.spans.length).toBeLessThanOrEqual(memory.maxSpans);
    await monitor.flush();
    expect(dropped(memory, 'buffer_full')).toBe(n - memory.spans.length);
  });

  it('bounds the metric snapshot history and keeps the latest; cumulative ones let go are no loss, delta ones are counted', async () => {
    const memory = new MemoryBackend({ maxMetricSnapshots: 2 });
    const monitor = createMonitor({ serviceName: 't', backends: [memory], onDiagnostic: () => {} });
    const c = monitor.metrics.createCounter('c_total', 'c');
    for (let i = 0; i < 4; i++) {
      c.increment(1);
      await monitor.flush();
    }
    expect(memory.metricSnapshots).toHaveLength(2);
    expect(memory.metricSnapshots.at(-1)).toBe(memory.metrics);
    expect((memory.getMetric('c_total')!.points[0] as { value: number }).value).toBe(4);
    await monitor.flush();
    expect(dropped(memory, 'export_rejected')).toBe(0);
    expect(dropped(memory, 'buffer_full')).toBe(0);

    const delta = new MemoryBackend({ temporality: 'delta', maxMetricSnapshots: 2 });
    const check = new MemoryBackend();
    const m2 = createMonitor({ serviceName: 't', backends: [delta, check], onDiagnostic: () => {} });
    const c2 = m2.metrics.createCounter('c_total', 'c');
    for (let i = 0; i < 4; i++) {
      c2.increment(1);
      await m2.flush();
    }
    expect(delta.metricSnapshots).toHaveLength(2);
    await m2.flush();
    // Snapshots 1 and 2 (one c_total point each) were let go.
    expect(dropped(check, 'buffer_full')).toBe(2);
  });

  it("a delta backend's snapshots let go count only their delta metrics: an up-down counter's cumulative points are no loss", async () => {
    const delta = new MemoryBackend({ temporality: 'delta', maxMetricSnapshots: 2 });
    const check = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 't', backends: [delta, check], onDiagnostic: () => {} });
    const active = monitor.metrics.createUpDownCounter('active_jobs', 'Jobs running', { labelNames: ['queue'] });
    for (let i = 0; i < 4; i++) {
      active.increment(1, { queue: 'a' });
      active.increment(1, { queue: 'b' });
      await monitor.flush();
    }
    expect(delta.metricSnapshots).toHaveLength(2);
    // Each snapshot carries every series' running total (OTLP: up-down counters stay cumulative).
    expect(delta.getMetric('active_jobs')!.temporality).toBe('cumulative');
    expect(delta.getMetric('active_jobs')!.points.map((p) => (p as { value: number }).value)).toEqual([4, 4]);
    await monitor.flush();
    expect(dropped(check, 'buffer_full')).toBe(0);
  });

  it('reset() makes room again', async () => {
    const memory = new MemoryBackend({ maxSpans: 2 });
    const monitor = createMonitor({ serviceName: 't', backends: [memory], onDiagnostic: () => {} });
    for (let i = 0; i < 3; i++) monitor.tracer.startSpan('a').end();
    await monitor.flush();
    memory.reset();
    monitor.tracer.startSpan('b').end();
    await monitor.flush();
    expect(memory.spans.map((s) => s.name)).toEqual(['b']);
  });

  it('Infinity lifts a bound', () => {
    const memory = new MemoryBackend({ maxSpans: Infinity });
    expect(memory.maxSpans).toBe(Infinity);
  });

  it('refuses a wrong option at construction, naming it', () => {
    expect(() => new MemoryBackend({ maxSpans: 0 })).toThrow(/maxSpans/);
    expect(() => new MemoryBackend({ maxLogs: 1.5 })).toThrow(/maxLogs/);
    expect(() => new MemoryBackend({ maxMetricSnapshots: -1 })).toThrow(/maxMetricSnapshots/);
    expect(() => new MemoryBackend({ maxSpans: Number.NaN })).toThrow(/maxSpans/);
    // A misspelt temporality was taken silently as cumulative while `temporality` said otherwise.
    expect(() => new MemoryBackend({ temporality: 'Delta' as never })).toThrow(/temporality.*'delta' or 'cumulative'/);
  });
});

describe('MemoryBackend lookups', () => {
  it('finds spans by name and attributes', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 't', backends: [memory], onDiagnostic: () => {} });
    monitor.tracer.startSpan('GET', { attributes: { 'http.route': '/a', tags: ['x', 'y'] } }).end();
    monitor.tracer.startSpan('GET', { attributes: { 'http.route': '/b', 'http.response.status_code': 500 } }).end();
    monitor.tracer.startSpan('db', { attributes: { 'http.route': '/b' } }).end();
    await monitor.flush();
    expect(memory.getSpans().map((s) => s.name)).toEqual(['GET', 'GET', 'db']);
    expect(memory.getSpans('GET')).toHaveLength(2);
    expect(memory.getSpans(undefined, { 'http.route': '/b' }).map((s) => s.name)).toEqual(['GET', 'db']);
    expect(memory.findSpan('GET', { 'http.response.status_code': 500 })?.attributes['http.route']).toBe('/b');
    expect(memory.findSpan('GET', { tags: ['x', 'y'] })?.attributes['http.route']).toBe('/a');
    expect(memory.findSpan('GET', { tags: ['x'] })).toBeUndefined();
    expect(memory.findSpan('GET', { 'http.route': '/c' })).toBeUndefined();
  });
});

describe('MemoryBackend: instrumentation scope', () => {
  it('a span or log without its own scope is recorded under the batch scope, as OTLP exports it', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 't', backends: [memory] });
    monitor.tracer.startActiveSpan('app', (span) => {
      monitor.logger.info('hi');
      span.end();
    });
    await monitor.flush();
    expect(memory.findSpan('app')!.instrumentationScope).toMatchObject({ name: '@lexigram/monitor' });
    expect(memory.logs[0].instrumentationScope).toMatchObject({ name: '@lexigram/monitor' });
  });
});

describe('MemoryBackend links', () => {
  it('keep the count of attributes the link attribute limit dropped, as events do (TR-03)', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 't', backends: [memory], limits: { linkAttributeCountLimit: 1 } });
    const linked = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b9c7c989f97918e1', traceFlags: 1 };
    monitor.tracer.startSpan('s', { links: [{ context: linked, attributes: { a: 1, b: 2, c: 3 } }] }).end();
    await monitor.flush();
    expect(memory.findSpan('s')!.links).toEqual([{ traceId: linked.traceId, spanId: linked.spanId, traceState: undefined, attributes: { a: 1 }, droppedAttributesCount: 2 }]);
  });
});
