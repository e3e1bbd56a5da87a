import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';
import type { Backend, Diagnostic, Monitor } from '../../src/index.js';

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
      const monitor = createMonitor({ backends: [hanging, memory], flushTimeoutMs: 100, onDiagnostic: (d) => diagnostics.push(d) });
      monitor.logger.info('x');
      const t = Date.now();
      expect(await within(method === 'shutdown' ? monitor.shutdown() : monitor.forceFlush(), 2000)).toBe('settled');
      expect(Date.now() - t).toBeLessThan(1500);
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
