/**
 * A histogram skips the active-context lookup for exemplars while no sampled span is open in the
 * isolate (openSpans in trace/span.ts): the count must follow every start and end exactly, or
 * exemplars would be lost (count 0 while a span is open) or the lookup kept for nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend, setContextStorage, type Monitor } from '../index.js';
import { openSpans } from '../trace/span.js';

let monitor: Monitor;
beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
  monitor = createMonitor({ serviceName: 'open-spans', backends: [new MemoryBackend()], onDiagnostic: () => {} });
});

function exemplarsOf(m: Monitor, name: string): { traceId: string; spanId: string; value: number }[] {
  const metric = m.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === name)!;
  return metric.points.flatMap((p) => ('exemplars' in p && p.exemplars) || []);
}

describe('the count of open sampled spans', () => {
  it('goes up with each sampled span started and down with its first end only', () => {
    const before = openSpans.sampled;
    const a = monitor.tracer.startSpan('a');
    const b = monitor.tracer.startSpan('b', { parent: a });
    expect(openSpans.sampled).toBe(before + 2);
    b.end();
    b.end(); // ended twice: counted as a drop, not twice
    expect(openSpans.sampled).toBe(before + 1);
    a.end();
    expect(openSpans.sampled).toBe(before);
  });

  it('leaves out spans that are not sampled, and disabled monitors', () => {
    const before = openSpans.sampled;
    const never = createMonitor({ serviceName: 'never', backends: [new MemoryBackend()], sampler: 'always_off', onDiagnostic: () => {} });
    const off = createMonitor({ serviceName: 'off', disabled: true, backends: [new MemoryBackend()], onDiagnostic: () => {} });
    const s1 = never.tracer.startSpan('unsampled');
    const s2 = off.tracer.startSpan('disabled');
    expect(openSpans.sampled).toBe(before);
    s1.end();
    s2.end();
    expect(openSpans.sampled).toBe(before);
  });

  it('does not count a span abandoned by options that throw (it is never ended)', () => {
    const before = openSpans.sampled;
    const links = new Proxy([], { get: () => { throw new Error('unreadable'); } });
    const s = monitor.tracer.startSpan('hostile', { links } as never);
    s.end();
    expect(openSpans.sampled).toBe(before);
  });
});

describe('exemplars with the lookup skipped while no sampled span is open', () => {
  it('an observation after an await inside a sampled active span keeps its exemplar; one after every span ended has none', async () => {
    const h = monitor.metrics.createHistogram('async_work_seconds', 'work', { unit: 's', buckets: [0.1, 1, 10] });
    let ids = { traceId: '', spanId: '' };
    await monitor.tracer.startActiveSpan('work', async (span) => {
      ids = span.spanContext();
      await new Promise((r) => setTimeout(r, 1));
      h.observe(0.5);
    });
    h.observe(5); // no span open any more
    const ex = exemplarsOf(monitor, 'async_work_seconds');
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ value: 0.5, traceId: ids.traceId, spanId: ids.spanId });
  });

  it("a span of another monitor still gives the observation its exemplar (the count is the isolate's)", () => {
    const other = createMonitor({ serviceName: 'other', backends: [new MemoryBackend()], onDiagnostic: () => {} });
    const h = monitor.metrics.createHistogram('cross_seconds', 'work', { unit: 's', buckets: [1] });
    let spanId = '';
    other.tracer.startActiveSpan('outer', (span) => {
      spanId = span.spanContext().spanId;
      h.observe(0.2);
      span.end();
    });
    expect(exemplarsOf(monitor, 'cross_seconds').map((e) => e.spanId)).toEqual([spanId]);
  });
});
