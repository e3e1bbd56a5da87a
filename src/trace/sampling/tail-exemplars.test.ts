/**
 * With tail sampling, a histogram exemplar names a trace only once the tail policy kept it: one
 * whose trace was dropped is never collected (OTLP, MemoryBackend, Prometheus/OpenMetrics), and
 * one whose spans are still open at a collection waits for the decision instead of going out
 * pointing at a trace that may be dropped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { base2ExponentialBuckets, createMonitor, handleRequest, MemoryBackend, setContextStorage, SpanStatus, type Monitor, type Span } from '../../index.js';
import { renderPrometheus } from '../../exporters/prometheus/index.js';
import type { MetricsSnapshot } from '../../model/metric-data.js';

beforeAll(() => setContextStorage(AsyncLocalStorage));

function exemplarIds(snapshot: MetricsSnapshot | undefined, name: string): string[] {
  const m = snapshot?.metrics.find((x) => x.name === name);
  return (m?.points ?? []).flatMap((p) => ('exemplars' in p && p.exemplars) || []).map((e) => `${e.traceId}/${e.spanId}`);
}

describe('tail sampling and exemplars', () => {
  it('a request whose trace is dropped leaves no exemplar; a kept (failed) one keeps its own', async () => {
    for (const temporality of ['cumulative', 'delta'] as const) {
      const memory = new MemoryBackend({ temporality });
      const monitor = createMonitor({ serviceName: 'tail-ex', backends: [memory], tailSampling: { keepErrors: true, ratio: 0 }, onDiagnostic: () => {} });
      await handleRequest(monitor, new Request('http://localhost/ok'), async () => new Response('ok'));
      await monitor.flush();
      expect(memory.spans).toHaveLength(0);
      expect(memory.metricSnapshots.flatMap((s) => exemplarIds(s, 'http.server.request.duration'))).toEqual([]);
      expect(renderPrometheus(monitor, { format: 'openmetrics' })).not.toMatch(/trace_id/);

      await handleRequest(monitor, new Request('http://localhost/fail'), async () => new Response('no', { status: 500 }));
      await monitor.flush();
      const server = memory.spans.find((s) => s.kind === 2)!;
      const ids = memory.metricSnapshots.flatMap((s) => exemplarIds(s, 'http.server.request.duration'));
      expect(ids.at(-1)).toBe(`${server.traceId}/${server.spanId}`);
      expect(ids.every((id) => id === `${server.traceId}/${server.spanId}`)).toBe(true);
      expect(renderPrometheus(monitor, { format: 'openmetrics' })).toContain(`trace_id="${server.traceId}"`);
    }
  });

  for (const kind of ['fixed', 'exponential'] as const) {
    it(`${kind}: an exemplar of a span still open at a delta collection waits for its trace's decision`, async () => {
      const memory = new MemoryBackend({ temporality: 'delta' });
      const monitor: Monitor = createMonitor({ serviceName: 'tail-open', backends: [memory], tailSampling: { keepErrors: true, ratio: 0 }, onDiagnostic: () => {} });
      const h = monitor.metrics.createHistogram('work_seconds', 'Work', { buckets: kind === 'fixed' ? [0.1, 1] : base2ExponentialBuckets() });
      const delta = () => monitor.metrics.collect({ temporality: 'delta' });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const spans: Span[] = [];
      const work = (name: string, value: number, failed: boolean) =>
        monitor.tracer.startActiveSpan(name, async (span) => {
          spans.push(span);
          h.observe(value);
          await gate;
          if (failed) span.setStatus(SpanStatus.ERROR);
        });
      // The failing one observes last: an exponential histogram keeps one exemplar, the latest.
      const running = Promise.all([work('will-succeed', 5, false), work('will-fail', 0.5, true)]);
      // Both traces undecided: neither exemplar goes, in a delta or a cumulative reading.
      expect(exemplarIds(delta(), 'work_seconds')).toEqual([]);
      expect(exemplarIds(monitor.metrics.collect(), 'work_seconds')).toEqual([]);
      release();
      await running;
      await monitor.flush();
      expect(memory.spans.map((s) => s.name)).toEqual(['will-fail']);
      // The kept trace's exemplar goes with the series' next delta point, once; the dropped one's never.
      const c = spans[1]!.spanContext();
      h.observe(0.01);
      const sent = [...memory.metricSnapshots.flatMap((m) => exemplarIds(m, 'work_seconds')), ...exemplarIds(delta(), 'work_seconds')];
      expect(sent).toEqual([`${c.traceId}/${c.spanId}`]);
      expect(exemplarIds(delta(), 'work_seconds')).toEqual([]);
      expect(exemplarIds(monitor.metrics.collect(), 'work_seconds')).toEqual([`${c.traceId}/${c.spanId}`]);
    });
  }

  it('without tail sampling an open span still gives its exemplar at once', () => {
    const monitor = createMonitor({ serviceName: 'no-tail', backends: [new MemoryBackend()], onDiagnostic: () => {} });
    const h = monitor.metrics.createHistogram('work_seconds', 'Work', { buckets: [1] });
    monitor.tracer.startActiveSpan('open', (span) => {
      h.observe(0.5);
      const c = span.spanContext();
      expect(exemplarIds(monitor.metrics.collect({ temporality: 'delta' }), 'work_seconds')).toEqual([`${c.traceId}/${c.spanId}`]);
    });
  });
});
