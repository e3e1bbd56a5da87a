/**
 * Backpressure: a collector slower than the request rate. Its exports in flight stay at
 * limits.maxPendingExports, buffered spans/logs under maxBufferedItems and maxBufferedBytes;
 * what exceeds them is dropped oldest-first and counted (`buffer_full`); the heap stays bounded
 * while the data produced grows. Also: a backend that throws synchronously or never settles does
 * not stop the others.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';
import { handleRequest } from '../../src/http/handle-request.js';
import type { Backend } from '../../src/model/batch.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { droppedByReason } from './helpers/monitor-kit.js';
import { startFaultReceiver } from './helpers/receiver.js';
import { SCALE, record, settledHeap, sleep, watchUnhandled } from './helpers/scale.js';

const unhandled = watchUnhandled();
afterAll(() => {
  unhandled.stop();
  expect(unhandled.list).toEqual([]);
});

const BIG = 'x'.repeat(4000);

describe('backpressure', () => {
  it('a slow collector: bounded exports in flight, bounded buffer, oldest dropped and counted, bounded heap', { timeout: 120_000 }, async () => {
    const receiver = await startFaultReceiver('ok');
    receiver.delayMs = 1500;
    receiver.keep = false;
    const LIMITS = { maxPendingExports: 8, maxBufferedItems: 2000, maxBufferedBytes: 2 * 1024 * 1024 };
    const memory = new MemoryBackend();
    // The MemoryBackend would keep everything: count what reaches it, keep nothing.
    let deliveredSpans = 0;
    let deliveredLogs = 0;
    const lastIds = new Set<string>();
    const counting: Backend = {
      name: 'count',
      temporality: 'none',
      async export(b) {
        deliveredSpans += b.spans.length;
        deliveredLogs += b.logs.length;
        for (const s of b.spans) if (s.attributes['test.id'] !== undefined) lastIds.add(String(s.attributes['test.id']));
        return { ok: true };
      },
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    void memory;
    const otlp = new OtlpBackend({ endpoint: receiver.url, timeoutMs: 20_000, signals: ['traces', 'logs'] });
    // The collector's exports in flight, counted where the monitor calls it.
    let otlpInflight = 0;
    let maxInflight = 0;
    let otlpDelivered = 0;
    const slow: Backend = {
      name: 'otlp',
      temporality: otlp.temporality,
      async export(b) {
        maxInflight = Math.max(maxInflight, ++otlpInflight);
        try {
          const r = await otlp.export(b);
          if (r.ok) otlpDelivered += b.spans.length + b.logs.length;
          return r;
        } finally {
          otlpInflight--;
        }
      },
      forceFlush: () => otlp.forceFlush(),
      shutdown: () => otlp.shutdown(),
    };
    const monitor = createMonitor({ serviceName: 'bp', backends: [slow, counting], limits: LIMITS, flushTimeoutMs: 20_000, onDiagnostic: () => undefined });
    const internals = monitor as unknown as { pendingSpans: unknown[]; pendingLogs: unknown[]; pendingBytes: number };

    const heapBefore = await settledHeap();
    const N = SCALE.backpressureRequests;
    let maxSpans = 0;
    let maxLogs = 0;
    let maxBytes = 0;
    const exports: Promise<unknown>[] = [];
    const one = (i: number): Promise<Response> =>
      handleRequest(
        monitor,
        new Request(`http://app.local/r/${i}`),
        (_r, t) => {
          t.span.setAttributes({ 'test.id': String(i), a: BIG, b: BIG });
          monitor.logger.info('handled', { id: i, payload: BIG });
          const c = monitor.tracer.startSpan('child', { parent: t.span, attributes: { 'test.id': `${i}.c`, a: BIG } });
          c.end();
          return new Response('ok');
        },
        (p) => void exports.push(p),
        { waitForBody: false },
      );
    const t0 = performance.now();
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => one(i + k)));
      maxSpans = Math.max(maxSpans, internals.pendingSpans.length);
      maxLogs = Math.max(maxLogs, internals.pendingLogs.length);
      maxBytes = Math.max(maxBytes, internals.pendingBytes);
      await sleep(1);
    }
    const runMs = performance.now() - t0;
    await Promise.all(exports);
    // Peak: every request done, exports in flight at the slow collector, the buffer full.
    const heapPeak = await settledHeap();
    const producedBytes = N * (3 * BIG.length * 2 + 1000);

    expect(maxInflight).toBeLessThanOrEqual(LIMITS.maxPendingExports);
    expect(maxSpans).toBeLessThanOrEqual(LIMITS.maxBufferedItems);
    expect(maxLogs).toBeLessThanOrEqual(LIMITS.maxBufferedItems);
    expect(maxBytes).toBeLessThanOrEqual(LIMITS.maxBufferedBytes);

    receiver.delayMs = 0;
    await monitor.forceFlush();
    const dropped = droppedByReason(monitor);
    const created = N * 3; // server span, child span, log per request
    // The healthy backend beside it was not held back: it got everything. The slow one got what
    // its backlog could hold; the rest was dropped, oldest first, and counted once.
    expect(deliveredSpans + deliveredLogs).toBe(created);
    expect(otlpDelivered + (dropped.buffer_full ?? 0)).toBe(created);
    expect(dropped.buffer_full).toBeGreaterThan(0);
    for (let i = N - 5; i < N; i++) expect(lastIds.has(String(i))).toBe(true);
    expect(internals.pendingSpans.length + internals.pendingLogs.length).toBe(0);

    await monitor.shutdown();
    await receiver.close();
    const heapAfter = await settledHeap();
    const peakGrowth = heapPeak - heapBefore;
    // The bound: the byte-bounded buffer plus the batches of at most maxPendingExports exports in flight.
    expect(peakGrowth).toBeLessThan(64 * 1024 * 1024);
    expect(peakGrowth).toBeLessThan(producedBytes / 2);
    record('backpressure', 'slow-collector', {
      requests: N,
      runMs: Math.round(runMs),
      collectorDelayMs: 1500,
      limits: LIMITS,
      maxInflight,
      maxBufferedSpans: maxSpans,
      maxBufferedLogs: maxLogs,
      maxBufferedBytesEstimate: maxBytes,
      delivered: deliveredSpans + deliveredLogs,
      deliveredToSlow: otlpDelivered,
      droppedBufferFull: dropped.buffer_full,
      producedMB: +(producedBytes / 2 ** 20).toFixed(1),
      heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(1),
      heapPeakMB: +(heapPeak / 2 ** 20).toFixed(1),
      heapAfterMB: +(heapAfter / 2 ** 20).toFixed(1),
    });
  });

  it('a backend that throws synchronously or never settles does not stop the others', { timeout: 30_000 }, async () => {
    const memory = new MemoryBackend();
    const throwing = {
      name: 'throws',
      export() {
        throw new Error('sync boom');
      },
      shutdown() {
        throw new Error('shutdown boom');
      },
    };
    const never = { name: 'never', export: () => new Promise(() => undefined), forceFlush: () => new Promise(() => undefined) as never };
    const rejecting = { name: 'rejects', export: () => Promise.reject(new Error('async boom')) };
    const returnsNothing = { name: 'nothing', export: () => undefined as never };
    const monitor = createMonitor({ serviceName: 'mixed', backends: [throwing, never, rejecting, returnsNothing].map((b) => b as unknown as Backend).concat(memory), flushTimeoutMs: 300, onDiagnostic: () => undefined });
    const waits: Promise<unknown>[] = [];
    const settled = new Set<Promise<unknown>>();
    const waitUntil = (p: Promise<unknown>): void => {
      waits.push(p);
      const done = (): void => void settled.add(p);
      p.then(done, done);
    };
    for (let i = 0; i < 5; i++) {
      const n = waits.length;
      const res = await handleRequest(monitor, new Request(`http://app.local/${i}`), () => new Response(`r${i}`), waitUntil);
      // The response does not wait for the exports, by the order of events: `never` holds this
      // request's export until flushTimeoutMs ends it (a timer), and no timer runs between the
      // request handing its export to waitUntil and this line. A response that waited for it
      // would come after it settled.
      expect(waits.length).toBe(n + 1);
      expect(settled.has(waits[n]), `request ${i}: the response came before its export settled`).toBe(false);
      expect(await res.text()).toBe(`r${i}`);
    }
    await Promise.all(waits);
    expect(memory.spans.length).toBe(5);
    const dropped = droppedByReason(monitor);
    expect(dropped.export_timeout).toBeGreaterThan(0);
    expect(dropped.export_failed).toBeGreaterThan(0);
    await Promise.race([monitor.shutdown(), sleep(5000).then(() => {
      throw new Error('shutdown hung on a never-settling backend');
    })]).catch((e) => {
      // forceFlush of `never` is not awaited by shutdown; a hang here is a bug.
      throw e;
    });
    record('backpressure', 'bad-backends', { memorySpans: memory.spans.length, dropped });
  });
});
