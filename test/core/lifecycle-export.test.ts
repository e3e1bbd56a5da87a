import { describe, expect, it, vi } from 'vitest';
import { configFromEnv, createMonitor, MemoryBackend } from '../../src/index.js';
import type { Backend, ExportResult, TelemetryBatch } from '../../src/index.js';

const quiet = { onDiagnostic: () => {} };

describe('OTEL_BSP_SCHEDULE_DELAY / OTEL_BLRP_SCHEDULE_DELAY = 0 (ENV-16)', () => {
  it('0 means "no delay", as in OpenTelemetry: a span ended outside any request is exported without a flush, not held until the next request', async () => {
    for (const name of ['OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BLRP_SCHEDULE_DELAY']) {
      const options = configFromEnv({ [name]: '0' }, { onWarning: () => {} });
      expect(options.exportDelayMs).toBeGreaterThan(0);
      const memory = new MemoryBackend();
      const monitor = createMonitor({ ...quiet, ...options, backends: [memory] });
      monitor.tracer.startSpan('background job').end();
      monitor.logger.info('background log');
      // Eventually, with no flush, no request and no shutdown.
      await vi.waitFor(() => expect(memory.spans.map((s) => s.name)).toEqual(['background job']), { timeout: 5000, interval: 5 });
      await vi.waitFor(() => expect(memory.logs).toHaveLength(1), { timeout: 5000, interval: 5 });
      await monitor.shutdown();
    }
  });
});

/** A backend whose exports settle only when the test releases them. */
function heldBackend(): Backend & { received: string[]; release(): void } {
  const waiting: (() => void)[] = [];
  const received: string[] = [];
  return {
    name: 'held',
    received,
    export(batch: TelemetryBatch): Promise<ExportResult> {
      return new Promise((resolve) =>
        waiting.push(() => {
          received.push(...batch.spans.map((s) => s.name), ...batch.logs.map((l) => String(l.body)));
          resolve({ ok: true });
        }),
      );
    },
    release() {
      for (const w of waiting.splice(0)) w();
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

describe('flush() while maxPendingExports exports are in flight', () => {
  it('waits for room and exports what waits: `await monitor.flush()` does not settle with the data still buffered', async () => {
    const held = heldBackend();
    const monitor = createMonitor({ ...quiet, backends: [held], exportDelayMs: 0, limits: { maxPendingExports: 1 } });
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan('request').end());
    const closed = scope.close(); // the one export in flight
    monitor.tracer.startSpan('background').end();
    monitor.logger.info('background log');
    const flushed = monitor.flush();
    let settled = false;
    void flushed.then(() => (settled = true));
    await Promise.resolve();
    held.release(); // the request's export settles: room for the flush's
    await closed;
    // The flush's own export is in flight now; it settles with it.
    await vi.waitFor(() => expect(held.received).toContain('request'));
    expect(settled).toBe(false);
    await vi.waitFor(() => {
      held.release();
      expect(settled).toBe(true);
    });
    const r = await flushed;
    expect(r).toMatchObject({ spans: 1, logs: 1 });
    expect(held.received).toEqual(['request', 'background', 'background log']);
    await monitor.shutdown();
  });
});

describe('a backend that fails with something that cannot be shown as text', () => {
  const nullProto = (): object => Object.create(null) as object;
  const badMessage = (): Error => Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('unreadable'); } });
  const cases: [string, () => unknown][] = [
    ['rejects with an object without toString', () => Promise.reject(nullProto())],
    ['throws an object without toString', () => { throw nullProto(); }],
    ['throws an Error whose message getter throws', () => { throw badMessage(); }],
    ['answers { ok: false, error: <object without toString> }', () => Promise.resolve({ ok: false, error: nullProto() })],
  ];
  for (const [name, exportFn] of cases) {
    it(`${name}: scope.close() still resolves (it never rejects), the other backends get the data, the loss is counted`, async () => {
      const odd = { name: 'odd', export: exportFn } as unknown as Backend;
      const memory = new MemoryBackend();
      const monitor = createMonitor({ ...quiet, backends: [odd, memory] });
      const scope = monitor.openScope();
      scope.run(() => monitor.tracer.startSpan('request').end());
      const r = await scope.close();
      expect(r.backends.map((b) => [b.name, b.ok])).toEqual([['odd', false], ['memory', true]]);
      expect(typeof r.backends[0]!.error).toBe('string');
      expect(memory.spans.map((s) => s.name)).toEqual(['request']);
      const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
      expect(dropped?.points.find((p) => p.attributes.reason === 'export_failed')).toMatchObject({ value: 1 });
    });
  }
});

describe('shutdown() and forceFlush() of a backend that throws something that cannot be shown as text', () => {
  for (const method of ['shutdown', 'forceFlush'] as const) {
    it(`${method}() resolves, and the other backends are still told`, async () => {
      const told: string[] = [];
      const odd = {
        name: 'odd',
        export: () => Promise.resolve({ ok: true }),
        [method]: () => {
          throw Object.create(null);
        },
      } as unknown as Backend;
      const memory = new MemoryBackend();
      const other: Backend = { name: 'other', export: () => Promise.resolve({ ok: true }), forceFlush: async () => void told.push('forceFlush'), shutdown: async () => void told.push('shutdown') };
      const monitor = createMonitor({ ...quiet, backends: [odd, memory, other] });
      await expect(monitor[method]()).resolves.toBeUndefined();
      expect(told).toEqual([method]);
    });
  }
});

describe('what shutdown() could not export is counted once, and nothing is left uncounted after it', () => {
  /** Drops by reason. */
  const droppedBy = (monitor: ReturnType<typeof createMonitor>): Record<string, number> => {
    const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
    return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
  };

  it('a span left buffered by a failing shutdown flush is counted once (export_timeout), not again when a waiting batch carrier finds it after shutdown', async () => {
    const held = heldBackend();
    const failing: Backend = { ...held, export: (b) => held.export(b).then(() => ({ ok: false, reason: 'export_failed', error: 'down' })) };
    const monitor = createMonitor({ ...quiet, backends: [failing], exportDelayMs: 0, batchWindowMs: 1000, metricExportIntervalMs: 1e9 });
    const request = (name: string): Promise<unknown> => {
      const scope = monitor.openScope();
      scope.run(() => monitor.tracer.startSpan(name).end());
      return scope.close();
    };
    const a = request('a'); // exports at once (the first of its window)
    const b = request('b'); // within the window: waits with a carrier
    const shut = monitor.shutdown(); // its flush takes b
    const c = request('c'); // waits with the same carrier, while shutdown() flushes
    held.release(); // every export fails: shutdown() gives up with c still buffered
    await shut;
    await Promise.all([a, b, c]); // the carrier has woken and found c
    held.release();
    const d = droppedBy(monitor);
    expect(d.export_timeout ?? 0).toBe(1);
    expect((d.export_timeout ?? 0) + (d.after_shutdown ?? 0)).toBe(1);
  });

  it('requests that keep ending through and after shutdown(), with exports failing from then on: every span is exported or counted once', async () => {
    // Many interleavings of scopes closing, exports settling and shutdown() (10 runs of 200
    // requests): spans left in the buffer after shutdown() were neither exported nor counted.
    for (let run = 0; run < 10; run++) {
      let exported = 0;
      let failedPoints = 0;
      let calls = 0;
      let shutting = false;
      const backend: Backend = {
        name: 'slow',
        export: async (batch) => {
          await new Promise((r) => setTimeout(r, 2 + (calls++ % 7)));
          if (!shutting) {
            exported += batch.spans.length;
            return { ok: true };
          }
          // A failed export counts its metric points too: taken off below.
          failedPoints += batch.metrics ? batch.metrics.metrics.reduce((n, m) => n + m.points.length, 0) : 0;
          return { ok: false, reason: 'export_failed', error: 'down' };
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      };
      const monitor = createMonitor({ ...quiet, backends: [backend], exportDelayMs: 0, flushTimeoutMs: 2000, limits: { maxPendingExports: 1 } });
      const closes: Promise<unknown>[] = [];
      let shut: Promise<void> | undefined;
      await Promise.all(
        Array.from({ length: 200 }, async (_, k) => {
          await new Promise((r) => setTimeout(r, k % 13));
          if (k === 30) {
            shutting = true;
            shut = monitor.shutdown();
          }
          const scope = monitor.openScope();
          scope.run(() => monitor.tracer.startSpan('request').end());
          await new Promise((r) => setTimeout(r, k % 5));
          closes.push(scope.close());
        }),
      );
      await Promise.all(closes);
      await shut;
      const dropped = Object.values(droppedBy(monitor)).reduce((a, b) => a + b, 0);
      expect(exported + dropped - failedPoints, `run ${run}: ${JSON.stringify(droppedBy(monitor))}`).toBe(200);
    }
  });
});

describe('configFromEnv: Workers vars written without quotes (wrangler hands them over as JSON booleans and numbers)', () => {
  it('OTEL_SDK_DISABLED = true, OTEL_TRACES_SAMPLER_ARG = 0.1, OTEL_ATTRIBUTE_COUNT_LIMIT = 3 are read as their text would be', () => {
    const env = { OTEL_SDK_DISABLED: true, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.1, OTEL_ATTRIBUTE_COUNT_LIMIT: 3, OTEL_EXPORTER_OTLP_TIMEOUT: 5000, KV: { get() {} } };
    const options = configFromEnv(env, { onWarning: () => {} });
    expect(options.disabled).toBe(true);
    expect(options.sampler).toEqual({ type: 'traceidratio', ratio: 0.1 });
    expect(options.limits?.attributeCountLimit).toBe(3);
    expect(options.otlp).toMatchObject({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000' });
    expect(configFromEnv({ OTEL_SDK_DISABLED: false }, { onWarning: () => {} }).disabled).toBeUndefined();
  });
});
