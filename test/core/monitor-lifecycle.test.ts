import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';
import type { Backend, Diagnostic, Monitor, TelemetryBatch } from '../../src/index.js';

/** Settles to 'settled', or to 'pending' when `p` is still running after `ms`. */
function within(p: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then(() => 'settled' as const),
    new Promise<'pending'>((r) => {
      timer = setTimeout(() => r('pending'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function droppedBy(monitor: Monitor): Record<string, number> {
  const m = monitor.metrics.collect().metrics.find((x) => x.name === 'lexigram_monitor_dropped_total');
  return Object.fromEntries((m?.points ?? []).map((p) => [p.attributes.reason, (p as { value: number }).value]));
}

describe('shutdown() and forceFlush() are bounded by flushTimeoutMs (DESIGN 5: a slow backend never holds the app)', () => {
  for (const method of ['shutdown', 'forceFlush'] as const) {
    it(`a backend whose ${method}() never settles is left behind after flushTimeoutMs, counted as export_timeout and reported`, async () => {
      const diagnostics: Diagnostic[] = [];
      const hanging: Backend = {
        name: 'hangs',
        export: () => Promise.resolve({ ok: true }),
        forceFlush: () => (method === 'forceFlush' ? new Promise<void>(() => {}) : Promise.resolve()),
        shutdown: () => (method === 'shutdown' ? new Promise<void>(() => {}) : Promise.resolve()),
      };
      const memory = new MemoryBackend();
      const flushTimeoutMs = 100;
      const monitor = createMonitor({ backends: [hanging, memory], flushTimeoutMs, onDiagnostic: (d) => diagnostics.push(d) });
      monitor.logger.info('x');
      // A bound on time is the property here (the hanging backend never settles: only flushTimeoutMs
      // ends the call): at least 3× flushTimeoutMs and 2 s, so a loaded machine's late timers pass.
      const bound = Math.max(2000, 3 * flushTimeoutMs);
      expect(await within(method === 'shutdown' ? monitor.shutdown() : monitor.forceFlush(), bound)).toBe('settled');
      expect(memory.logs).toHaveLength(1);
      expect(droppedBy(monitor).export_timeout).toBe(1);
      expect(diagnostics.find((d) => d.kind === 'export_timeout')?.message).toContain(`${method}()`);
    });
  }
});

describe('after shutdown() spans are dropped and counted like logs, and no backend is called after its shutdown()', () => {
  it('a span ended after shutdown (outside or inside a scope, or started before it) is counted as after_shutdown, reported once, never exported', async () => {
    const calls: string[] = [];
    const diagnostics: Diagnostic[] = [];
    const recorder: Backend = {
      name: 'rec',
      export: (b) => {
        calls.push(`export ${b.spans.length}/${b.logs.length}/${b.metrics ? 'm' : '-'}`);
        return Promise.resolve({ ok: true });
      },
      forceFlush: () => {
        calls.push('forceFlush');
        return Promise.resolve();
      },
      shutdown: () => {
        calls.push('shutdown');
        return Promise.resolve();
      },
    };
    const monitor = createMonitor({ backends: [recorder], exportDelayMs: 0, onDiagnostic: (d) => diagnostics.push(d) });
    const early = monitor.tracer.startSpan('started-before');
    const openScope = monitor.openScope();
    await monitor.shutdown();
    expect(calls).toEqual(['shutdown']);
    monitor.tracer.startSpan('after').end();
    early.end();
    openScope.run(() => monitor.tracer.startSpan('in-scope').end());
    await openScope.close();
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan('in-new-scope').end());
    await scope.close();
    monitor.logger.info('log after');
    await monitor.flush();
    await monitor.forceFlush();
    expect(calls).toEqual(['shutdown']);
    expect(droppedBy(monitor).after_shutdown).toBe(5);
    expect(diagnostics.filter((d) => d.kind === 'after_shutdown')).toHaveLength(1);
  });
});

describe('shutdown() and forceFlush() leave nothing behind uncounted', () => {
  /** A delta backend whose exports take `ms`, keeping what it was given and the order of events. */
  function slowBackend(ms: number, log: string[] = []): Backend & { batches: TelemetryBatch[] } {
    const batches: TelemetryBatch[] = [];
    let n = 0;
    return {
      name: 'slow',
      temporality: 'delta',
      batches,
      export(batch) {
        const id = ++n;
        batches.push(batch);
        log.push(`export ${id} start`);
        return new Promise((r) => setTimeout(() => (log.push(`export ${id} done`), r({ ok: true })), ms));
      },
      forceFlush: () => Promise.resolve(),
      shutdown: async () => void log.push('backend shutdown'),
    };
  }
  const delivered = (b: { batches: TelemetryBatch[] }, name: string): number =>
    b.batches
      .flatMap((x) => x.metrics?.metrics ?? [])
      .filter((m) => m.name === name)
      .flatMap((m) => m.points as readonly { value: number }[])
      .reduce((a, p) => a + p.value, 0);

  for (const method of ['shutdown', 'forceFlush'] as const) {
    it(`${method}(): metric changes recorded while maxPendingExports exports were in flight are exported once they settle`, async () => {
      const slow = slowBackend(30);
      const monitor = createMonitor({ serviceName: 'x', backends: [slow], limits: { maxPendingExports: 1 }, onDiagnostic: () => {} });
      const orders = monitor.metrics.createCounter('orders_total', 'orders');
      orders.increment(1);
      void monitor.flush(); // in flight: carries the +1
      orders.increment(10); // recorded while it runs: the next flush is saturated
      await monitor[method]();
      expect(delivered(slow, 'orders_total')).toBe(11);
      expect(droppedBy(monitor)).toEqual({});
    });
  }

  it('shutdown(): a value recorded while the final flush is in flight is exported; one recorded after is counted as after_shutdown', async () => {
    const slow = slowBackend(30);
    const monitor = createMonitor({ serviceName: 'x', backends: [slow], onDiagnostic: () => {} });
    const jobs = monitor.metrics.createCounter('jobs_total', 'jobs');
    jobs.increment(1);
    const done = monitor.shutdown();
    await new Promise((r) => setTimeout(r, 10));
    jobs.increment(7); // during the final flush: accepted, and exported
    await done;
    jobs.increment(100); // after: refused
    expect(delivered(slow, 'jobs_total')).toBe(8);
    expect(droppedBy(monitor)).toEqual({ after_shutdown: 1 });
  });

  for (const failure of ['refuses', 'hangs'] as const) {
    it(`shutdown(): a backend that ${failure} is tried once, not again and again (each failure changes the drop counter, so something always waits)`, async () => {
      let calls = 0;
      const down: Backend = {
        name: 'down',
        temporality: 'delta',
        export: () => {
          calls++;
          return failure === 'refuses' ? Promise.resolve({ ok: false, reason: 'export_failed', error: 'refused' }) : new Promise(() => {});
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      const monitor = createMonitor({ serviceName: 'x', backends: [down], flushTimeoutMs: 100, onDiagnostic: () => {} });
      monitor.metrics.createCounter('rows_total', 'rows').increment(10);
      monitor.logger.info('job done');
      expect(await within(monitor.shutdown(), 2000)).toBe('settled');
      expect(calls).toBe(1);
      expect(Object.keys(droppedBy(monitor))).toEqual([failure === 'refuses' ? 'export_failed' : 'export_timeout']);
    });
  }

  it('shutdown(): an export started by a scope closing while shutdown waits is waited for before the backends shut down', async () => {
    const log: string[] = [];
    const slow = slowBackend(40, log);
    const monitor = createMonitor({ serviceName: 'x', backends: [slow], onDiagnostic: () => {} });
    const a = monitor.openScope();
    a.run(() => monitor.tracer.startSpan('A').end());
    void a.close(); // export 1 in flight
    const b = monitor.openScope();
    b.run(() => monitor.tracer.startSpan('B').end());
    const done = monitor.shutdown().then(() => log.push('shutdown resolved'));
    setTimeout(() => void b.close(), 20); // request B finishes while shutdown() waits for export 1
    await done;
    expect(slow.batches.flatMap((x) => x.spans.map((s) => s.name))).toEqual(['A', 'B']);
    expect(log.indexOf('export 2 done')).toBeGreaterThan(-1);
    expect(log.indexOf('export 2 done')).toBeLessThan(log.indexOf('backend shutdown'));
    expect(log.at(-1)).toBe('shutdown resolved');
  });
});
