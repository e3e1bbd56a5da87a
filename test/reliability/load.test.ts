/**
 * Load: SCALE.loadRequests requests at SCALE.loadConcurrency concurrent, through the Node adapter
 * (instrument() + toNodeListener over node:http) and through instrument() in workerd (miniflare
 * dispatchFetch), exporting OTLP/protobuf to a local receiver. Every request carries a unique id
 * and its own traceparent: its server span, child span and log must arrive exactly once, in its
 * own trace, with the right parents; http.server.request.duration counts every request; no drop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { droppedByReason } from './helpers/monitor-kit.js';
import { startFaultReceiver } from './helpers/receiver.js';
import { SCALE, record, settledHeap, sleep, watchUnhandled } from './helpers/scale.js';
import { checkLoad, pool, traceparentFor } from './helpers/verify.js';
import { startWorker } from './helpers/workerd.js';
import { instrument, toNodeListener } from '../../runtimes/node/index.js';

const unhandled = watchUnhandled();
afterAll(() => {
  unhandled.stop();
  expect(unhandled.list).toEqual([]);
});

const N = SCALE.loadRequests;
const C = SCALE.loadConcurrency;

describe('load', () => {
  it(`Node adapter: ${N} requests at ${C} concurrent`, { timeout: 300_000 }, async () => {
    const receiver = await startFaultReceiver('ok');
    const otlp = new OtlpBackend({ endpoint: receiver.url, timeoutMs: 20_000 });
    const monitor = createMonitor({ serviceName: 'load-node', backends: [otlp], onDiagnostic: () => undefined });
    const handler = instrument(async (req, _info, t) => {
      const id = req.headers.get('x-req-id') ?? '';
      t.span.setAttribute('test.request_id', id);
      monitor.logger.info('handled', { 'test.request_id': id });
      const child = monitor.tracer.startSpan('child', { attributes: { 'test.request_id': id } });
      await sleep(0);
      child.end();
      return new Response(`hello ${id}`);
    }, monitor);
    const server = createServer(toNodeListener(handler));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Warm up (JIT, connection pool) before the baseline heap.
    await pool(200, 20, async (i) => void (await (await fetch(`${url}/warm/${i}`)).text()));
    await handler.flush();
    receiver.received.length = 0;
    const heapBefore = await settledHeap();

    const t0 = performance.now();
    let wrong = 0;
    await pool(N, C, async (i) => {
      const res = await fetch(`${url}/r/${i}`, { headers: { 'x-req-id': String(i), traceparent: traceparentFor(i) } });
      if ((await res.text()) !== `hello ${i}`) wrong++;
    });
    const ms = performance.now() - t0;
    await handler.flush();
    await monitor.forceFlush();
    const check = checkLoad(receiver.received, N);
    const dropped = droppedByReason(monitor);
    receiver.received.length = 0;
    const heapAfter = await settledHeap();
    await new Promise<void>((r) => {
      server.closeAllConnections?.();
      server.close(() => r());
    });
    await handler.shutdown();
    await receiver.close();

    expect(wrong).toBe(0);
    expect(check).toMatchObject({ lost: 0, duplicated: 0, mixed: 0, logsLost: 0, logsMixed: 0 });
    // warm-up requests were exported before; only the measured ones count here
    expect(check.durationCount).toBe(N);
    expect(Object.keys(dropped).filter((k) => k.startsWith('export_') || k === 'buffer_full')).toEqual([]);
    expect(heapAfter - heapBefore).toBeLessThan(16 * 1024 * 1024);
    record('load', 'node', {
      runtime: 'node (instrument + toNodeListener)',
      concurrency: C,
      seconds: +(ms / 1000).toFixed(1),
      ...check,
      heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(1),
      heapAfterMB: +(heapAfter / 2 ** 20).toFixed(1),
    });
  });

  it(`workerd instrument(): ${N} requests at ${C} concurrent`, { timeout: 300_000 }, async () => {
    const receiver = await startFaultReceiver('ok');
    const worker = await startWorker({ OTLP_URL: receiver.url, OTLP_TIMEOUT: '20000', API_KEY: 'k', MAX_ATTEMPTS: '3' });
    try {
      const t0 = performance.now();
      let wrong = 0;
      await pool(N, C, async (i) => {
        const res = await worker.mf.dispatchFetch(`http://w/r/${i}`, { headers: { 'x-req-id': String(i), traceparent: traceparentFor(i) } });
        if ((await res.text()) !== `hello ${i}`) wrong++;
      });
      const ms = performance.now() - t0;
      let stats = await worker.stats();
      const deadline = performance.now() + 60_000;
      while (stats.settled.length < stats.started && performance.now() < deadline) {
        await sleep(100);
        stats = await worker.stats();
      }
      await worker.mf.dispatchFetch('http://w/__flush');
      stats = await worker.stats();
      const check = checkLoad(receiver.received, N);
      expect(wrong).toBe(0);
      expect(check).toMatchObject({ lost: 0, duplicated: 0, mixed: 0, logsLost: 0, logsMixed: 0 });
      expect(check.durationCount).toBe(N);
      expect(stats.unhandled).toBe(0);
      expect(stats.pendingSpans + stats.pendingLogs).toBe(0);
      expect(Object.keys(stats.dropped).filter((k) => k.startsWith('export_') || k === 'buffer_full')).toEqual([]);
      record('load', 'workerd', {
        runtime: 'workerd (instrument via miniflare)',
        concurrency: C,
        seconds: +(ms / 1000).toFixed(1),
        ...check,
        exports: stats.started,
        isolateBufferedAfter: stats.pendingSpans + stats.pendingLogs,
      });
    } finally {
      await worker.dispose();
      await receiver.close();
    }
  });
});
