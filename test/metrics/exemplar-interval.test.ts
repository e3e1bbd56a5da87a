/**
 * A delta point carries only the exemplars of its own interval (MET-10): on a clock that stands
 * still between I/O (workerd, CF-02), an observation and the collection after it read the same
 * time, so time alone cannot tell an exemplar already sent from a new one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { base2ExponentialBuckets, createMonitor, MemoryBackend, setContextStorage } from '../../src/index.js';
import type { HistogramPoint } from '../../src/model/metric-data.js';

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => vi.restoreAllMocks());

describe('exemplars of delta histogram points on a clock that stands still', () => {
  for (const kind of ['fixed', 'exponential'] as const) {
    it(`${kind}: an exemplar sent with one delta point is not sent again with the next`, () => {
      const monitor = createMonitor({ serviceName: 'frozen', backends: [new MemoryBackend()], onDiagnostic: () => {} });
      const h = monitor.metrics.createHistogram('work_seconds', 'Work', { buckets: kind === 'fixed' ? [0.1, 1] : base2ExponentialBuckets() });
      vi.spyOn(performance, 'now').mockReturnValue(performance.now());
      const delta = () => monitor.metrics.collect({ temporality: 'delta' }).metrics.find((m) => m.name === 'work_seconds')?.points[0] as HistogramPoint | undefined;
      let traceId = '';
      monitor.tracer.startActiveSpan('sampled', (span) => {
        traceId = span.spanContext().traceId;
        h.observe(0.5);
        span.end();
      });
      expect(delta()!.exemplars?.map((e) => e.traceId)).toEqual([traceId]);
      // The same bucket again, outside any span, at the same (frozen) time.
      h.observe(0.5);
      const second = delta()!;
      expect(second.count).toBe(1);
      expect(second.exemplars ?? []).toEqual([]);
      // A new sampled observation at that same time is this interval's exemplar.
      let next = '';
      monitor.tracer.startActiveSpan('sampled', (span) => {
        next = span.spanContext().traceId;
        h.observe(0.5);
        span.end();
      });
      expect(delta()!.exemplars?.map((e) => e.traceId)).toEqual([next]);
      // A cumulative reader still sees each bucket's latest exemplar.
      expect((monitor.metrics.collect().metrics.find((m) => m.name === 'work_seconds')!.points[0] as HistogramPoint).exemplars?.map((e) => e.traceId)).toEqual([next]);
    });
  }
});
